// GET and POST /_simulator/error-rates: the per-model error rates of built-in task answers, read or replaced
// from outside the process (no auth, like the other control endpoints).
import { parseJsonBody, sendError, sendJson } from '../http-io.ts';
import { parseModelErrorRates } from '../model-errors.ts';
import type { RouteContext } from './context.ts';

export function getErrorRates(ctx: RouteContext): void {
  sendJson(ctx.ex, 200, ctx.sim.modelErrorRates);
}

/** `{"claude-haiku-5-5": 0.2, "*": 0}` replaces the rates; `{}` makes every model right again. */
export function setErrorRates(ctx: RouteContext): void {
  const body = parseJsonBody(ctx.ex, ctx.bodyText);
  if (!body.ok) return;
  const parsed = parseModelErrorRates(body.value ?? {});
  if (!parsed.ok) return sendError(ctx.ex, 400, 'invalid_request_error', parsed.message);
  ctx.sim.modelErrorRates = parsed.rates;
  sendJson(ctx.ex, 200, ctx.sim.modelErrorRates);
}
