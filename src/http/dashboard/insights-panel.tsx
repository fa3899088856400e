// The job page's "Answers" section: a chart per field of the task's answer — a bar per value, a histogram
// per number, the top phrases, months of dates, totals per currency, lengths of text — and a line over time
// when a metadata date applies. Every bar links to the results explorer filtered to its documents.
import type { FieldInsight, Insights } from '../../insights/types.ts';
import { BarChart, LineChart, type Bar } from './charts.tsx';
import { formatCount, jobPath } from './format.ts';

const KIND_LABELS: Record<FieldInsight['kind'], string> = {
  values: 'answers per value',
  number: 'histogram',
  phrases: 'most frequent phrases (documents mentioning each)',
  date: 'per month',
  code: 'most frequent values',
  text: 'free text',
  list: 'members per answer',
};

const PHRASES_SHOWN = 10;
/** Up to a month of days (or weeks) reads best as bars, each a link to its documents; more as a line. */
const BARS_OVER_TIME_MAX = 31;

/** One bar per day or week, linked to the documents dated in it. */
function overBars(insights: Insights): Bar[] {
  const over = insights.over;
  if (!over) return [];
  return over.points.map((p) => {
    const end = new Date(Date.parse(`${p.period}T00:00:00Z`) + (over.unit === 'week' ? 7 : 1) * 86_400_000).toISOString().slice(0, 10);
    return { label: over.unit === 'week' ? `week of ${p.period}` : p.period, value: p.count, href: explorerHref(insights.job_id, insights.filters, `metadata.${over.field}>=${p.period}`, `metadata.${over.field}<${end}`) };
  });
}

function pct(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)}%`;
}

function round(n: number | null): string {
  if (n === null) return '—';
  return Number.isInteger(n) ? formatCount(n) : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** The explorer's address with these filters on top of the ones the insights were drawn with. */
export function explorerHref(jobId: string, base: readonly string[], ...filters: string[]): string {
  const query = new URLSearchParams();
  for (const f of [...base, ...filters]) query.append('filter', f);
  return `${jobPath(jobId)}/results?${query.toString()}`;
}

function barsOf(insights: Insights, f: FieldInsight): Bar[] {
  const href = (...filters: string[]) => explorerHref(insights.job_id, insights.filters, ...filters);
  switch (f.kind) {
    case 'values':
    case 'code':
      return (f.values ?? []).map((v) => ({
        label: v.value === null ? '(no answer)' : String(v.value),
        value: v.count,
        detail: pct(v.share),
        href: v.count > 0 ? href(`${f.path}=${v.value === null ? 'null' : String(v.value)}`) : undefined,
      }));
    case 'number': {
      const bins = f.histogram ?? [];
      return bins.map((b, i) => {
        const last = i === bins.length - 1;
        const label = b.from === b.to ? round(b.from) : `${round(b.from)} – ${round(b.to)}`;
        const filters = b.from === b.to ? [`${f.path}=${b.from}`] : [`${f.path}>=${b.from}`, last ? `${f.path}<=${b.to}` : `${f.path}<${b.to}`];
        return { label, value: b.count, href: b.count > 0 ? href(...filters) : undefined };
      });
    }
    case 'phrases':
      return (f.phrases ?? []).slice(0, PHRASES_SHOWN).map((p) => ({ label: p.phrase, value: p.documents, detail: pct(p.share), href: href(`${f.path}=${p.phrase}`) }));
    case 'date':
      return (f.months ?? []).map((m) => ({ label: m.month, value: m.count, href: href(`${f.path}=${m.month}`) }));
    case 'text':
      return [
        { label: 'answered', value: f.answered - (f.empty ?? 0) },
        { label: 'empty', value: f.empty ?? 0, href: (f.empty ?? 0) > 0 ? href(`${f.path}=`) : undefined },
        { label: 'no answer', value: f.missing },
      ];
    default:
      return [
        { label: 'with members', value: f.answered - (f.empty ?? 0) },
        { label: 'empty', value: f.empty ?? 0 },
        { label: 'no answer', value: f.missing },
      ];
  }
}

function statsLine(f: FieldInsight): string | null {
  const s = f.stats;
  if (!s || s.count === 0) return null;
  const what = f.kind === 'number' ? '' : f.kind === 'text' ? 'Length (characters): ' : 'Members: ';
  return `${what}min ${round(s.min)} · median ${round(s.median)} · mean ${round(s.mean)} · max ${round(s.max)}`;
}

function FieldCard(props: { insights: Insights; field: FieldInsight }) {
  const { field: f, insights } = props;
  const bars = barsOf(insights, f);
  const stats = statsLine(f);
  const id = `field-${f.path.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  return (
    <section class="panel field-card" data-field={f.path} data-kind={f.kind} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        <span class="mono">{f.path}</span> <span class="muted kind">{KIND_LABELS[f.kind]}</span>
      </h3>
      <p class="muted field-summary">
        {formatCount(f.answered)} answered{f.missing > 0 ? ` · ${formatCount(f.missing)} without a value` : ''}
        {f.distinct !== undefined ? ` · ${formatCount(f.distinct)} different` : ''}
        {' · '}
        <span data-corrected={String(f.corrected.count)}>
          {f.corrected.count > 0 ? `${formatCount(f.corrected.count)} corrected (${pct(f.corrected.share)} of answers)` : 'no corrections'}
        </span>
      </p>
      {stats ? <p class="field-stats">{stats}</p> : null}
      {bars.length > 0 ? <BarChart bars={bars} label={`${f.path}: ${KIND_LABELS[f.kind]}`} /> : <p class="muted">Nothing to chart yet.</p>}
      {f.totals && f.totals.length > 0 ? (
        <>
          <h4>Total per currency</h4>
          <BarChart
            label={`${f.path}: total per currency`}
            bars={f.totals.map((t) => ({ label: t.currency, value: Math.round(t.total), detail: `in ${formatCount(t.count)}` }))}
          />
        </>
      ) : null}
    </section>
  );
}

