// One experiment at `/experiments/:id`: its sample, its arms (each an ordinary job, linked), and once they
// have ended the comparison: per-arm figures (schema-valid rate, tokens, cost per 1,000, accuracy with its
// interval), the agreement table, the confusion matrix of each enum field, the disagreements with the
// document text, and a form per arm to promote it. Everything inside #live refreshes itself.
import type { ExperimentDocument } from '../../experiments/documents.ts';
import type { ExperimentView } from '../../experiments/view.ts';
import type { Rate } from '../../experiments/stats.ts';
import { ProgressBar, StatusBadge, Time } from './components.tsx';
import { formatCount, formatUsd, jobPath, statusLabel } from './format.ts';
import { Layout, type PageContext } from './layout.tsx';

export interface ExperimentPageProps {
  ctx: PageContext;
  view: ExperimentView;
  /** The first disagreements, with their text. */
  disagreements: ExperimentDocument[];
  notice?: string | undefined;
  actionError?: string | undefined;
}

const ENDED = new Set(['completed', 'completed_with_errors', 'canceled', 'failed']);

export function experimentPath(id: string): string {
  return `/experiments/${encodeURIComponent(id)}`;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

function RateCell(props: { rate: Rate | undefined; id?: string }) {
  const r = props.rate;
  if (!r || r.rate === null) return <td class="num">—</td>;
  return (
    <td class="num" id={props.id} data-rate={String(r.rate)} data-low={String(r.interval?.low ?? '')} data-high={String(r.interval?.high ?? '')}>
      {pct(r.rate)}
      <div class="muted nowrap">
        {pct(r.interval?.low)}–{pct(r.interval?.high)} · {formatCount(r.k)}/{formatCount(r.n)}
      </div>
    </td>
  );
}

function valueLabel(value: unknown): string {
  return value === null ? '(none)' : String(value);
}

export function ExperimentPageView(props: ExperimentPageProps) {
  const { view } = props;
  const title = view.name ?? view.id;
  return (
    <Layout ctx={props.ctx} title={title} live={view.comparison === null}>
      <nav aria-label="Breadcrumb" class="muted">
        <a href="/experiments">Experiments</a> / <span aria-current="page">{title}</span>
      </nav>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.actionError ? (
        <p class="alert" role="alert">
          {props.actionError}
        </p>
      ) : null}
      <ExperimentLive {...props} />
    </Layout>
  );
}

