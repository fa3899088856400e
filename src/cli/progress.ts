// Pure rendering of a job for the terminal: the redrawn progress line (TTY), the plain line printed on
// each change (pipes, CI logs), the final summary line and the `status` report. No I/O here: the
// functions take a job and the elapsed time and return strings, so they are unit-tested as they are.
import { isFinal, type BatchSnapshot, type JobSnapshot } from './types.ts';

export interface LineOptions {
  elapsedMs: number;
  /** Terminal width; the line is fitted to it (segments dropped, bar narrowed). */
  columns: number;
  color: boolean;
  /** Spinner frame counter. */
  frame: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SEPARATOR = ' · ';
const MIN_BAR = 6;
const MAX_BAR = 30;
// Ended at the provider (results being collected or in), or closed without results (gone: its items went out again).
const BATCH_DONE = new Set(['ended', 'collected', 'failed', 'gone']);

const ansi = (code: string) => (text: string) => (text === '' ? '' : `\x1b[${code}m${text}\x1b[0m`);
const green = ansi('32');
const red = ansi('31');
const yellow = ansi('33');
const dim = ansi('2');

export function formatDuration(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe < 60_000) return `${(safe / 1000).toFixed(1)}s`;
  const totalSeconds = Math.floor(safe / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 24 * 60) return `${Math.floor(totalMinutes / 60)}h${String(totalMinutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(totalMinutes / 1440)}d${String(Math.floor((totalMinutes % 1440) / 60)).padStart(2, '0')}h`;
}

/** Cents for real money, and enough digits to see the small amounts of a few simulated items. */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '$?';
  const sign = usd < 0 ? '-' : '';
  const abs = Math.abs(usd);
  if (abs === 0) return '$0.00';
  if (abs >= 0.01) return `${sign}$${abs.toFixed(2)}`;
  const small = abs.toFixed(6).replace(/0+$/, '');
  return small === '0.' ? `${sign}<$0.000001` : `${sign}$${small}`;
}

export interface Progress {
  done: number;
  total: number;
  /** 0..1; 0 while nothing is known. */
  fraction: number;
}

export function progressOf(job: JobSnapshot): Progress {
  const c = job.counts;
  const done = c.succeeded + c.failed + c.canceled;
  const total = Math.max(c.total, done);
  return { done, total, fraction: total === 0 ? (isFinal(job.status) ? 1 : 0) : done / total };
}

