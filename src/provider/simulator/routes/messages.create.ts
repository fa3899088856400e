// POST /v1/messages: one non-batch Message from the same answer builder, for completeness.
import { buildMessage } from '../answer.ts';
import { paramsHash } from '../hash.ts';
import { parseJsonBody, sendError, sendJson } from '../http-io.ts';
import { messageParamsProblem } from '../params-check.ts';
import { usePromptCache } from '../prompt-cache.ts';
import type { RouteContext } from './context.ts';

export function createMessage(ctx: RouteContext): void {
  const body = parseJsonBody(ctx.ex, ctx.bodyText);
  if (!body.ok) return;
  const problem = messageParamsProblem(body.value);
  if (problem !== null) return sendError(ctx.ex, 400, 'invalid_request_error', problem);
  const params = body.value as Record<string, unknown>;
  const message = buildMessage({
    params,
    seed: paramsHash(params),
    idSeed: ctx.ex.requestId,
    // Outside a batch nothing runs beside the request: a cached prefix is always read (draw below any rate).
    cache: usePromptCache(ctx.sim.cache, params, ctx.sim.now(), -1),
    serviceTier: 'standard',
    errorRates: ctx.sim.modelErrorRates,
  });
  sendJson(ctx.ex, 200, message);
}
