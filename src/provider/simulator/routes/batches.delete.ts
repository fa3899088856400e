// DELETE /v1/messages/batches/{id}: only an ended batch may be deleted (reference §2).
import { sendError, sendJson } from '../http-io.ts';
import { statusOf } from '../lifecycle.ts';
import { removeBatch } from '../store.ts';
import { findBatch, type RouteContext } from './context.ts';

export function deleteBatch(ctx: RouteContext): void {
  const batch = findBatch(ctx);
  if (batch === null) return;
  const status = statusOf(batch);
  if (status !== 'ended') {
    return sendError(
      ctx.ex,
      400,
      'invalid_request_error',
      `Message batch '${batch.id}' is ${status}; cancel it and wait for it to end before deleting it`,
    );
  }
  removeBatch(ctx.sim.store, batch.id);
  sendJson(ctx.ex, 200, { id: batch.id, type: 'message_batch_deleted' });
}
