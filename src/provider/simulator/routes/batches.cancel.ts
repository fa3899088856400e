// POST /v1/messages/batches/{id}/cancel: in_progress → canceling; the batch ends shortly after.
import { toMessageBatch } from '../batch-view.ts';
import { scheduleEnd } from '../end-timers.ts';
import { sendError, sendJson } from '../http-io.ts';
import { statusOf } from '../lifecycle.ts';
import { findBatch, type RouteContext } from './context.ts';

export function cancelBatch(ctx: RouteContext): void {
  const batch = findBatch(ctx);
  if (batch === null) return;
  if (statusOf(batch) === 'ended') {
    return sendError(ctx.ex, 400, 'invalid_request_error', `Message batch '${batch.id}' has already ended and cannot be canceled`);
  }
  // A second cancel while canceling changes nothing, like the API's idempotent cancel.
  batch.cancelInitiatedAt ??= ctx.sim.now();
  scheduleEnd(ctx.sim, batch);
  sendJson(ctx.ex, 200, toMessageBatch(batch, ctx.origin));
}
