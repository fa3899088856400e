// One job at `/jobs/:id`: counts, actions, what the answers say (a chart per field), cost and savings, source progress, deliveries, batches with their
// provider states, and the failed items with their reasons. Everything inside #live refreshes itself.
import type { Child } from 'hono/jsx';
import type { JobView } from '../../engine/views/job-view.ts';
import { ProgressBar, StatusBadge, Time, ValueList } from './components.tsx';
import { formatCount, formatDuration, isFinal, jobPath, statusLabel, traceUrl } from './format.ts';
import { Layout, type PageContext } from './layout.tsx';
import { InsightsSection } from './insights-panel.tsx';
import { MoneyPanel, PauseNotice } from './money-panel.tsx';
import { FAILED_ITEMS_SHOWN, type JobPage } from './queries.ts';

export interface JobPageProps {
  ctx: PageContext;
  data: JobPage;
  traceTemplate: string | undefined;
  /** A confirmation after an action (cancel, retry, close). */
  notice?: string | undefined;
  /** Why an action was refused. */
  actionError?: string | undefined;
  now: Date;
}

const COUNT_LABELS: Record<string, string> = {
  total: 'Total',
  queued: 'Queued',
  submitted: 'Submitted (in a provider batch)',
  retry_wait: 'Waiting to be retried',
  succeeded: 'Succeeded',
  failed: 'Failed',
  canceled: 'Canceled',
};

export function JobPageView(props: JobPageProps) {
  const { view } = props.data;
  return (
    <Layout ctx={props.ctx} title={titleOf(view)} live={stillChanging(props.data)}>
      <nav aria-label="Breadcrumb" class="muted">
        <a href="/">Jobs</a> / <span aria-current="page">{view.name ?? view.id}</span>
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
      <JobLive {...props} />
    </Layout>
  );
}