export function progressBar(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(clamped * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function batchCounts(batches: readonly BatchSnapshot[]): { total: number; done: number } {
  return { total: batches.length, done: batches.filter((b) => BATCH_DONE.has(b.status)).length };
}

/** Items still on their way, by state; only the states that hold any. */
export function openStates(job: JobSnapshot): Array<[label: string, count: number]> {
  const c = job.counts;
  const states: Array<[string, number]> = [
    ['queued', c.queued],
    ['submitted', c.submitted],
    ['retrying', c.retry_wait ?? 0],
    ['canceled', c.canceled],
  ];
  return states.filter(([, n]) => n > 0);
}

export function costUsd(job: JobSnapshot, field = 'usd'): number | undefined {
  const value = job.cost?.[field];
  return typeof value === 'number' ? value : undefined;
}

function percent(fraction: number): string {
  return `${Math.floor(fraction * 100)}%`;
}

interface Segment {
  plain: string;
  colored: string;
  /** Lower is dropped first when the line does not fit. */
  priority: number;
  bar?: boolean;
}

/** The single line redrawn in place on a TTY. Never wider than `columns - 1` visible characters. */
export function ttyLine(job: JobSnapshot, options: LineOptions): string {
  const paint = (fn: (s: string) => string, s: string) => (options.color ? fn(s) : s);
  const p = progressOf(job);
  const final = isFinal(job.status);
  const lead = final ? (job.status === 'completed' ? '✔' : '✖') : (SPINNER[options.frame % SPINNER.length] ?? '-');
  const statusColor = job.status === 'completed' ? green : final ? red : (s: string) => s;
  const segments: Segment[] = [];
  const add = (plain: string, priority: number, colored = plain) => segments.push({ plain, colored, priority });

  add(`${lead} ${job.status}${job.cancel_requested && !final ? ' (canceling)' : ''}`, 100, paint(statusColor, `${lead} ${job.status}`) + (job.cancel_requested && !final ? paint(yellow, ' (canceling)') : ''));
  segments.push({ plain: '', colored: '', priority: 65, bar: true });
  add(`${percent(p.fraction)} ${p.done}/${p.total}`, 90);
  const ok = `✓ ${job.counts.succeeded}`;
  const failed = `✗ ${job.counts.failed}`;
  add(`${ok} ${failed}`, 85, `${paint(green, ok)} ${job.counts.failed > 0 ? paint(red, failed) : failed}`);
  const open = openStates(job).map(([label, n]) => `${n} ${label}`).join(', ');
  if (open) add(open, 55, paint(dim, open));
  if (job.source?.open || job.status === 'ingesting') add(`read ${job.source?.read ?? 0}`, 60);
  if (job.batches) {
    const b = batchCounts(job.batches);
    add(`batches ${b.done}/${b.total}`, 50);
  }
  if (job.deliveries && job.deliveries.pending > 0) add(`${job.deliveries.pending} to deliver`, 45);
  const usd = costUsd(job);
  if (usd !== undefined) add(formatUsd(usd), 70);
  add(formatDuration(options.elapsedMs), 95);

  const limit = Math.max(20, options.columns - 1);
  let kept = segments;
  let barWidth = 0;
  for (;;) {
    const text = kept.filter((s) => !s.bar);
    const fixed = text.reduce((w, s) => w + visibleWidth(s.plain), 0) + SEPARATOR.length * (text.length - 1);
    const hasBar = kept.some((s) => s.bar);
    // The bar replaces the separator after the status with a space on each side of it.
    const room = hasBar ? limit - fixed + SEPARATOR.length - 2 : limit - fixed;
    if (hasBar && room >= MIN_BAR) {
      barWidth = Math.min(MAX_BAR, room);
      break;
    }
    if (!hasBar && room >= 0) break;
    const droppable = kept.filter((s) => s.priority < 100);
    if (droppable.length === 0) break;
    const lowest = droppable.reduce((a, b) => (b.priority < a.priority ? b : a));
    kept = kept.filter((s) => s !== lowest);
  }

  let line = '';
  let plainLength = 0;
  kept.forEach((s, i) => {
    if (s.bar) {
      const bar = progressBar(p.fraction, barWidth);
      const filled = bar.replace(/░/g, '');
      line += ` ${paint(green, filled)}${paint(dim, bar.slice(filled.length))}`;
      plainLength += 1 + barWidth;
      return;
    }
    const joiner = i === 0 ? '' : kept[i - 1]?.bar ? ' ' : SEPARATOR;
    line += joiner + s.colored;
    plainLength += joiner.length + visibleWidth(s.plain);
  });
  // Only the lead segment can still be too long (a very narrow terminal): cut the plain text.
  if (plainLength > limit) return truncate(kept.map((s) => s.plain).join(' '), limit);
  return line;
}

/** One line per change when stdout is not a TTY: no ANSI, no redraw, the elapsed time in front. */
export function plainLine(job: JobSnapshot, elapsedMs: number): string {
  return `${formatDuration(elapsedMs).padStart(6)}  ${plainState(job)}`;
}

/** The part of plainLine that says what changed (the elapsed time alone is no change). */
export function plainState(job: JobSnapshot): string {
  const p = progressOf(job);
  const parts = [`${job.status}${job.cancel_requested && !isFinal(job.status) ? ' (canceling)' : ''}`];
  if (job.source?.open || job.status === 'ingesting') parts.push(`read ${job.source?.read ?? 0}`);
  parts.push(`${p.done}/${p.total} done (${percent(p.fraction)})`);
  parts.push(`${job.counts.succeeded} succeeded`, `${job.counts.failed} failed`);
  for (const [label, n] of openStates(job)) parts.push(`${n} ${label}`);
  if (job.batches) {
    const b = batchCounts(job.batches);
    parts.push(`batches ${b.done}/${b.total}`);
  }
  if (job.deliveries && job.deliveries.pending > 0) parts.push(`${job.deliveries.pending} to deliver`);
  const usd = costUsd(job);
  if (usd !== undefined) parts.push(formatUsd(usd));
  return parts.join(' · ');
}

/** How long the job took: its own clock when finished, else the time this command has watched it. */
export function jobDurationMs(job: JobSnapshot, watchedMs: number): number {
  const created = job.created_at ? Date.parse(job.created_at) : NaN;
  const finished = job.finished_at ? Date.parse(job.finished_at) : NaN;
  return Number.isFinite(created) && Number.isFinite(finished) && finished >= created ? finished - created : watchedMs;
}

/** `job job_… completed: 2000 items, 1998 succeeded, 2 failed, $0.41 (saved $0.41 vs standard) in 12.3s` */
export function summaryLine(job: JobSnapshot, elapsedMs: number): string {
  const c = job.counts;
  const parts = [`${c.total} items`, `${c.succeeded} succeeded`, `${c.failed} failed`];
  if (c.canceled > 0) parts.push(`${c.canceled} canceled`);
  const money = moneyText(job);
  if (money) parts.push(money);
  const why = job.error?.message ? ` — ${job.error.message}` : '';
  return `job ${job.id} ${job.status}: ${parts.join(', ')} in ${formatDuration(elapsedMs)}${why}`;
}

/**
 * `$0.41 (saved $0.41 vs standard)`, and when the server says more: the standard price, the savings split,
 * result-cache hits and the estimate: `$0.35 (saved $0.47 vs standard $0.82: batch discount $0.41, prompt cache $0.06, result cache $0.00; estimated $0.37)`.
 */
export function moneyText(job: JobSnapshot): string | undefined {
  const usd = costUsd(job);
  if (usd === undefined) return undefined;
  const saved = costUsd(job, 'saved_usd');
  if (saved === undefined) return formatUsd(usd);
  const standard = costUsd(job, 'standard_usd');
  const savings = job.cost?.savings as Record<string, unknown> | undefined;
  const split = savings
    ? Object.entries(savings)
        .filter((e): e is [string, number] => typeof e[1] === 'number')
        .map(([key, value]) => `${key.replace(/_usd$/, '').replace(/_/g, ' ')} ${formatUsd(value)}`)
    : [];
  const hits = job.result_cache && job.result_cache.hits > 0 ? [`${job.result_cache.hits} answers from the result cache`] : [];
  const estimated = job.estimate?.cost?.usd;
  const extra = [...(split.length > 0 ? [split.join(', ')] : []), ...hits, ...(estimated !== undefined ? [`estimated ${formatUsd(estimated)}`] : [])];
  const against = split.length > 0 && standard !== undefined ? `vs standard ${formatUsd(standard)}: ` : 'vs standard';
  return split.length > 0 ? `${formatUsd(usd)} (saved ${formatUsd(saved)} ${against}${extra.join('; ')})` : `${formatUsd(usd)} (saved ${formatUsd(saved)} vs standard)`;
}

/** Why a paused job waits, and what continues it. */
export function pauseLines(job: JobSnapshot): string[] {
  const lines = [`  ${job.pause_reason?.message ?? `the job is ${job.status}`}`];
  if (job.budget) lines.push(`  budget: spent ${formatUsd(job.budget.spent_usd)} of ${formatUsd(job.budget.max_usd)}; ${job.counts.queued} items not sent`);
  for (const f of job.pilot?.failures?.slice(0, 5) ?? []) lines.push(`  pilot answer ${f.external_id}: ${f.error?.message ?? 'failed'}`);
  lines.push(
    job.status === 'pilot_failed'
      ? `  send the rest anyway: batchline resume ${job.id} --accept-pilot; or fix the task and start again (batchline cancel ${job.id})`
      : `  continue with a higher budget: batchline resume ${job.id} --max-usd <USD>`,
  );
  return lines;
}

/** completed → 0; completed_with_errors, failed and canceled → 1 (a script must notice lost items). */
export function exitCodeFor(status: string): number {
  return status === 'completed' ? 0 : 1;
}

/** Every money field of `cost`, `usd` first: a newer server's extra fields show up without a CLI change. */
export function costFields(cost: Record<string, unknown> | undefined): Array<[label: string, text: string]> {
  if (!cost) return [];
  const entries = Object.entries(cost).filter((e): e is [string, number] => typeof e[1] === 'number');
  entries.sort(([a], [b]) => (a === 'usd' ? -1 : b === 'usd' ? 1 : 0));
  return entries.map(([key, value]) => {
    const label = key === 'usd' ? 'cost' : key.replace(/_usd$/, '').replace(/_/g, ' ');
    return [label, key.endsWith('usd') ? formatUsd(value) : String(value)];
  });
}

/** The multi-line report of `batchline status <job>`. */
export function statusReport(job: JobSnapshot): string[] {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(11)}${value}`);
  lines.push(`job ${job.id}${job.name ? `  "${job.name}"` : ''}`);
  row('status', `${job.status}${job.cancel_requested && !isFinal(job.status) ? ' (cancel requested)' : ''}`);
  if (job.task) row('task', [job.task.name, job.task.model, job.task.max_tokens !== undefined ? `max ${job.task.max_tokens} tokens` : undefined].filter(Boolean).join(' · '));
  if (job.source) {
    const origin = job.source.connection ? `connection ${job.source.connection} (${job.source.plugin})` : job.source.plugin;
    row('source', `${origin}: read ${job.source.read}, rejected ${job.source.rejected}${job.source.open ? ', still open' : ''}${job.source.last_error ? ` — last error: ${job.source.last_error}` : ''}`);
  }
  const p = progressOf(job);
  const c = job.counts;
  row('items', `${c.total} total · ${p.done} done (${percent(p.fraction)}) · ${c.succeeded} succeeded · ${c.failed} failed · ${c.canceled} canceled · ${c.queued} queued · ${c.submitted} submitted · ${c.retry_wait ?? 0} retrying`);
  if (job.batches) {
    const b = batchCounts(job.batches);
    const byStatus = new Map<string, number>();
    for (const batch of job.batches) byStatus.set(batch.status, (byStatus.get(batch.status) ?? 0) + 1);
    row('batches', b.total === 0 ? 'none yet' : `${b.total}: ${[...byStatus].map(([s, n]) => `${n} ${s}`).join(', ')}`);
    const SHOWN = 10;
    for (const batch of job.batches.slice(0, SHOWN)) row('', batchLine(batch));
    if (job.batches.length > SHOWN) row('', `… ${job.batches.length - SHOWN} more (see --json)`);
  }
  if (job.usage) {
    const u = job.usage;
    row('tokens', `${u.input_tokens ?? 0} input · ${u.output_tokens ?? 0} output · ${u.cache_creation_input_tokens ?? 0} cache write · ${u.cache_read_input_tokens ?? 0} cache read`);
  }
  const money = costFields(job.cost);
  if (money.length > 0) {
    const [first, ...rest] = money;
    row('cost', `${first?.[1] ?? ''}${rest.length > 0 ? ` (${rest.map(([label, text]) => `${label} ${text}`).join(', ')})` : ''}`);
  }
  if (job.estimate?.cost?.usd !== undefined) {
    const vs = job.estimate_vs_actual?.cost_usd;
    row('estimate', `${formatUsd(job.estimate.cost.usd)} expected, ${formatUsd(job.estimate.cost.worst_case_usd ?? NaN)} at worst${vs ? ` · actual ${formatUsd(vs.actual)} (${vs.error_pct ?? 0}% off)` : ''}`);
  }
  if (job.budget) row('budget', `${formatUsd(job.budget.max_usd)}: ${formatUsd(job.budget.spent_usd)} spent, ${formatUsd(job.budget.reserved_usd)} reserved, ${formatUsd(job.budget.remaining_usd)} left`);
  if (job.pilot) {
    const sample = job.pilot.sample;
    row('pilot', `${job.pilot.items} items, bar ${Math.round(job.pilot.min_success_rate * 100)}%: ${job.pilot.state}${sample && sample.rate !== null ? ` (${sample.valid}/${sample.judged} valid)` : ''}`);
  }
  if (job.prompt_cache) row('prompt', job.prompt_cache.note);
  if (job.result_cache?.enabled) row('cache', `${job.result_cache.hits} answers reused, ${formatUsd(job.result_cache.saved_usd)} saved`);
  if (job.pause_reason) row('paused', job.pause_reason.message);
  if (job.deliveries) row('deliveries', `${job.deliveries.delivered} delivered · ${job.deliveries.pending} pending · ${job.deliveries.dead} dead`);
  if (job.error) row('error', `${job.error.type}: ${job.error.message}`);
  if (job.trace_id) row('trace', job.trace_id);
  const times = [job.created_at && `created ${job.created_at}`, job.finished_at && `finished ${job.finished_at}`, !job.finished_at && job.updated_at && `updated ${job.updated_at}`].filter(Boolean);
  if (times.length > 0) row('time', times.join(' · '));
  return lines;
}

function batchLine(batch: BatchSnapshot): string {
  const counts = batch.request_counts
    ? Object.entries(batch.request_counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')
    : '';
  const parts = [
    batch.provider_id ?? '(not submitted)',
    batch.status + (batch.provider_status && batch.provider_status !== batch.status ? ` (provider: ${batch.provider_status})` : ''),
    batch.request_count !== undefined ? `${batch.request_count} requests${counts ? `: ${counts}` : ''}` : '',
    batch.is_retry ? 'retry' : '',
    batch.last_error ? `error: ${batch.last_error.message}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

/** Printable width: ANSI escapes take none; every other code point one column (the glyphs used here are narrow). */
export function visibleWidth(text: string): number {
  return [...text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')].length;
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}
