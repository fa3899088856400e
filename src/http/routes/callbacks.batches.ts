// POST /v1/callbacks/batches: a signed completion event from an external notifier (CONTRACT.md).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { recordBatchCallback } from '../../engine/batches/callback.ts';
import { countCallback } from '../../telemetry/counters.ts';
import type { AppDeps } from '../deps.ts';
import { CALLBACK_BODY_BYTES } from '../middleware/body-limits.ts';
import { webhookSignature } from '../middleware/webhook-signature.ts';
import { apiProblems, EXAMPLE } from './shared.schemas.ts';

const CallbackSchema = z
  .union([
    z.object({
      type: z.string().max(200).optional().openapi({ description: 'e.g. message_batch.ended (informative only)' }),
      batch_id: z.string().min(1).max(200).openapi({ description: 'The provider batch id (`msgbatch_…`)' }),
    }),
    z.object({
      type: z.string().max(200).optional(),
      data: z.object({ id: z.string().min(1).max(200).openapi({ description: 'The provider batch id (`msgbatch_…`)' }) }),
    }),
  ])
  .openapi('BatchCallback', {
    description: 'Names a provider batch that has ended, as `batch_id` or as `data.id`',
    example: { type: 'message_batch.ended', batch_id: EXAMPLE.providerBatchId },
  });

export function registerCallbacks(app: OpenAPIHono, deps: AppDeps): void {
  const route = createRoute({
    method: 'post',
    path: '/v1/callbacks/batches',
    operationId: 'receiveBatchCallback',
    tags: ['callbacks'],
    summary: 'Completion callback for a provider batch (Standard Webhooks signature with WEBHOOK_SECRET)',
    description:
      'Verified with webhook-id, webhook-timestamp (±5 min) and webhook-signature (v1 HMAC-SHA256). The body only names a batch; ' +
      'Batchline then asks the provider for its state. Replays of a webhook-id and unknown batch ids are accepted and change nothing. ' +
      'Needs no bearer token: the signature authenticates the sender.',
    middleware: [webhookSignature(deps.config.WEBHOOK_SECRET, deps.counters, deps.log)] as const,
    request: {
      headers: z.object({
        'webhook-id': z.string().openapi({ param: { description: 'Unique id of the event; a repeated id is accepted once', example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' } }),
        'webhook-timestamp': z.string().openapi({ param: { description: 'Unix seconds when it was signed; refused when more than 5 minutes away', example: '1795860000' } }),
        'webhook-signature': z.string().openapi({
          param: { description: 'v1,base64(HMAC-SHA256(secret, `${webhook-id}.${webhook-timestamp}.${body}`)); several space-separated signatures are allowed', example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' },
        }),
      }),
      body: { required: true, description: 'The completion event', content: { 'application/json': { schema: CallbackSchema } } },
    },
    responses: {
      202: {
        description: 'Accepted (also for replays and unknown batches)',
        content: {
          'application/json': {
            schema: z.object({
              status: z.enum(['accepted', 'unknown_batch', 'replayed']).openapi({
                description: 'accepted: the batch is checked with the provider now; unknown_batch: no batch waiting for results has this id; replayed: this webhook-id was seen before. Only accepted changes anything.',
              }),
            }),
            example: { status: 'accepted' },
          },
        },
      },
      ...apiProblems(
        400,
        {
          status: 401,
          when: 'WEBHOOK_SECRET is not set, or the signature is missing, wrong, or older than 5 minutes',
          detail: 'invalid webhook signature',
        },
        { status: 413, when: `The body is over ${CALLBACK_BODY_BYTES / 1024} KB (refused as it arrives, before the signature is checked)`, detail: `the request body is over ${CALLBACK_BODY_BYTES} bytes` },
        415,
        { status: 422, when: 'The body names no batch', detail: 'batch_id: Invalid input: expected string, received undefined', errors: [{ field: 'batch_id', message: 'Invalid input: expected string, received undefined' }] },
      ),
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