/** The refreshing part of the page; each `data-live-part` section is swapped on its own. */
export function JobLive(props: JobPageProps) {
  const { view, failed, sinks, batchCount } = props.data;
  const final = !stillChanging(props.data);
  const trace = traceUrl(props.traceTemplate, view.trace_id);
  const elapsedMs = (view.finished_at ? Date.parse(view.finished_at) : props.now.getTime()) - Date.parse(view.created_at);
  return (
    <div id="live" data-final={String(final)} data-status={view.status} data-announce={`Job is ${statusLabel(view.status)}.`} data-title={`${titleOf(view)} · Batchline`}>
      <section id="part-summary" data-live-part aria-labelledby="job-title">
        <h1 id="job-title">
          <span>{view.name ?? view.id}</span> <StatusBadge status={view.status} />
        </h1>
        <div class="meta">
          <span>
            Id <b class="mono">{view.id}</b>
          </span>
          <span>
            Task <b>{view.task.name}</b> on <b>{view.task.model}</b>
          </span>
          <span>
            Created <Time iso={view.created_at} />
          </span>
          <span>
            {view.finished_at ? 'Took ' : 'Running for '}
            <b>{formatDuration(elapsedMs)}</b>
          </span>
          {trace ? (
            <a href={trace} id="trace-link" rel="noopener noreferrer" target="_blank">
              Open the trace<span class="visually-hidden"> (opens in a new tab)</span>
            </a>
          ) : null}
        </div>
        {view.cancel_requested && !isFinal(view.status) ? <p class="notice">Cancel requested: open batches are being canceled.</p> : null}
        {view.error ? (
          <p class="alert" role="alert" id="job-error">
            <b>{view.error.type}</b>: {view.error.message}
          </p>
        ) : null}
        <PauseNotice view={view} />
        <ProviderNotice view={view} />
        <ProgressBar counts={view.counts} label="Items done" legend />
      </section>

      <section id="part-actions" data-live-part aria-label="Actions" class="actions" style="margin: 1rem 0">
        <Actions view={view} csrf={props.ctx.csrf} />
      </section>

      <InsightsSection insights={props.data.insights} error={props.data.insightsError} computing={props.data.insightsComputing} answered={view.counts.succeeded} />

      <div class="grid">
        <section id="part-counts" data-live-part class="panel" aria-labelledby="counts-title">
          <h2 id="counts-title">Items</h2>
          <table>
            <caption class="visually-hidden">Items by state</caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col" class="num">
                  Items
                </th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(view.counts).map(([state, n]) => (
                <tr>
                  <th scope="row">{COUNT_LABELS[state] ?? statusLabel(state)}</th>
                  <td class="num" data-count={state}>
                    {formatCount(n)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section id="part-cost" data-live-part class="panel" aria-labelledby="cost-title">
          <h2 id="cost-title">Cost</h2>
          <MoneyPanel view={view} />
        </section>

        <section id="part-deliveries" data-live-part class="panel" aria-labelledby="deliveries-title">
          <h2 id="deliveries-title">Deliveries</h2>
          <Deliveries view={view} sinks={sinks} />
        </section>

        {view.source ? (
          <section id="part-source" data-live-part class="panel" aria-labelledby="source-title">
            <h2 id="source-title">Source</h2>
            <dl class="pairs">
              <dt>Plugin</dt>
              <dd>{view.source.plugin}</dd>
              {view.source.connection ? (
                <>
                  <dt>Connection</dt>
                  <dd>{view.source.connection}</dd>
                </>
              ) : null}
              <dt>State</dt>
              <dd>{view.source.open ? (view.status === 'ingesting' ? 'reading' : 'open (takes new documents)') : 'read to the end'}</dd>
              <dt>Documents read</dt>
              <dd data-source="read">{formatCount(view.source.read)}</dd>
              <dt>Rejected</dt>
              <dd data-source="rejected">{formatCount(view.source.rejected)}</dd>
              {view.source.last_error ? (
                <>
                  <dt>Last read error</dt>
                  <dd class="error-text">{view.source.last_error}</dd>
                </>
              ) : null}
            </dl>
          </section>
        ) : null}
      </div>

      <section id="part-batches" data-live-part class="panel" aria-labelledby="batches-title" style="margin-top: 1rem">
        <h2 id="batches-title">Batches ({formatCount(batchCount)})</h2>
        <Batches view={view} batchCount={batchCount} />
      </section>

      <section id="part-failed" data-live-part class="panel" aria-labelledby="failed-title">
        <h2 id="failed-title">Failed items ({formatCount(view.counts.failed)})</h2>
        {failed.length === 0 ? (
          <p class="muted">No item has failed.</p>
        ) : (
          <>
            <div class="table-scroll">
              <table id="failed-items">
                <caption class="visually-hidden">Failed items with their reasons</caption>
                <thead>
                  <tr>
                    <th scope="col">Item</th>
                    <th scope="col">Error type</th>
                    <th scope="col">Reason</th>
                    <th scope="col" class="num">
                      Attempts
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {failed.map((item) => (
                    <tr data-item-id={String(item.item_id)}>
                      <th scope="row" class="mono nowrap" data-field="external_id">
                        {item.external_id}
                      </th>
                      <td class="mono nowrap" data-field="error_type">
                        {item.error?.type ?? 'unknown'}
                      </td>
                      <td data-field="error_message">{item.error?.message ?? 'no reason was recorded'}</td>
                      <td class="num">{formatCount(item.attempts)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {view.counts.failed > failed.length ? (
              <p class="muted" id="failed-rest">
                And {formatCount(view.counts.failed - failed.length)} more (the first {FAILED_ITEMS_SHOWN} are shown). All of them:{' '}
                <code>GET /v1/jobs/{view.id}/results?status=failed</code>
              </p>
            ) : null}
          </>
        )}
      </section>
    </div>
  );
}

function Actions(props: { view: JobView; csrf: string }) {
  const { view } = props;
  const buttons: Child[] = [];
  const action = (name: string, label: string, describe: string, className = '') => (
    <form method="post" action={`${jobPath(view.id)}/${name}`}>
      <input type="hidden" name="csrf" value={props.csrf} />
      <button type="submit" id={`${name}-button`} class={className} title={describe}>
        {label}
      </button>
    </form>
  );
  if (!isFinal(view.status) && !view.cancel_requested) buttons.push(action('cancel', 'Cancel job', 'Cancel queued items and open provider batches', 'danger'));
  if (view.counts.failed > 0 && !view.cancel_requested) {
    buttons.push(action('retry', `Retry ${formatCount(view.counts.failed)} failed items`, 'Queue the failed items again'));
  }
  if (view.source?.open && view.status !== 'ingesting') buttons.push(action('close', 'Close the source', 'Take no more documents; the job ends when its work is done'));
  if (view.status === 'awaiting_budget' && !view.cancel_requested) {
    buttons.push(
      <form method="post" action={`${jobPath(view.id)}/resume`}>
        <input type="hidden" name="csrf" value={props.csrf} />
        <label for="max-usd">New budget (USD)</label>{' '}
        <input id="max-usd" name="max_usd" type="number" min="0" step="any" required value={String(view.budget?.max_usd ?? '')} />{' '}
        <button type="submit" id="resume-button" title="Raise max_usd and send the remaining items">
          Resume
        </button>
      </form>,
    );
  }
  if (view.status === 'pilot_failed' && !view.cancel_requested) {
    buttons.push(
      <form method="post" action={`${jobPath(view.id)}/resume`}>
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="accept_pilot" value="true" />
        <button type="submit" id="resume-button" title="Send the remaining items although the pilot missed its bar">
          Send the rest anyway
        </button>
      </form>,
    );
  }
  // Always offered but while it is being deleted: a link to the confirmation page, never a one-click delete.
  if (view.status !== 'deleting') {
    buttons.push(
      <a href={`${jobPath(view.id)}/delete`} id="delete-button" class="button danger" title="Delete the job, its text, answers and provider batches">
        Delete job…
      </a>,
    );
  }
  return buttons.length > 0 ? <>{buttons}</> : <span class="muted">No actions: the job is {statusLabel(view.status)}.</span>;
}

function Deliveries(props: { view: JobView; sinks: JobPage['sinks'] }) {
  const { deliveries } = props.view;
  if (props.sinks.length === 0) return <p class="muted">No sinks: results are kept for the API and the CLI.</p>;
  return (
    <>
      <ValueList values={deliveries} id="deliveries" />
      <div class="table-scroll">
      <table style="margin-top: 0.75rem">
          <caption class="visually-hidden">Deliveries per sink</caption>
          <thead>
            <tr>
              <th scope="col">Sink</th>
              <th scope="col" class="num">
                Pending
              </th>
              <th scope="col" class="num">
                Delivered
              </th>
              <th scope="col" class="num">
                Dead
              </th>
            </tr>
          </thead>
          <tbody>
            {props.sinks.map((s) => (
              <tr data-sink={String(s.index)}>
                <th scope="row">
                  {s.index + 1}. {s.plugin}
                </th>
                <td class="num">{formatCount(s.pending)}</td>
                <td class="num">{formatCount(s.delivered)}</td>
                <td class={s.dead > 0 ? 'num error-text' : 'num'}>{formatCount(s.dead)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Batches(props: { view: JobView; batchCount: number }) {
  const { batches } = props.view;
  if (batches.length === 0) return <p class="muted">No batch yet.</p>;
  return (
    <div class="table-scroll">
      <table id="batches">
        <caption class="visually-hidden">Provider batches of this job</caption>
        <thead>
          <tr>
            <th scope="col">Provider id</th>
            <th scope="col">Status</th>
            <th scope="col">Provider status</th>
            <th scope="col" class="num">
              Requests
            </th>
            <th scope="col">Provider counts</th>
            <th scope="col">Submitted</th>
            <th scope="col">Ended</th>
          </tr>
        </thead>
        <tbody>
          {batches.map((b) => (
            <tr data-batch-id={String(b.id)}>
              <th scope="row" class="mono">
                {b.provider_id ?? <span class="muted">not yet created</span>}
                {b.is_retry ? <div class="muted">retry batch</div> : null}
              </th>
              <td data-batch-status={b.status}>
                {statusLabel(b.status)}
                {b.unconfirmed ? (
                  <div class="muted">
                    404 for its id since <Time iso={b.unconfirmed.since} /> ({formatCount(b.unconfirmed.looks)} looks): not visible yet, looked at again; its items stay with it
                  </div>
                ) : null}
                {b.gone ? (
                  <div class="error-text">
                    Declared gone <Time iso={b.gone.at} />: {b.gone.reason} ({formatCount(b.gone.requeued)} items sent again)
                  </div>
                ) : b.last_error && !b.unconfirmed ? (
                  <div class="error-text">
                    {b.last_error.type}: {b.last_error.message}
                  </div>
                ) : null}
              </td>
              <td>{b.provider_status ? statusLabel(b.provider_status) : '—'}</td>
              <td class="num">{formatCount(b.request_count)}</td>
              <td>
                {b.request_counts
                  ? Object.entries(b.request_counts)
                      .filter(([, n]) => n > 0)
                      .map(([k, n]) => `${statusLabel(k)} ${formatCount(n)}`)
                      .join(', ') || '—'
                  : '—'}
              </td>
              <td>
                <Time iso={b.submitted_at} />
              </td>
              <td>
                <Time iso={b.ended_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.batchCount > batches.length ? <p class="muted">The first {formatCount(batches.length)} batches are shown.</p> : null}
    </div>
  );
}

/** A batch declared gone is rare and must be seen: its items were paid for again. Unconfirmed ones are a note. */
function ProviderNotice(props: { view: JobView }) {
  const { unconfirmed_batches: unconfirmed, gone_batches: gone, requeued_items: requeued } = props.view.provider_incidents;
  if (gone > 0) {
    return (
      <p class="alert" role="alert" id="provider-gone">
        <b>
          {formatCount(gone)} provider batch{gone === 1 ? ' was' : 'es were'} declared gone
        </b>
        : the provider answered 404 for {gone === 1 ? 'its id' : 'their ids'} for the whole window and batches.list did not show {gone === 1 ? 'it' : 'them'}.{' '}
        {formatCount(requeued)} unanswered items were sent again in a new batch. See the batches below for when and why.
      </p>
    );
  }
  if (unconfirmed > 0) {
    return (
      <p class="notice" id="provider-unconfirmed">
        {formatCount(unconfirmed)} provider batch{unconfirmed === 1 ? ' is' : 'es are'} not visible at the provider right now (404 for an id it gave): looked at again with backoff, nothing is sent twice.
      </p>
    );
  }
  return null;
}

function titleOf(view: JobView): string {
  return `${view.name ?? view.id} (${statusLabel(view.status)})`;
}

/** Worth refreshing: the job is not final, results are still on their way to a sink, or its insights are being computed. */
function stillChanging(data: JobPage): boolean {
  return !isFinal(data.view.status) || data.view.deliveries.pending > 0 || data.insightsComputing === true;
}
