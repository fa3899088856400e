// GET /v1/messages/batches/{id}/results: the JSONL results of an ended batch, streamed (or cut, if a fault says so).
import { invisibleOnResults, takeCutResults } from '../faults.ts';
import { sendError } from '../http-io.ts';
import { statusOf } from '../lifecycle.ts';
import { streamResults } from '../results-stream.ts';
import { findBatch, sendNotFound, type RouteContext } from './context.ts';

export async function batchResults(ctx: RouteContext): Promise<void> {
  const batch = findBatch(ctx);
  if (batch === null) return;
  const status = statusOf(batch);
  if (status !== 'ended') {
    return sendError(ctx.ex, 400, 'invalid_request_error', `Message batch '${batch.id}' is ${status}; results are available once it has ended`);
  }
  if (invisibleOnResults(ctx.sim.faults, batch)) {
    ctx.sim.counters.invisibleAnswers += 1;
    return sendNotFound(ctx);
  }
  ctx.sim.counters.resultsDownloads += 1;
  await streamResults(ctx.ex, batch, takeCutResults(ctx.sim.faults), ctx.sim.modelErrorRates);
}
