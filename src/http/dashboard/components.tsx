// Small pieces shared by the pages: status badge, progress bar, time, money and plain value lists.
import type { JobCounts } from '../../engine/views/job-view.ts';
import { formatCount, formatTime, formatUsd, humanize, statusLabel } from './format.ts';

export function StatusBadge(props: { status: string }) {
  return <span class={`badge badge-${props.status}`}>{statusLabel(props.status)}</span>;
}

export function Time(props: { iso: string | null }) {
  return props.iso ? <time datetime={props.iso}>{formatTime(props.iso)}</time> : <span class="muted">—</span>;
}

/** Items done (succeeded, failed, canceled) and in flight out of the total, as a stacked bar with its numbers in words. */
export function ProgressBar(props: { counts: JobCounts; label: string; legend?: boolean }) {
  const c = props.counts;
  const done = c.succeeded + c.failed + c.canceled;
  const inFlight = c.submitted + c.retry_wait;
  const share = (n: number) => `width:${c.total > 0 ? ((n / c.total) * 100).toFixed(2) : '0'}%`;
  const words =
    c.total === 0
      ? 'no items yet'
      : `${formatCount(done)} of ${formatCount(c.total)} done: ${formatCount(c.succeeded)} succeeded, ${formatCount(c.failed)} failed, ` +
        `${formatCount(c.canceled)} canceled, ${formatCount(inFlight)} in flight, ${formatCount(c.queued)} queued`;
  return (
    <div>
      <div
        class="progress"
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={Math.max(c.total, 1)}
        aria-valuenow={done}
        aria-valuetext={words}
      >
        <span class="seg-succeeded" style={share(c.succeeded)}></span>
        <span class="seg-failed" style={share(c.failed)}></span>
        <span class="seg-canceled" style={share(c.canceled)}></span>
        <span class="seg-in-flight" style={share(inFlight)}></span>
      </div>
      {props.legend ? (
        <div class="progress-text" aria-hidden="true">
          {c.total === 0 ? 'no items yet ' : `${formatCount(done)} of ${formatCount(c.total)} done: `}
          <Legend kind="succeeded" n={c.succeeded} /> <Legend kind="failed" n={c.failed} /> <Legend kind="canceled" n={c.canceled} />{' '}
          <Legend kind="in-flight" n={inFlight} label="in flight" /> <Legend kind="queued" n={c.queued} />
        </div>
      ) : (
        <div class="progress-text" aria-hidden="true">
          {c.total === 0 ? 'no items yet' : `${formatCount(done)} / ${formatCount(c.total)} done`}
          {c.failed > 0 ? ` · ${formatCount(c.failed)} failed` : ''}
          {inFlight > 0 ? ` · ${formatCount(inFlight)} in flight` : ''}
        </div>
      )}
    </div>
  );
}

function Legend(props: { kind: string; n: number; label?: string }) {
  return (
    <span class="legend-item">
      <span class={`legend seg-${props.kind}`}></span>
      {formatCount(props.n)} {props.label ?? props.kind}
    </span>
  );
}

/**
 * Every field of an object of numbers as label/value pairs: money (`*usd`) as dollars, the rest as counts,
 * nested objects one level down. New fields show up without a change here.
 */
export function ValueList(props: { values: object; labels?: Record<string, string>; id?: string }) {
  return (
    <dl class="pairs" id={props.id}>
      {Object.entries(props.values).map(([key, value]) => (
        <>
          <dt>{props.labels?.[key] ?? humanize(key)}</dt>
          <dd data-field={key}>{formatValue(key, value)}</dd>
        </>
      ))}
    </dl>
  );
}

function formatValue(key: string, value: unknown): string {
  if (typeof value === 'number') return /usd$/i.test(key) ? formatUsd(value) : formatCount(value);
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${humanize(k)}: ${typeof v === 'number' ? (/usd$/i.test(k) || /usd$/i.test(key) ? formatUsd(v) : formatCount(v)) : String(v)}`)
      .join(', ');
  }
  return String(value);
}
