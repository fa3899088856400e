// POST /v1/connections/{name}/webhook: signed events from a source's system (e.g. Zendesk ticket
// webhooks) that queue documents into the open jobs of that connection. Authenticated by the
// signature the plugin verifies with the connection's secret, not by a bearer token.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { acceptInbound } from '../../engine/inbound.ts';
import type { AppDeps } from '../deps.ts';
import { problemResponses } from '../schemas.ts';
import { ConnectionNameParam } from './connections.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/connections/{name}/webhook',
  tags: ['connections'],
  summary: "Signed event from a source's system (Zendesk: X-Zendesk-Webhook-Signature with the connection's webhook_secret)",
  description:
    'The raw body is verified by the source plugin with the connection\'s secret; its documents are queued into every open ' +
    'job reading this connection (a job created with e.g. `{"source": {"connection": "support-desk", "config": {"stream": true}}}`). ' +
    'A redelivered event adds nothing.',
  request: {
    params: ConnectionNameParam,
    body: {
      required: true,
      content: { 'application/json': { schema: z.record(z.string(), z.unknown()).openapi('InboundEvent', { example: { type: 'zen:event-type:ticket.created', detail: { id: '35436', subject: 'Refund please', description: 'I was charged twice.' } } }) } },
    },
  },
  responses: {
    202: {
      description: 'Accepted',
      content: { 'application/json': { schema: z.object({ documents: z.number().int(), jobs: z.number().int(), queued: z.number().int() }) } },
    },
    ...problemResponses(400, 401, 404, 413, 415),
  },
});

export function registerConnectionsWebhook(app: OpenAPIHono, deps: AppDeps): void {
  // Registered without body validation on purpose: the signature covers the raw bytes.
  app.post(route.path.replace('{name}', ':name'), async (c) => {
    const name = c.req.param('name') ?? '';
    const raw = Buffer.from(await c.req.arrayBuffer());
    const headers = Object.fromEntries([...c.req.raw.headers.entries()].map(([k, v]) => [k.toLowerCase(), v]));
    const outcome = await acceptInbound(deps, name, raw, headers);
    return c.json(outcome, 202);
  });
  app.openAPIRegistry.registerPath(route);
}
