// The job list at `/`: newest jobs first with status, progress, task, creation time and cost; "older" pages by cursor.
import { ProgressBar, StatusBadge, Time } from './components.tsx';
import { formatUsd, isFinal, jobPath } from './format.ts';
import { Layout, type PageContext } from './layout.tsx';
import type { JobsPage, ListedJob } from './queries.ts';

export function JobListPage(props: { ctx: PageContext; page: JobsPage; cursor: string | undefined; notice?: string | undefined }) {
  return (
    <Layout ctx={props.ctx} title="Jobs" live={!allFinal(props.page)}>
      <h1>Jobs</h1>
      {props.notice ? (
        <p class="notice" role="status" id="list-notice">
          {props.notice}
        </p>
      ) : null}
      <JobListLive page={props.page} cursor={props.cursor} />
    </Layout>
  );
}

/** The part of the list that refreshes itself; each row is swapped on its own. */
export function JobListLive(props: { page: JobsPage; cursor: string | undefined }) {
  const { jobs, older } = props.page;
  const running = jobs.filter((j) => !isFinal(j.status)).length;
  return (
    <div
      id="live"
      data-final={String(running === 0)}
      data-status={String(running)}
      data-announce={running === 0 ? 'Every job on this page has finished.' : `${running} jobs on this page are still running.`}
      data-title="Jobs · Batchline"
    >
      {jobs.length === 0 ? (
        <p class="panel">
          {props.cursor ? (
            'No older jobs.'
          ) : (
            <>
              No jobs yet. Create one with <code>POST /v1/jobs</code> or <code>batchline run</code>.
            </>
          )}
        </p>
      ) : (
        <div class="panel table-scroll">
          <table>
            <caption class="visually-hidden">Jobs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Task</th>
                <th scope="col">Created</th>
                <th scope="col" class="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <JobRow job={job} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages of jobs">
        {props.cursor ? (
          <a href="/" id="newest-link">
            Newest jobs
          </a>
        ) : null}
        {older ? (
          <a href={`/?cursor=${encodeURIComponent(older)}`} id="older-link" rel="next">
            Older jobs
          </a>
        ) : null}
      </nav>
    </div>
  );
}

function JobRow(props: { job: ListedJob }) {
  const { job } = props;
  const title = job.name ?? job.id;
  return (
    <tr id={`job-row-${job.id}`} data-live-part data-job-id={job.id}>
      <th scope="row">
        <a href={jobPath(job.id)} id={`job-link-${job.id}`}>
          {title}
        </a>
        {job.name ? (
          <div class="muted mono" aria-label="Job id">
            {job.id}
          </div>
        ) : null}
      </th>
      <td>
        <StatusBadge status={job.status} />
      </td>
      <td>
        <ProgressBar counts={job.counts} label={`Progress of ${title}`} />
      </td>
      <td>{job.task}</td>
      <td>
        <Time iso={job.created_at} />
      </td>
      <td class="num">
        {formatUsd(job.cost.usd)}
        {job.cost.saved_usd > 0 ? <div class="muted">saved {formatUsd(job.cost.saved_usd)}</div> : null}
      </td>
    </tr>
  );
}

function allFinal(page: JobsPage): boolean {
  return page.jobs.every((j) => isFinal(j.status));
}
