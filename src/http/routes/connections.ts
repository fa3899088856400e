// POST/GET /v1/connections, GET/DELETE /v1/connections/{name}: named plugin instances; secrets write-only.
// (PATCH is in connections.update.ts.)
import { createHash } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createConnection, deleteConnection, getConnection, listConnections, type Actor, type ConnectionDeps } from '../../connections/store.ts';
import type { AppDeps } from '../deps.ts';
import { apiProblems, EXAMPLE } from './shared.schemas.ts';

export const ConnectionNameParam = z.object({
  name: z
    .string()
    .min(1)
    .max(63)
    .openapi({ param: { name: 'name', in: 'path', description: 'The connection name given at creation', example: EXAMPLE.connection } }),
});

export const EXAMPLE_CONNECTION = {
  name: EXAMPLE.connection,
  plugin: 'zendesk',
  kind: 'source',
  roles: ['source'],
  config: { subdomain: 'acme', email: 'ops@acme.example' },
  secret_fields_set: ['api_token', 'webhook_secret'],
  secrets_key: 'current',
  created_at: '2026-11-24T09:12:40.503Z',
  updated_at: '2026-11-24T09:12:40.503Z',
};

/** One connection for a whole Zendesk account: no kind, so it reads tickets and writes triage back. */
const EXAMPLE_ACCOUNT_CONNECTION = {
  ...EXAMPLE_CONNECTION,
  name: 'zd',
  kind: null,
  roles: ['source', 'sink'],
  secret_fields_set: ['api_token'],
};

const CreateConnectionSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'use 1–63 lower-case letters, digits, . _ -, starting with a letter or digit')
      .openapi({ description: 'How jobs refer to it: `{ "source": { "connection": name } }` or a sink `{ "connection": name }`' }),
    plugin: z.string().min(1).openapi({ description: 'A plugin from GET /v1/plugins' }),
    kind: z
      .enum(['source', 'sink'])
      .optional()
      .openapi({
        description:
          'Restricts the connection to one role. Without it, a connection of a plugin that is both a source and a sink (zendesk) serves both: ' +
          'jobs read through it (`source.connection`) and write back through it (`sinks[].connection`)',
      }),
    config: z
      .record(z.string(), z.unknown())
      .default({})
      .openapi({
        description:
          "Validated against the plugin's config schema (each role's, for a connection serving both; a field neither knows is refused); " +
          'secret fields (api_token, webhook_secret, …) are encrypted at rest and never returned',
      }),
  })
  .openapi('CreateConnection', {
    description: 'A named, configured instance of a plugin',
    example: {
      name: EXAMPLE.connection,
      plugin: 'zendesk',
      kind: 'source',
      config: { subdomain: 'acme', email: 'ops@acme.example', api_token: 'zd-api-token-8Kq2', webhook_secret: 'dGhpcyBpcyBhIHNpZ25pbmcgc2VjcmV0' },
    },
  });

export const ConnectionSchema = z
  .object({
    name: z.string(),
    plugin: z.string(),
    kind: z.enum(['source', 'sink']).nullable().openapi({ description: 'The role it is restricted to; null when it serves every role in `roles`' }),
    roles: z.array(z.enum(['source', 'sink'])).openapi({ description: 'What jobs may use it as: `source` (source.connection), `sink` (sinks[].connection), or both' }),
    config: z.record(z.string(), z.unknown()).openapi({ description: 'The non-secret fields' }),
    secret_fields_set: z.array(z.string()).openapi({ description: 'Secret fields that hold a value (never shown)' }),
    secrets_key: z
      .enum(['current', 'fallback', 'unreadable'])
      .nullable()
      .openapi({
        description:
          'Which key opens its secrets: `current` (BATCHLINE_SECRET_KEY), `fallback` (one of BATCHLINE_SECRET_KEY_FALLBACKS: POST /v1/secrets/reseal moves it), ' +
          '`unreadable` (no configured key: give the secrets again with PATCH); null without secrets',
      }),
    created_at: z.string(),
    updated_at: z.string().openapi({ description: 'Last change of its config or secrets (or of its cursor, when a read ended)' }),
  })
  .openapi('Connection', { description: 'A connection as stored; secret fields are write-only', example: EXAMPLE_CONNECTION });

