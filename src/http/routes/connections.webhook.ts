// POST /v1/connections/{name}/webhook: signed events from a source's system (e.g. Zendesk ticket
// webhooks) that queue documents into the open jobs of that connection. Authenticated by the
// signature the plugin verifies with the connection's secret, not by a bearer token. Each signed
// delivery is taken once (spent_signatures): a captured one replayed inside its window changes nothing.
import { createHash } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { acceptInbound } from '../../engine/intake/inbound.ts';
import type { AppDeps } from '../deps.ts';
import { WEBHOOK_BODY_BYTES } from '../middleware/body-limits.ts';
import { spentSignatures } from '../spent-signatures.ts';
import { apiProblems } from './shared.schemas.ts';
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
    'The same signed delivery sent again (same timestamp and body) is taken once: see `replayed`. ' +
    'An unknown connection is answered like a bad signature, so the answer does not tell which names exist. ' +
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
            replayed: z
              .boolean()
              .optional()
              .openapi({ description: 'Present (true) when this signed delivery was taken before: nothing was done, and the counts are 0' }),
          }),
          example: { documents: 1, jobs: 1, queued: 1 },
        },
      },
    },
    ...apiProblems(
      { status: 400, when: 'The verified body is not JSON', detail: 'the webhook body is not JSON', code: 'malformed_json' },
      {
        status: 401,
        when: 'The signature is missing, wrong, or its timestamp is more than 5 minutes away; or no source connection of this name takes webhooks',
        detail: 'invalid or stale webhook signature',
      },
      { status: 413, when: `The body is over ${WEBHOOK_BODY_BYTES / 1024} KB (refused as it arrives, before the signature is checked)`, detail: `the request body is over ${WEBHOOK_BODY_BYTES} bytes` },
      415,
    ),
  },
});

/** A signature verifies only within 5 minutes of its timestamp, so a delivery taken now is replayable for 10 at most (a minute more for clock skew between replicas). */
const REPLAYABLE_MS = 11 * 60 * 1000;

export function registerConnectionsWebhook(app: OpenAPIHono, deps: AppDeps): void {
  const spent = spentSignatures(deps.db);
  // Registered without body validation on purpose: the signature covers the raw bytes.
  app.post(route.path.replace('{name}', ':name'), async (c) => {
    const name = c.req.param('name') ?? '';
    const raw = Buffer.from(await c.req.arrayBuffer());
    const headers = Object.fromEntries([...c.req.raw.headers.entries()].map(([k, v]) => [k.toLowerCase(), v]));
    // Claimed once its signature verified (the claim also stops two copies sent at once from both being
    // taken), and given back when the work after it fails, so the sender's retry is taken.
    const delivery = deliveryOf(name, raw, headers);
    let claimed = false;
    const claimOnce = async () => (claimed = await spent.spend('webhook_delivery', delivery, new Date(Date.now() + REPLAYABLE_MS)));
    try {
      return c.json(await acceptInbound(deps, name, raw, headers, { claimOnce }), 202);
    } catch (error) {
      if (claimed) await spent.unspend('webhook_delivery', delivery);
      throw error;
    }
  });
  app.openAPIRegistry.registerPath(route);
}

/**
 * One signed delivery: the connection it was sent to, the body and the timestamp headers, which is what
 * a signature covers (Zendesk signs timestamp + body). Not the signature header itself: base64 decoders
 * take more than one spelling of the same bytes, so a replay could change it and still verify.
 */
function deliveryOf(connection: string, raw: Buffer, headers: Record<string, string>): string {
  const stamps = Object.keys(headers)
    .filter((k) => k.includes('timestamp'))
    .sort()
    .map((k) => `${k}=${headers[k]}`);
  return [connection, ...stamps, createHash('sha256').update(raw).digest('base64url')].join('\0');
}
