// /_simulator/* control endpoints, so tests can steer a simulator running in another process (no auth).
import { copyFaults, parseFaults } from '../faults-schema.ts';
import { parseJsonBody, sendError, sendJson } from '../http-io.ts';
import { snapshotStats } from '../stats.ts';
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
  sendJson(ctx.ex, 200, { ms });
}
