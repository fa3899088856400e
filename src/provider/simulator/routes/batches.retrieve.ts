// GET /v1/messages/batches/{id}: the batch as it stands now (ending it if its time has come), unless a
// fault makes it invisible for this look or hides its results_url.
import { toMessageBatch } from '../batch-view.ts';
import { endedWithoutResultsUrl, invisibleOnRetrieve } from '../faults.ts';
import { sendJson } from '../http-io.ts';
import { findBatch, sendNotFound, type RouteContext } from './context.ts';

export function retrieveBatch(ctx: RouteContext): void {
  const batch = findBatch(ctx);
  if (batch === null) return;
  if (invisibleOnRetrieve(ctx.sim.faults, batch)) {
    ctx.sim.counters.invisibleAnswers += 1;
    return sendNotFound(ctx);
  }
  const view = toMessageBatch(batch, ctx.origin);
  if (view.processing_status === 'ended' && endedWithoutResultsUrl(ctx.sim.faults, batch)) view.results_url = null;
  sendJson(ctx.ex, 200, view);
}
