// How the dashboard words and formats things: status labels, numbers, money, times, and the trace link.
import type { JobStatus } from '../../db/types.ts';

const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'completed_with_errors', 'canceled', 'failed']);

export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.has(status);
}

export function statusLabel(status: string): string {
  return status.replaceAll('_', ' ');
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Dollars with enough digits that a small job's cost is not shown as $0.00. */
export function formatUsd(usd: number): string {
  const digits = usd === 0 ? 2 : Math.abs(usd) < 0.01 ? 6 : Math.abs(usd) < 1 ? 4 : 2;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** `2024-05-01 12:03:04 UTC`: one unambiguous zone for everyone looking at the same job. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** `cache_read_input_tokens` → `Cache read input tokens`. */
export function humanize(key: string): string {
  const words = key.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The trace viewer link: BATCHLINE_TRACE_URL with `{trace_id}` filled in. Only http(s) links are made, so a
 * mistyped template can never become a `javascript:` URL.
 */
export function traceUrl(template: string | undefined, traceId: string | null): string | undefined {
  if (!template || !traceId) return undefined;
  try {
    const url = new URL(template.replaceAll('{trace_id}', encodeURIComponent(traceId)));
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

export function jobPath(id: string): string {
  return `/jobs/${encodeURIComponent(id)}`;
}
