// /_simulator/* control endpoints, so tests can steer a simulator running in another process (no auth).
import { rescheduleEnds } from '../end-timers.ts';
import { copyFaults, parseFaults } from '../faults-schema.ts';
import { parseJsonBody, sendError, sendJson } from '../http-io.ts';
import { parseNotify } from '../notify-schema.ts';
import { activateNotify } from '../notify-state.ts';
import { snapshotStats } from '../stats.ts';
import { forgetBatch as forget } from '../store.ts';
import type { RouteContext } from './context.ts';

export function getStats(ctx: RouteContext): void {
  sendJson(ctx.ex, 200, snapshotStats(ctx.sim.counters, ctx.sim.store.batches.size));
}

export function getFaults(ctx: RouteContext): void {
  sendJson(ctx.ex, 200, ctx.sim.faults);
}

export function setFaults(ctx: RouteContext): void {
  const body = parseJsonBody(ctx.ex, ctx.bodyText);
  if (!body.ok) return;
  const parsed = parseFaults(body.value ?? {});
  if (!parsed.ok) return sendError(ctx.ex, 400, 'invalid_request_error', parsed.message);
  ctx.sim.faults = copyFaults(parsed.faults);
  sendJson(ctx.ex, 200, ctx.sim.faults);
}

export function setProcessingMs(ctx: RouteContext): void {
  const body = parseJsonBody(ctx.ex, ctx.bodyText);
  if (!body.ok) return;
  const ms = typeof body.value === 'object' && body.value !== null ? (body.value as { ms?: unknown }).ms : undefined;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    return sendError(ctx.ex, 400, 'invalid_request_error', 'ms: Input should be a number >= 0');
  }
  ctx.sim.processingMs = ms;
  rescheduleEnds(ctx.sim);
  sendJson(ctx.ex, 200, { ms });
}

/** `{url, secret, delayMs?, duplicate?}` turns the completion notifier on, `{}` turns it off. */
export function setNotify(ctx: RouteContext): void {
  const body = parseJsonBody(ctx.ex, ctx.bodyText);
  if (!body.ok) return;
  const parsed = parseNotify(body.value);
  if (!parsed.ok) return sendError(ctx.ex, 400, 'invalid_request_error', parsed.message);
  const active = activateNotify(parsed.notify ?? undefined);
  ctx.sim.notifier.active = active;
  rescheduleEnds(ctx.sim);
  // The secret is not echoed back.
  sendJson(ctx.ex, 200, active === null ? { enabled: false } : { enabled: true, url: active.url, delayMs: active.delayMs, duplicate: active.duplicate });
}

/** POST /_simulator/batches/{id}/forget: the batch disappears, as a batch deleted behind our back would. */
export function forgetBatch(ctx: RouteContext): void {
  if (!forget(ctx.sim, ctx.id)) return sendError(ctx.ex, 404, 'not_found_error', `Message batch not found: '${ctx.id}'`);
  sendJson(ctx.ex, 200, { id: ctx.id, forgotten: true });
}
