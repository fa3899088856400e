// POST /v1/callbacks/batches: a signed completion event from an external notifier (CONTRACT.md).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { recordBatchCallback } from '../../engine/callback.ts';
import { countCallback } from '../../telemetry/counters.ts';
import type { AppDeps } from '../deps.ts';
import { webhookSignature } from '../middleware/webhook-signature.ts';
import { problemResponses } from '../schemas.ts';

const CallbackSchema = z
  .union([
    z.object({ type: z.string().max(200).optional(), batch_id: z.string().min(1).max(200) }),
    z.object({ type: z.string().max(200).optional(), data: z.object({ id: z.string().min(1).max(200) }) }),
  ])
  .openapi('BatchCallback', { example: { type: 'message_batch.ended', batch_id: 'msgbatch_013Zva2CMHLNnXjNJJKqJ2EF' } });

export function registerCallbacks(app: OpenAPIHono, deps: AppDeps): void {
  const route = createRoute({
    method: 'post',
    path: '/v1/callbacks/batches',
    tags: ['callbacks'],
    summary: 'Completion callback for a provider batch (Standard Webhooks signature with WEBHOOK_SECRET)',
    description:
      'Verified with webhook-id, webhook-timestamp (±5 min) and webhook-signature (v1 HMAC-SHA256). The body only names a batch; ' +
      'Batchline then asks the provider for its state. Replays of a webhook-id and unknown batch ids are accepted and change nothing.',
    middleware: [webhookSignature(deps.config.WEBHOOK_SECRET, deps.counters, deps.log)] as const,
    request: {
      headers: z.object({ 'webhook-id': z.string(), 'webhook-timestamp': z.string(), 'webhook-signature': z.string() }),
      body: { required: true, content: { 'application/json': { schema: CallbackSchema } } },
    },
    responses: {
      202: { description: 'Accepted (also for replays and unknown batches)', content: { 'application/json': { schema: z.object({ status: z.enum(['accepted', 'unknown_batch', 'replayed']) }) } } },
      ...problemResponses(400, 401, 413, 422),
    },
  });
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const batchId = 'batch_id' in body ? body.batch_id : body.data.id;
    const status = await recordBatchCallback(deps.db, c.req.valid('header')['webhook-id'], batchId);
    countCallback(deps.counters, status);
    if (status === 'accepted') deps.wake();
    return c.json({ status }, 202);
  });
}
