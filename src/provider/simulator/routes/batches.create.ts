// POST /v1/messages/batches: validates the envelope, draws each request's faults, stores the batch.
import { toMessageBatch } from '../batch-view.ts';
import { scheduleEnd } from '../end-timers.ts';
import { checkEnvelope } from '../envelope.ts';
import { itemFaultFor } from '../faults.ts';
import { paramsHashOfCanonical } from '../hash.ts';
import { canonicalParams, internParams } from '../intern.ts';
import { parseJsonBody, sendError, sendJson } from '../http-io.ts';
import { messageParamsProblem } from '../params-check.ts';
import { recordSubmission } from '../stats.ts';
import { addBatch, type BatchRequest } from '../store.ts';
import type { RouteContext } from './context.ts';

export function createBatch(ctx: RouteContext): void {
  const { sim } = ctx;
  const body = parseJsonBody(ctx.ex, ctx.bodyText);
  if (!body.ok) return;
  const envelope = checkEnvelope(body.value, sim.maxRequests);
  if (!envelope.ok) return sendError(ctx.ex, 400, 'invalid_request_error', envelope.message);

  const items = sim.faults.items;
  const requests = envelope.requests.map(({ custom_id: customId, params }): BatchRequest => {
    internParams(sim.interned, params);
    // The same value as paramsHash(params), without walking the shared schema again for every request.
    const hash = paramsHashOfCanonical(canonicalParams(sim.interned, params));
    // Faults hit the first submission of given params only, so a retry under a new custom_id succeeds.
    const firstSubmission = !sim.counters.byParamsHash.has(hash);
    const fault = firstSubmission || items?.everyAttempt === true ? itemFaultFor(hash, items) : null;
    recordSubmission(sim.counters, customId, hash);
    return { customId, params, paramsHash: hash, problem: messageParamsProblem(params), fault };
  });
  sim.counters.creates += 1;
  const batch = addBatch(sim.store, requests, sim.now());
  scheduleEnd(sim, batch);
  sendJson(ctx.ex, 200, toMessageBatch(batch, ctx.origin));
}