export function InsightsSection(props: { insights: Insights | null; error?: string | undefined; computing?: boolean | undefined; answered: number }) {
  const { insights } = props;
  return (
    <section id="part-insights" data-live-part aria-labelledby="insights-title" class="insights">
      <h2 id="insights-title">Answers</h2>
      {props.error ? (
        <p class="alert">{props.error}</p>
      ) : props.computing ? (
        <p class="muted" id="insights-computing" role="status">
          Summarising {formatCount(props.answered)} answers: the charts appear here when they are ready (this page updates itself).
        </p>
      ) : !insights || insights.answered === 0 ? (
        <p class="muted">No answer yet: the charts appear as answers arrive.</p>
      ) : (
        <>
          <p class="muted">
            {formatCount(insights.answered)} answers of {formatCount(insights.documents)} documents{insights.complete ? '' : ' so far'}.{' '}
            <a href={explorerHref(insights.job_id, insights.filters)} id="explore-link">
              Explore the results
            </a>
            {insights.note ? <span> {insights.note}</span> : null}
          </p>
          {insights.over ? (
            <section class="panel" id="over-time" aria-labelledby="over-title">
              <h3 id="over-title">
                Answers per {insights.over.unit} of <span class="mono">{insights.over.field}</span>
                {insights.over.undated > 0 ? <span class="muted"> ({formatCount(insights.over.undated)} without a date)</span> : null}
              </h3>
              {insights.over.points.length <= BARS_OVER_TIME_MAX ? (
                <BarChart label={`Answers per ${insights.over.unit}`} bars={overBars(insights)} />
              ) : (
                <LineChart label={`Answers per ${insights.over.unit}`} unit={insights.over.unit} points={insights.over.points.map((p) => ({ label: p.period, value: p.count }))} />
              )}
            </section>
          ) : null}
          <div class="grid field-grid">
            {insights.fields.map((field) => (
              <FieldCard insights={insights} field={field} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
