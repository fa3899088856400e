// The results explorer at `/jobs/:id/results`: the answers behind a chart's bar, each beside its document
// (title, metadata, and its text when the job kept it), filtered by answer, metadata and text, a page at a
// time, exported as CSV or NDJSON; and a form per answer to correct it (a gold label for experiments).
import type { ExplorerResult } from '../../engine/views/results-query.ts';
import { canonical, valueAt } from '../../tasks/answer-schema.ts';
import type { ItemCorrections } from '../../insights/corrections.ts';
import type { InsightField } from '../../insights/fields.ts';
import { StatusBadge } from './components.tsx';
import { formatCount, jobPath } from './format.ts';
import { Layout, type PageContext } from './layout.tsx';

export interface ExplorerQuery {
  filters: string[];
  q: string;
  status: string;
}

export interface ResultsPageProps {
  ctx: PageContext;
  jobId: string;
  jobName: string | null;
  /** Whether the job keeps document text once answered (BATCHLINE_TEXT_AT_REST=until_retention, experiments). */
  keepsText: boolean;
  fields: InsightField[];
  query: ExplorerQuery;
  results: ExplorerResult[];
  corrections: Map<string, ItemCorrections>;
  /** The cursor of the next page, or null on the last. */
  next: number | null;
  /** The cursor this page started after (0: the first page). */
  after: number;
  notice?: string | undefined;
  error?: string | undefined;
}

export function explorerQueryString(query: ExplorerQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const f of query.filters) params.append('filter', f);
  if (query.q) params.set('q', query.q);
  if (query.status) params.set('status', query.status);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The value shown in a form input for a field (lists of strings joined with "; "). */
