// The confirmation step of deleting a job from the dashboard (`/jobs/:id/delete`): what goes, what stays,
// and a button that must be pressed on purpose. Without JavaScript, and so without a browser dialog: the
// page itself is the confirmation, and its form carries the job id back as proof it was this job's page.
import type { JobView } from '../../engine/views/job-view.ts';
import { formatCount, formatUsd, jobPath } from './format.ts';
import { Layout, type PageContext } from './layout.tsx';

export function DeleteJobPage(props: { ctx: PageContext; view: JobView }) {
  const { view } = props;
  const name = view.name ?? view.id;
  const open = view.counts.queued + view.counts.submitted + view.counts.retry_wait;
  return (
    <Layout ctx={props.ctx} title={`Delete ${name}?`}>
      <nav aria-label="Breadcrumb" class="muted">
        <a href="/">Jobs</a> / <a href={jobPath(view.id)}>{name}</a> / <span aria-current="page">Delete</span>
      </nav>
      <h1 id="delete-title">Delete {name}?</h1>
      <section class="panel" aria-labelledby="delete-title">
        <p>This cannot be undone. Deleting the job:</p>
        <ul id="delete-effects">
          {open > 0 ? <li>cancels its open work ({formatCount(open)} items not finished; its provider batches are canceled first),</li> : null}
          <li>removes its {formatCount(view.counts.total)} documents, their answers and the deliveries to its sinks from Batchline,</li>
          <li>
            deletes its {formatCount(view.batches.length)} {view.batches.length === 1 ? 'batch' : 'batches'} at the provider once {view.batches.length === 1 ? 'it has' : 'they have'} ended,
          </li>
          <li>and delivers nothing more.</li>
        </ul>
        <p>
          A record stays for an audit: the job's id and name, who deleted it and when, its counts and its cost ({formatUsd(view.cost.usd)}), and no text.
        </p>
        <form method="post" action={`${jobPath(view.id)}/delete`} class="actions">
          <input type="hidden" name="csrf" value={props.ctx.csrf} />
          <input type="hidden" name="confirm" value={view.id} />
          <button type="submit" id="confirm-delete-button" class="danger">
            Delete this job permanently
          </button>{' '}
          <a href={jobPath(view.id)} id="keep-job-link">
            Keep it
          </a>
        </form>
      </section>
    </Layout>
  );
}
