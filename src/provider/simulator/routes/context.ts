// What every route handler receives, and the lookup-or-404 step the batch routes share.
import { sendError, type Exchange } from '../http-io.ts';
import { advanceBatch } from '../lifecycle.ts';
import type { SimState } from '../state.ts';
import { getBatch, type BatchRecord } from '../store.ts';

export interface RouteContext {
  sim: SimState;
  ex: Exchange;
  /** The {id} path segment, decoded; '' on routes without one. */
  id: string;
  query: URLSearchParams;
  bodyText: string;
  /** http://host:port the client reached us on; results_url is built on it. */
  origin: string;
}

export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;

/** The batch named in the path, advanced to the present; answers 404 itself and returns null when unknown. */
export function findBatch(ctx: RouteContext): BatchRecord | null {
  const batch = getBatch(ctx.sim.store, ctx.id);
  if (batch === null) {
    sendNotFound(ctx);
    return null;
  }
  advanceBatch(batch, ctx.sim);
  return batch;
}

/** The API's answer for a batch id it does not know (or, with a fault, does not show yet). */
export function sendNotFound(ctx: RouteContext): void {
  sendError(ctx.ex, 404, 'not_found_error', `Message batch not found: '${ctx.id}'`);
}
