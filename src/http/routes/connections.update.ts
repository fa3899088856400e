// PATCH /v1/connections/{name}: change a connection in place (a rotated token, a new signing secret, a
// new query) with a JSON merge patch (RFC 7396) on its config. Its name, cursor and history stay.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { updateConnection } from '../../connections/update.ts';
import type { AppDeps } from '../deps.ts';
import { apiProblems } from './shared.schemas.ts';
import { actorOf, ConnectionNameParam, ConnectionSchema, connectionDeps, EXAMPLE_CONNECTION, unknownConnection } from './connections.ts';

const PatchConnectionSchema = z
  .object({
    config: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .openapi({
        description:
          'A JSON merge patch of the config: a field given replaces the one stored (objects merge key by key), `null` removes it, a field not given stays. ' +
          'Secret fields change only when given and are never returned; a patch that moves the connection (a destination field) keeps only the secrets it gives. ' +
          'The result is checked against the plugin like a create.',
      }),
    name: z.string().optional().openapi({ description: 'Read-only: accepted only when it is the current name (409 otherwise)' }),
    plugin: z.string().optional().openapi({ description: 'Read-only: accepted only when it is the current plugin (409 otherwise)' }),
    kind: z.enum(['source', 'sink']).nullable().optional().openapi({ description: 'Read-only: accepted only when it is the current kind (409 otherwise)' }),
  })
  .strict()
  .openapi('PatchConnection', {
    description: 'A JSON merge patch (RFC 7396) of a connection: only its config can change',
    example: { config: { api_token: 'zd-api-token-rotated-9Vx4' } },
  });

const examples = {
  rotate: { summary: 'Rotate the API token (the old one can be revoked in Zendesk right after)', value: { config: { api_token: 'zd-api-token-rotated-9Vx4' } } },
  grace: {
    summary: 'An http sink: sign with the new and the old secret for a grace period, then PATCH the new one alone',
    value: { config: { secret: 'whsec_NGFhZDIxYjc1ZTJiNDliNzk0YzU2OGQ1 whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
  },
  oauth: { summary: 'Switch from an API token to OAuth: null removes a field', value: { config: { email: null, api_token: null, oauth_token: 'zd-oauth-3Jm8Qx' } } },
  move: {
    summary: "Move to another Zendesk account with that account's token: a move drops every stored secret it does not give",
    value: { config: { subdomain: 'acme-eu', api_token: 'zd-api-token-acme-eu-7Tq2' } },
  },
};

const route = createRoute({
  method: 'patch',
  path: '/v1/connections/{name}',
  operationId: 'updateConnection',
  tags: ['connections'],
  summary: 'Change a connection in place: JSON merge patch on its config (rotate a token or a signing secret)',
  description:
    "Applies a JSON merge patch (RFC 7396) to the connection's config and checks the result against the plugin like a create (422 naming the field; nothing changes). " +
    'Secret fields are replaced only when given, never echoed, and every secret is sealed again under the current BATCHLINE_SECRET_KEY (an empty patch just re-seals). ' +
    "The name, the saved cursor (where the next job's read resumes) and the jobs made from it stay. Running jobs keep their own copy of the config, " +
    'but take the credentials (tokens, signing secrets) from the connection from their next request on. ' +
    "A patch that moves the connection (changes a plugin's destination field: zendesk `subdomain`/`base_url`, http `url`) drops every stored secret " +
    '(http `headers` included) that the same patch does not give, so a token never reaches a host it was not issued for; running jobs finish where they ' +
    'started with their own copy, and jobs on a connection left without the credentials it needs are refused (409, "needs its credentials again") ' +
    'until a PATCH gives them. `plugin` and `kind` cannot change (409). ' +
    'Every change is logged with the fields it touched, never their values.',
  security: [{ bearer: [] }],
  request: {
    params: ConnectionNameParam,
    body: {
      required: true,
      description: 'The merge patch; `application/merge-patch+json` or `application/json`',
      content: {
        'application/json': { schema: PatchConnectionSchema, examples },
        'application/merge-patch+json': { schema: PatchConnectionSchema, examples },
      },
    },
  },
  responses: {
    200: { description: 'The connection as it is now', content: { 'application/json': { schema: ConnectionSchema, example: { ...EXAMPLE_CONNECTION, updated_at: '2026-12-01T08:00:00.000Z' } } } },
    ...apiProblems(
      400,
      401,
      unknownConnection,
      {
        status: 409,
        when: 'The patch changes `plugin`, `kind` or `name`, which cannot change',
        detail: 'plugin: cannot change from "zendesk" to "http": jobs and the saved cursor belong to a zendesk connection; create another connection instead',
        errors: [{ field: 'plugin', message: 'cannot change from "zendesk" to "http": jobs and the saved cursor belong to a zendesk connection; create another connection instead' }],
      },
      413,
      415,
      {
        status: 422,
        when: "A field is unknown to the plugin, or the config after the patch fails the plugin's schema (a secret of the wrong shape…); nothing was changed",
        detail: `config.api_tokn: is not a field of plugin "zendesk" (source); its fields: subdomain, base_url, email, api_token, oauth_token, start_time, query, include_comments, stream, webhook_secret, per_page, request_timeout_ms, max_retry_wait_ms`,
        errors: [{ field: 'config.api_tokn', message: 'is not a field of plugin "zendesk" (source)' }],
      },
    ),
  },
});

export function registerConnectionsUpdate(app: OpenAPIHono, deps: AppDeps): void {
  const store = connectionDeps(deps);
  app.openapi(route, async (c) => c.json(await updateConnection(store, c.req.valid('param').name, c.req.valid('json'), actorOf(c)), 200));
}
