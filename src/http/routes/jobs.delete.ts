// DELETE /v1/jobs/{id}: deletes a job and everything derived from it, provider batches included (202, then
// 404 once gone). The work itself is done by the lifecycle sweep (engine/lifecycle/delete-job.ts).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { actorOf, requestJobDelete, waitForDeliveriesInFlight } from '../../engine/lifecycle/delete-job.ts';
import { jobView } from '../../engine/views/job-view.ts';
import type { AppDeps } from '../deps.ts';
import { EXAMPLE_JOB, JobIdParam, JobSchema, unknownJob } from './jobs.schemas.ts';
import { apiProblems } from './shared.schemas.ts';

const EXAMPLE_DELETING_JOB = {
  ...EXAMPLE_JOB,
  status: 'deleting',
  cancel_requested: true,
  deletion: { requested_at: '2026-12-01T09:12:44.020Z', by: 'api:key-3f9a0c2b7d41' },
  updated_at: '2026-12-01T09:12:44.020Z',
};

const route = createRoute({
  method: 'delete',
  path: '/v1/jobs/{id}',
  operationId: 'deleteJob',
  tags: ['jobs'],
  summary: 'Delete a job and everything derived from it, its provider batches included',
  description:
    'Cancels open work first (as POST /v1/jobs/{id}/cancel does), then removes the job\'s documents, items, results, deliveries, ' +
    'callback events and the result-cache entries made from its requests, and deletes its batches at the provider ' +
    '(DELETE /v1/messages/batches/{id}; a batch still running is canceled and deleted once it has ended). Answers 202 with the job ' +
    'in `deleting`; GET /v1/jobs/{id} answers 404 once every part is gone, provider side included. Nothing of the job is delivered ' +
    'after this answer. Deleting again is harmless (202 while it is deleting, 404 once gone). What an audit needs stays in ' +
    'GET /v1/deleted-jobs: id, name, who and when, counts, usage and cost, and no text.',
  security: [{ bearer: [] }],
  request: { params: JobIdParam },
  responses: {
    202: { description: 'Delete accepted; the job as it is now (`deleting`)', content: { 'application/json': { schema: JobSchema, example: EXAMPLE_DELETING_JOB } } },
    ...apiProblems(401, unknownJob, 422),
  },
});

export function registerJobsDelete(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const token = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    const job = await requestJobDelete(deps, id, actorOf(deps.config.BATCHLINE_API_KEYS.length > 0 ? token : undefined, 'api'));
    // A sink call that claimed the job's deliveries just before is let finish: after this answer, nothing more goes out.
    await waitForDeliveriesInFlight(deps.db, id, deps.config.BATCHLINE_LEASE_MS);
    return c.json(await jobView(deps.db, job, { retentionDays: deps.config.BATCHLINE_RETENTION_DAYS }), 202);
  });
}
