// Charts the server writes as SVG: no script, so they pass the page's Content-Security-Policy as they are.
// Each bar is a row of real text (label, count, share) beside an SVG bar scaled to the largest value, and a
// link to the documents behind it; the text carries the figures, so nothing is told by colour or length alone.
import { formatCount } from './format.ts';

export interface Bar {
  label: string;
  value: number;
  /** Shown after the value: a share ("31%") or a note. */
  detail?: string | undefined;
  /** The results explorer filtered to this bar's documents. */
  href?: string | undefined;
}

/** Horizontal bars, one per row; a bar with a link is one link (label, bar and figures). */
export function BarChart(props: { bars: readonly Bar[]; label: string; id?: string | undefined }) {
  const max = Math.max(1, ...props.bars.map((b) => b.value));
  return (
    <ul class="bars" aria-label={props.label} id={props.id}>
      {props.bars.map((bar) => {
        const width = (bar.value / max) * 100;
        const inner = (
          <>
            <span class="bar-label">{bar.label}</span>
            <svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
              <rect class="bar-fill" x="0" y="0" height="10" width={width.toFixed(2)} />
            </svg>
            <span class="bar-value">
              {formatCount(bar.value)}
              {bar.detail ? <span class="muted"> {bar.detail}</span> : null}
            </span>
          </>
        );
        return (
          <li data-bar={bar.label} data-value={String(bar.value)}>
            {bar.href ? (
              <a class="bar-row" href={bar.href} title={`${bar.label}: ${formatCount(bar.value)}${bar.detail ? ` ${bar.detail}` : ''} — show these documents`}>
                {inner}
              </a>
            ) : (
              <span class="bar-row">{inner}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

export interface LinePoint {
  label: string;
  value: number;
}

/** A line over time: the points joined in order, the highest value and the first and last periods written out. */
export function LineChart(props: { points: readonly LinePoint[]; label: string; unit: string }) {
  const { points } = props;
  if (points.length === 0) return <p class="muted">No dated documents.</p>;
  const max = Math.max(1, ...points.map((p) => p.value));
  const width = 100;
  const height = 30;
  const x = (i: number) => (points.length === 1 ? width / 2 : (i / (points.length - 1)) * width);
  const y = (v: number) => height - (v / max) * (height - 2) - 1;
  const path = points.map((p, i) => `${x(i).toFixed(2)},${y(p.value).toFixed(2)}`).join(' ');
  const first = points[0];
  const last = points[points.length - 1];
  const peak = points.reduce((a, b) => (b.value > a.value ? b : a));
  return (
    <figure class="line-chart">
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${props.label}: ${points.length} ${props.unit}s, highest ${formatCount(peak.value)} on ${peak.label}`}>
        <polyline class="line" points={path} fill="none" vector-effect="non-scaling-stroke" />
      </svg>
      <figcaption class="line-axis">
        <span>{first?.label}</span>
        <span>
          peak {formatCount(peak.value)} ({peak.label})
        </span>
        <span>{last?.label}</span>
      </figcaption>
    </figure>
  );
}
