// POST /v1/connections/{name}/webhook: signed events from a source's system (e.g. Zendesk ticket
// webhooks) that queue documents into the open jobs of that connection. Authenticated by the
// signature the plugin verifies with the connection's secret, not by a bearer token.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { acceptInbound } from '../../engine/inbound.ts';
import type { AppDeps } from '../deps.ts';
import { apiProblems, EXAMPLE } from '../schemas.ts';
import { ConnectionNameParam } from './connections.ts';

const InboundEventSchema = z.record(z.string(), z.unknown()).openapi('InboundEvent', {
  description:
    "The event as the source's system sends it, verified on its raw bytes. Zendesk: an event subscription " +
    '(`zen:event-type:ticket.*`, the ticket in `detail`) or a trigger payload (`{ "ticket": { … } }`).',
  example: {
    type: 'zen:event-type:ticket.created',
    time: '2026-11-24T10:00:00Z',
    detail: { id: '35436', subject: 'Refund please', description: 'I was charged twice for order 1182.', status: 'NEW', updated_at: '2026-11-24T10:00:00Z' },
  },
});

const route = createRoute({
  method: 'post',
  path: '/v1/connections/{name}/webhook',
  operationId: 'receiveConnectionWebhook',
  tags: ['connections'],
  summary: "Signed event from a source's system (Zendesk: X-Zendesk-Webhook-Signature with the connection's webhook_secret)",
  description:
    "The raw body is verified by the source plugin with the connection's secret; its documents are queued into every open " +
    'job reading this connection (a job created with e.g. `{"source": {"connection": "support-desk", "config": {"stream": true}}}`). ' +
    "A redelivered event adds nothing, and neither does an event about a change Batchline made itself (its write-back): see `ignored`. " +
    'Needs no bearer token: the signature authenticates the sender.',
  request: {
    params: ConnectionNameParam,
    headers: z.object({
      'x-zendesk-webhook-signature': z.string().optional().openapi({
        param: {
          description: "Zendesk connections: base64(HMAC-SHA256(webhook_secret, timestamp + raw body)), as Zendesk's webhook signing sends it",
          example: 'Tn4+0Gy3uxWkHkWj5EwA5VAmPBFeHl0K4J+5LgZ2TDY=',
        },
      }),
      'x-zendesk-webhook-signature-timestamp': z.string().optional().openapi({
        param: { description: 'Zendesk connections: when it was signed (ISO 8601); refused when more than 5 minutes away from now', example: '2026-11-24T10:00:01Z' },
      }),
    }),
    body: { required: true, description: 'The event, exactly as the source system sent it', content: { 'application/json': { schema: InboundEventSchema } } },
  },
  responses: {
    202: {
      description: 'Verified; its documents were queued into the open jobs of this connection',
      content: {
        'application/json': {
          schema: z.object({
            documents: z.number().int().openapi({ description: 'Documents in the event (0 for events that carry none, e.g. a deleted ticket)' }),
            jobs: z.number().int().openapi({ description: 'Open jobs reading this connection (0: nothing listens; the event is dropped)' }),
            queued: z.number().int().openapi({ description: 'New items across those jobs (a redelivered event adds none)' }),
            ignored: z
              .number()
              .int()
              .optional()
              .openapi({ description: "Present when documents of the event were Batchline's own changes coming back (its write-back to the ticket): dropped, not counted in documents" }),
          }),
          example: { documents: 1, jobs: 1, queued: 1 },
        },
      },
    },
    ...apiProblems(
      { status: 400, when: 'The verified body is not JSON', detail: 'the webhook body is not JSON', code: 'malformed_json' },
      { status: 401, when: 'The signature is missing, wrong, or its timestamp is more than 5 minutes away', detail: 'invalid or stale webhook signature' },
      { status: 404, when: 'No source connection of this name takes webhooks', detail: `connection "${EXAMPLE.connection}" does not exist or takes no webhooks` },
      413,
      415,
    ),
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