export const unknownConnection = { status: 404, when: 'No connection has this name', detail: `connection "${EXAMPLE.connection}" does not exist` } as const;

const create = createRoute({
  method: 'post',
  path: '/v1/connections',
  operationId: 'createConnection',
  tags: ['connections'],
  summary: 'Create a named connection (config validated against the plugin; secret fields encrypted at rest)',
  description:
    "A connection keeps a team system's address and credentials once, so jobs only name it. The config is checked " +
    'against the plugin now; secret fields are encrypted with BATCHLINE_SECRET_KEY and never appear in answers or logs.',
  security: [{ bearer: [] }],
  request: { body: { required: true, description: 'The connection to create', content: { 'application/json': { schema: CreateConnectionSchema } } } },
  responses: {
    201: {
      description: 'Created; Location names it',
      headers: { Location: { description: 'The connection: /v1/connections/{name}', schema: { type: 'string' } } },
      content: { 'application/json': { schema: ConnectionSchema } },
      links: { GetConnection: { operationId: 'getConnection', parameters: { name: '$response.body#/name' }, description: 'Read it back' } },
    },
    ...apiProblems(400, 401, { status: 409, when: 'A connection with this name exists', detail: `connection "${EXAMPLE.connection}" already exists; change it with PATCH /v1/connections/${EXAMPLE.connection}, or delete it first to replace it` }, 413, 415, {
      status: 422,
      when: "The name or the config is invalid (the config is checked against the plugin's schema)",
      detail: 'config.subdomain: set exactly one of subdomain or base_url',
      errors: [{ field: 'config.subdomain', message: 'set exactly one of subdomain or base_url' }],
    }),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/connections',
  operationId: 'listConnections',
  tags: ['connections'],
  summary: 'List connections',
  description: 'Every connection, by name; secret fields are listed in `secret_fields_set`, never shown.',
  security: [{ bearer: [] }],
  responses: {
    200: {
      description: 'Every connection',
      content: { 'application/json': { schema: z.object({ data: z.array(ConnectionSchema) }), example: { data: [EXAMPLE_CONNECTION, EXAMPLE_ACCOUNT_CONNECTION] } } },
    },
    ...apiProblems(401),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/connections/{name}',
  operationId: 'getConnection',
  tags: ['connections'],
  summary: 'One connection (secret fields are never returned)',
  description: 'The roles it serves, the non-secret config, which secret fields are set, and which key seals them.',
  security: [{ bearer: [] }],
  request: { params: ConnectionNameParam },
  responses: {
    200: { description: 'The connection', content: { 'application/json': { schema: ConnectionSchema } } },
    ...apiProblems(401, unknownConnection, 422),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/connections/{name}',
  operationId: 'deleteConnection',
  tags: ['connections'],
  summary: 'Delete a connection (jobs created from it keep their own copy of its config)',
  description: 'Running jobs are not affected. Creating a connection with the same name afterwards is allowed.',
  security: [{ bearer: [] }],
  request: { params: ConnectionNameParam },
  responses: { 204: { description: 'Deleted; no body' }, ...apiProblems(401, unknownConnection, 422) },
});

export function connectionDeps(deps: AppDeps): ConnectionDeps {
  return { db: deps.db, plugins: { sources: deps.sources, sinks: deps.sinks }, secretKey: deps.secretKey, log: deps.log };
}

/** Who made a change, for the audit line: a digest of the bearer token (never the token), or `open` without API keys. */
export function actorOf(c: Context): Actor {
  const token = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
  return { by: token ? `key:${createHash('sha256').update(token).digest('hex').slice(0, 8)}` : 'open' };
}

export function registerConnections(app: OpenAPIHono, deps: AppDeps): void {
  const store = connectionDeps(deps);
  app.openapi(create, async (c) => {
    const view = await createConnection(store, c.req.valid('json'), actorOf(c));
    c.header('Location', `/v1/connections/${view.name}`);
    return c.json(view, 201);
  });
  app.openapi(list, async (c) => c.json({ data: await listConnections(store) }, 200));
  app.openapi(get, async (c) => c.json(await getConnection(store, c.req.valid('param').name), 200));
  app.openapi(remove, async (c) => {
    await deleteConnection(store, c.req.valid('param').name, actorOf(c));
    return c.body(null, 204);
  });
}
