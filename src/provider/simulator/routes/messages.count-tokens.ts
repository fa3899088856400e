// POST /v1/messages/count_tokens: the simulator's token estimate for a Messages request body (reference §9).
import { parseJsonBody, sendError, sendJson } from '../http-io.ts';
import { countTokensProblem } from '../params-check.ts';
import { estimateInputTokens } from '../tokens.ts';
import type { RouteContext } from './context.ts';

export function countTokens(ctx: RouteContext): void {
  const body = parseJsonBody(ctx.ex, ctx.bodyText);
  if (!body.ok) return;
  const problem = countTokensProblem(body.value);
  if (problem !== null) return sendError(ctx.ex, 400, 'invalid_request_error', problem);
  sendJson(ctx.ex, 200, { input_tokens: estimateInputTokens(body.value as Record<string, unknown>) });
}
