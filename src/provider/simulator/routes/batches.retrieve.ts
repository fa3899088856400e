// GET /v1/messages/batches/{id}: the batch as it stands now (ending it if its time has come).
import { toMessageBatch } from '../batch-view.ts';
import { sendJson } from '../http-io.ts';
import { findBatch, type RouteContext } from './context.ts';

export function retrieveBatch(ctx: RouteContext): void {
  const batch = findBatch(ctx);
  if (batch !== null) sendJson(ctx.ex, 200, toMessageBatch(batch, ctx.origin));
}