function inputValue(field: InsightField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.kind === 'phrases' && Array.isArray(value)) return value.map(String).join('; ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function shown(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return value.length === 0 ? '(none)' : value.join('; ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function FieldInput(props: { field: InsightField; value: unknown; id: string }) {
  const { field, value, id } = props;
  const name = `f.${field.path}`;
  if (field.kind === 'values') {
    return (
      <select id={id} name={name}>
        {(field.values ?? []).map((v) => (
          <option value={String(v)} selected={canonical(v) === canonical(value)}>
            {String(v)}
          </option>
        ))}
      </select>
    );
  }
  if (field.kind === 'number') return <input id={id} name={name} type="number" step="any" value={inputValue(field, value)} />;
  if (field.kind === 'text' || field.kind === 'list') return <textarea id={id} name={name} rows={2}>{inputValue(field, value)}</textarea>;
  return <input id={id} name={name} type="text" value={inputValue(field, value)} />;
}

function ResultCard(props: { result: ExplorerResult; fields: InsightField[]; corrections: ItemCorrections | undefined; csrf: string; returnTo: string; keepsText: boolean; jobId: string }) {
  const { result: r, fields, corrections } = props;
  const doc = r.document;
  const key = r.external_id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return (
    <article class="panel result" data-external-id={r.external_id} data-status={r.status} aria-labelledby={`result-${key}`}>
      <h2 id={`result-${key}`} class="result-title">
        <span class="mono">{r.external_id}</span> <StatusBadge status={r.status} />
        {doc?.title ? <span class="result-doc-title">{doc.title}</span> : null}
      </h2>
      <div class="result-body">
        <div>
          <h3>Answer</h3>
          {r.output === null ? (
            <p class="error-text">
              {r.error?.type ?? 'no answer'}: {r.error?.message ?? ''}
            </p>
          ) : (
            <dl class="pairs answer">
              {fields.map((f) => {
                const fix = corrections?.fields[f.path];
                return (
                  <>
                    <dt class="mono">{f.path}</dt>
                    <dd data-answer-field={f.path}>
                      {fix ? (
                        <>
                          <b data-corrected-value>{shown(fix.value)}</b> <span class="muted">(corrected; the model said {shown(fix.model_value)})</span>
                        </>
                      ) : (
                        shown(valueAt(r.output, f.path))
                      )}
                    </dd>
                  </>
                );
              })}
            </dl>
          )}
        </div>
        <div>
          <h3>Document</h3>
          {r.metadata && Object.keys(r.metadata).length > 0 ? (
            <dl class="pairs">
              {Object.entries(r.metadata).map(([k, v]) => (
                <>
                  <dt>{k}</dt>
                  <dd>{shown(v)}</dd>
                </>
              ))}
            </dl>
          ) : (
            <p class="muted">No metadata.</p>
          )}
          {doc?.text ? (
            <p class="document-text">{doc.text}</p>
          ) : (
            <p class="muted text-dropped">
              {props.keepsText
                ? 'No text is stored for this document (it had only attachments, or retention purged it).'
                : 'The text was dropped once this document was answered. To keep it for review, run jobs with BATCHLINE_TEXT_AT_REST=until_retention.'}
            </p>
          )}
        </div>
      </div>
      {r.output !== null ? (
        <details class="correct">
          <summary>Correct this answer</summary>
          <form method="post" action={`${jobPath(props.jobId)}/items/${encodeURIComponent(r.external_id)}/correction`} class="correction-form">
            <input type="hidden" name="csrf" value={props.csrf} />
            <input type="hidden" name="return_to" value={props.returnTo} />
            {fields.map((f, i) => {
              const current = corrections?.fields[f.path]?.value ?? valueAt(r.output, f.path);
              const id = `fix-${key}-${i}`;
              return (
                <div class="form-row">
                  <label for={id} class="mono">
                    {f.path}
                  </label>
                  <FieldInput field={f} value={current} id={id} />
                  <input type="hidden" name={`was.${f.path}`} value={canonical(current ?? null)} />
                </div>
              );
            })}
            <div class="form-row">
              <label for={`fix-${key}-author`}>Your name</label>
              <input id={`fix-${key}-author`} name="author" type="text" maxlength={200} />
            </div>
            <button type="submit" class="primary">
              Save correction
            </button>
          </form>
        </details>
      ) : null}
    </article>
  );
}

export function ResultsExplorerPage(props: ResultsPageProps) {
  const { query, jobId } = props;
  const base = `${jobPath(jobId)}/results`;
  const here = `${base}${explorerQueryString(query, props.after > 0 ? { cursor: String(props.after) } : {})}`;
  return (
    <Layout ctx={props.ctx} title={`Results of ${props.jobName ?? jobId}`}>
      <nav aria-label="Breadcrumb" class="muted">
        <a href="/">Jobs</a> / <a href={jobPath(jobId)}>{props.jobName ?? jobId}</a> / <span aria-current="page">Results</span>
      </nav>
      <h1>Results</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.error ? (
        <p class="alert" role="alert" id="explorer-error">
          {props.error}
        </p>
      ) : null}
      <section class="panel" aria-labelledby="filters-title">
        <h2 id="filters-title">Filters</h2>
        {query.filters.length > 0 ? (
          <ul class="chips" id="active-filters">
            {query.filters.map((f) => (
              <li>
                <span class="mono">{f}</span>{' '}
                <a href={`${base}${explorerQueryString({ ...query, filters: query.filters.filter((x) => x !== f) })}`} aria-label={`Remove the filter ${f}`}>
                  remove
                </a>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">All results.</p>
        )}
        <form method="get" action={base} class="filter-form">
          {query.filters.map((f) => (
            <input type="hidden" name="filter" value={f} />
          ))}
          <div class="form-row">
            <label for="add-filter">Add a filter</label>
            <input id="add-filter" name="filter" type="text" placeholder="sentiment=negative, score<=2, metadata.rating=1" />
          </div>
          <div class="form-row">
            <label for="search">Text in the answer</label>
            <input id="search" name="q" type="search" value={query.q} />
          </div>
          <div class="form-row">
            <label for="status">Status</label>
            <select id="status" name="status">
              {['', 'succeeded', 'failed', 'canceled'].map((s) => (
                <option value={s} selected={s === query.status}>
                  {s || 'any'}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Show</button>
        </form>
        <p class="muted filter-help">
          Fields: {props.fields.map((f) => f.path).join(', ')}; or metadata.KEY. Operators: = != &lt; &lt;= &gt; &gt;= ~ (contains).
        </p>
        <p>
          Export these results: <a href={`${base}.csv${explorerQueryString(query)}`} id="export-csv">CSV</a> ·{' '}
          <a href={`${base}.ndjson${explorerQueryString(query)}`} id="export-ndjson">NDJSON</a>
        </p>
      </section>
      {props.results.length === 0 ? (
        <p class="muted" id="no-results">
          No result matches.
        </p>
      ) : (
        <div class="stack" id="results">
          {props.results.map((r) => (
            <ResultCard result={r} fields={props.fields} corrections={props.corrections.get(r.item_id)} csrf={props.ctx.csrf} returnTo={here} keepsText={props.keepsText} jobId={jobId} />
          ))}
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {props.after > 0 ? <a href={`${base}${explorerQueryString(query)}`}>First page</a> : null}
        {props.next !== null ? (
          <a href={`${base}${explorerQueryString(query, { cursor: String(props.next) })}`} id="next-page">
            Next {formatCount(props.results.length)} results
          </a>
        ) : null}
      </nav>
    </Layout>
  );
}