export function ExperimentLive(props: ExperimentPageProps) {
  const { view } = props;
  const c = view.comparison;
  const title = view.name ?? view.id;
  return (
    <div id="live" data-final={String(c !== null)} data-status={view.status} data-announce={`Experiment is ${statusLabel(view.status)}.`} data-title={`${title} · Batchline`}>
      <section id="part-summary" data-live-part aria-labelledby="experiment-title">
        <h1 id="experiment-title">
          <span>{title}</span> <StatusBadge status={view.status} />
        </h1>
        <div class="meta">
          <span>
            Id <b class="mono">{view.id}</b>
          </span>
          <span>
            Task <b>{view.task.name}</b>
          </span>
          <span id="sample-facts">
            Sample <b data-field="sample_size">{formatCount(view.sample.size)}</b> of <b data-field="population">{formatCount(view.population.documents)}</b> documents, seed <b class="mono">{view.sample.seed}</b>
            {view.sample.stratify_by ? (
              <>
                , stratified by <b>{view.sample.stratify_by}</b>
              </>
            ) : null}
          </span>
          {view.labels ? (
            <span>
              Gold labels for <b>{formatCount(view.labels.documents)}</b> documents ({view.labels.fields.join(', ')})
            </span>
          ) : null}
          {view.budget ? (
            <span>
              Spent <b>{formatUsd(view.budget.spent_usd)}</b> of <b>{formatUsd(view.budget.max_usd)}</b>
            </span>
          ) : null}
          <span>
            Created <Time iso={view.created_at} />
          </span>
        </div>
      </section>

      <section id="part-arms" data-live-part class="panel table-scroll" aria-labelledby="arms-title">
        <h2 id="arms-title">Arms</h2>
        <table id="arms">
          <caption class="visually-hidden">The arms, each an ordinary job on the same sample</caption>
          <thead>
            <tr>
              <th scope="col">Arm</th>
              <th scope="col">Model</th>
              <th scope="col">Changes</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col" class="num">
                Cost
              </th>
            </tr>
          </thead>
          <tbody>
            {view.arms.map((arm) => (
              <tr id={`arm-${arm.name}`}>
                <th scope="row">
                  {arm.job_id ? <a href={jobPath(arm.job_id)}>{arm.name}</a> : arm.name}
                  {arm.promoted_job_id ? (
                    <div>
                      <a href={jobPath(arm.promoted_job_id)} class="muted" id={`promoted-${arm.name}`}>
                        promoted: full job
                      </a>
                    </div>
                  ) : null}
                </th>
                <td class="mono">{arm.model}</td>
                <td>{changesOf(arm.changes)}</td>
                <td>
                  <StatusBadge status={arm.status} />
                </td>
                <td>
                  <ProgressBar
                    counts={{ total: arm.counts.total, queued: arm.counts.open, submitted: 0, succeeded: arm.counts.succeeded, failed: arm.counts.failed, canceled: arm.counts.canceled, retry_wait: 0 }}
                    label={`Progress of arm ${arm.name}`}
                  />
                </td>
                <td class="num" data-field="cost_usd">
                  {formatUsd(arm.cost_usd)}
                  {arm.max_usd !== null ? <div class="muted">of {formatUsd(arm.max_usd)}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {c === null ? (
        <p class="panel muted" id="comparison-pending">
          The comparison appears once every arm has ended.
        </p>
      ) : (
        <section id="part-comparison" data-live-part aria-label="Comparison">
          <div class="panel table-scroll">
            <h2 id="figures-title">Per arm</h2>
            <table id="arm-figures" aria-labelledby="figures-title">
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  {c.arms.map((a) => (
                    <th scope="col" class="num">
                      {a.arm}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">Schema-valid answers</th>
                  {c.arms.map((a) => (
                    <RateCell rate={a.schema_valid} />
                  ))}
                </tr>
                <tr>
                  <th scope="row">Tokens per document (in / out)</th>
                  {c.arms.map((a) => (
                    <td class="num">
                      {formatCount(a.usage.per_document.input_tokens)} / {formatCount(a.usage.per_document.output_tokens)}
                    </td>
                  ))}
                </tr>
                <tr>
                  <th scope="row">Cost of the sample</th>
                  {c.arms.map((a) => (
                    <td class="num" data-field="usd">
                      {formatUsd(a.cost.usd + a.cost.reused_usd)}
                    </td>
                  ))}
                </tr>
                <tr>
                  <th scope="row">Per 1,000 documents</th>
                  {c.arms.map((a) => (
                    <td class="num" data-field="per_1000_usd">
                      {formatUsd(a.cost.per_1000_usd)}
                    </td>
                  ))}
                </tr>
                <tr>
                  <th scope="row">All {formatCount(view.population.documents)} documents</th>
                  {c.arms.map((a) => (
                    <td class="num" data-field="projected_source_usd">
                      {formatUsd(a.cost.projected_source_usd)}
                    </td>
                  ))}
                </tr>
                {[...new Set((c.accuracy ?? []).map((a) => a.field))].map((field) => (
                  <tr>
                    <th scope="row">{field} accuracy (95% interval)</th>
                    {c.arms.map((a) => (
                      <RateCell rate={c.accuracy?.find((x) => x.arm === a.arm && x.field === field)} id={`accuracy-${a.arm}-${field}`} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <div class="panel table-scroll">
            <h2 id="agreement-title">Agreement between arms</h2>
            <table id="agreement" aria-labelledby="agreement-title">
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Compared</th>
                  <th scope="col">Arms</th>
                  <th scope="col" class="num">
                    Agree (95% interval)
                  </th>
                  <th scope="col">Also</th>
                </tr>
              </thead>
              <tbody>
                {c.agreement.map((a) => (
                  <tr data-field={a.field}>
                    <th scope="row">{a.field}</th>
                    <td>{kindLabel(a.kind, c.fields.find((f) => f.field === a.field)?.tolerance ?? null)}</td>
                    <td>
                      {a.arms[0]} vs {a.arms[1]}
                    </td>
                    <RateCell rate={a} />
                    <td class="muted">
                      {a.mean_overlap !== null ? `mean overlap ${pct(a.mean_overlap)}` : a.mean_length ? `mean length ${Object.entries(a.mean_length).map(([arm, n]) => `${arm} ${n.toFixed(1)}`).join(', ')}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <div class="grid">
            {[...c.confusion, ...(c.label_confusion ?? [])].map((m, i) => (
              <div class="panel table-scroll">
                <h2 id={`confusion-title-${i}`}>
                  {m.field}: {m.rows} against {m.columns}
                </h2>
                <table class="confusion" id={`confusion-${m.field}-${m.rows}-${m.columns}`} aria-labelledby={`confusion-title-${i}`} data-total={String(m.total)}>
                  <thead>
                    <tr>
                      <th scope="col">
                        {m.rows} ↓ / {m.columns} →
                      </th>
                      {m.values.map((v) => (
                        <th scope="col" class="num">
                          {valueLabel(v)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {m.counts.map((row, r) => (
                      <tr>
                        <th scope="row">{valueLabel(m.values[r])}</th>
                        {row.map((n, col) => (
                          <td class={r === col ? 'num diagonal' : 'num'} data-count={String(n)}>
                            {formatCount(n)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
          </div>

          <div class="panel">
            <h2 id="disagreements-title">
              Disagreements: <span data-field="disagreements">{formatCount(c.disagreements.documents)}</span> documents
            </h2>
            <p class="muted">
              {Object.entries(c.disagreements.by_field)
                .map(([f, n]) => `${f} ${formatCount(n)}`)
                .join(' · ') || 'The arms agree on every scored field.'}
              {c.disagreements.documents > props.disagreements.length ? ` The first ${props.disagreements.length} are shown; all of them: GET /v1/experiments/${view.id}/documents?filter=disagreements.` : ''}
            </p>
            <div class="table-scroll">
              <table id="disagreements" aria-labelledby="disagreements-title">
                <thead>
                  <tr>
                    <th scope="col">Document</th>
                    {view.arms.map((a) => (
                      <th scope="col">{a.name}</th>
                    ))}
                    {view.labels ? <th scope="col">Expected</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {props.disagreements.map((d) => (
                    <tr data-document={d.external_id}>
                      <th scope="row">
                        <div class="mono">{d.external_id}</div>
                        <div class="document-text">{d.text}</div>
                      </th>
                      {view.arms.map((a) => (
                        <td data-arm={a.name}>{answerText(d, a.name)}</td>
                      ))}
                      {view.labels ? <td>{d.expected ? d.disagreeing_fields.filter((f) => f in (d.expected ?? {})).map((f) => `${f}: ${valueLabel(d.expected?.[f])}`).join(', ') || '—' : '—'}</td> : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>

          <div class="panel">
            <h2 id="promote-title">Promote an arm</h2>
            <p class="muted">Runs the arm on the whole source as a new job; the sample's {formatCount(view.sample.size)} answers are reused from the result cache, not paid for again.</p>
            <div class="actions">
              {view.arms.map((arm) =>
                arm.promoted_job_id ? (
                  <a href={jobPath(arm.promoted_job_id)} class="button">
                    {arm.name}: open its full job
                  </a>
                ) : (
                  <form method="post" action={`${experimentPath(view.id)}/promote`}>
                    <input type="hidden" name="csrf" value={props.ctx.csrf} />
                    <input type="hidden" name="arm" value={arm.name} />
                    <button type="submit" class={ENDED.has(arm.status) ? 'primary' : ''} id={`promote-${arm.name}`}>
                      Promote {arm.name} ({formatUsd(c.arms.find((m) => m.arm === arm.name)?.cost.promote_usd ?? 0)} more)
                    </button>
                  </form>
                ),
              )}
            </div>
          </div>
        </section>
      )}
    </div>
  );
}

function changesOf(changes: ExperimentView['arms'][number]['changes']): string {
  const parts: string[] = [];
  if (changes.model) parts.push(`model ${changes.model}`);
  if (changes.max_tokens) parts.push(`max_tokens ${changes.max_tokens}`);
  if (changes.prompt !== undefined) parts.push('own prompt');
  if (changes.system !== undefined) parts.push('own system prompt');
  return parts.join(', ') || "the task's defaults";
}

function kindLabel(kind: string, tolerance: number | null): string {
  if (kind === 'number') return tolerance ? `within ±${tolerance}` : 'exactly';
  if (kind === 'set') return 'as sets';
  if (kind === 'text' || kind === 'text_list') return 'emptiness only (free text)';
  return 'exactly';
}

/** An arm's answer, only the fields the arms disagree on. */
function answerText(d: ExperimentDocument, arm: string): string {
  const answer = d.answers[arm];
  if (!answer || answer.status !== 'succeeded') return answer?.error ? `no answer: ${answer.error.type}` : 'no answer';
  const output = (answer.output ?? {}) as Record<string, unknown>;
  return d.disagreeing_fields.map((f) => `${f}: ${JSON.stringify(f.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], output) ?? null)}`).join(', ');
}
