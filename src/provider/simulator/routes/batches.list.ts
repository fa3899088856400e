// GET /v1/messages/batches: newest first, paged by limit / after_id / before_id as the SDK's Page expects.
import { toMessageBatch } from '../batch-view.ts';
import { sendError, sendJson } from '../http-io.ts';
import { advanceBatch } from '../lifecycle.ts';
import { listBatches } from '../store.ts';
import type { RouteContext } from './context.ts';

export function listBatchesRoute(ctx: RouteContext): void {
  const rawLimit = ctx.query.get('limit');
  const limit = rawLimit === null ? 20 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    return sendError(ctx.ex, 400, 'invalid_request_error', 'limit: Input should be an integer between 1 and 1000');
  }
  const page = listBatches(ctx.sim.store, {
    limit,
    afterId: ctx.query.get('after_id'),
    beforeId: ctx.query.get('before_id'),
  });
  if (!page.ok) return sendError(ctx.ex, 400, 'invalid_request_error', page.message);
  const data = page.data.map((batch) => {
    advanceBatch(batch, ctx.sim);
    return toMessageBatch(batch, ctx.origin);
  });
  sendJson(ctx.ex, 200, {
    data,
    has_more: page.hasMore,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
  });
}
