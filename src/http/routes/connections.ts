// POST/GET /v1/connections, GET/DELETE /v1/connections/{name}: named plugin instances; secrets write-only.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { createConnection, deleteConnection, getConnection, listConnections } from '../../connections/store.ts';
import type { AppDeps } from '../deps.ts';
import { problemResponses } from '../schemas.ts';

export const ConnectionNameParam = z.object({
  name: z.string().min(1).max(63).openapi({ param: { name: 'name', in: 'path' }, example: 'support-desk' }),
});

const CreateConnectionSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'use 1–63 lower-case letters, digits, . _ -, starting with a letter or digit'),
    plugin: z.string().min(1),
    kind: z.enum(['source', 'sink']).optional().openapi({ description: 'Needed only for a plugin that is both (zendesk)' }),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .openapi('CreateConnection', {
    example: { name: 'support-desk', plugin: 'zendesk', kind: 'source', config: { subdomain: 'acme', email: 'ops@acme.example', api_token: 'zd-token' } },
  });

const ConnectionSchema = z
  .object({
    name: z.string(),
    plugin: z.string(),
    kind: z.enum(['source', 'sink']),
    config: z.record(z.string(), z.unknown()).openapi({ description: 'The non-secret fields' }),
    secret_fields_set: z.array(z.string()).openapi({ description: 'Secret fields that hold a value (never shown)' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Connection');

const create = createRoute({
  method: 'post',
  path: '/v1/connections',
  tags: ['connections'],
  summary: 'Create a named connection (config validated against the plugin; secret fields encrypted at rest)',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: CreateConnectionSchema } } } },
  responses: {
    201: { description: 'Created', headers: { Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: ConnectionSchema } } },
    ...problemResponses(400, 401, 409, 415, 422),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/connections',
  tags: ['connections'],
  summary: 'List connections',
  security: [{ bearer: [] }],
  responses: { 200: { description: 'Connections', content: { 'application/json': { schema: z.object({ data: z.array(ConnectionSchema) }) } } }, ...problemResponses(401) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/connections/{name}',
  tags: ['connections'],
  summary: 'One connection (secret fields are never returned)',
  security: [{ bearer: [] }],
  request: { params: ConnectionNameParam },
  responses: { 200: { description: 'The connection', content: { 'application/json': { schema: ConnectionSchema } } }, ...problemResponses(401, 404) },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/connections/{name}',
  tags: ['connections'],
  summary: 'Delete a connection (jobs created from it keep their own copy of its config)',
  security: [{ bearer: [] }],
  request: { params: ConnectionNameParam },
  responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 404) },
});

export function registerConnections(app: OpenAPIHono, deps: AppDeps): void {
  const store = { db: deps.db, plugins: { sources: deps.sources, sinks: deps.sinks }, secretKey: deps.secretKey };
  app.openapi(create, async (c) => {
    const view = await createConnection(store, c.req.valid('json'));
    c.header('Location', `/v1/connections/${view.name}`);
    return c.json(view, 201);
  });
  app.openapi(list, async (c) => c.json({ data: await listConnections(store) }, 200));
  app.openapi(get, async (c) => c.json(await getConnection(store, c.req.valid('param').name), 200));
  app.openapi(remove, async (c) => {
    await deleteConnection(store, c.req.valid('param').name);
    return c.body(null, 204);
  });
}
