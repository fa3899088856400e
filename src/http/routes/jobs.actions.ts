// POST /v1/jobs/{id}/cancel, /retry and /close.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { cancelJob, closeJobSource } from '../../engine/cancel.ts';
import { jobView } from '../../engine/job-view.ts';
import { retryFailedItems } from '../../engine/retry.ts';
import type { AppDeps } from '../deps.ts';
import { JobIdParam, JobSchema, problemResponses } from '../schemas.ts';

const cancel = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/cancel',
  tags: ['jobs'],
  summary: 'Cancel open work: queued items at once, provider batches through batches.cancel',
  security: [{ bearer: [] }],
  request: { params: JobIdParam },
  responses: { 202: { description: 'Cancel accepted', content: { 'application/json': { schema: JobSchema } } }, ...problemResponses(401, 404, 409) },
});

const retry = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/retry',
  tags: ['jobs'],
  summary: 'Re-queue the failed items of a job',
  security: [{ bearer: [] }],
  request: { params: JobIdParam },
  responses: {
    202: { description: 'Items re-queued', content: { 'application/json': { schema: z.object({ requeued: z.number().int(), job: JobSchema }) } } },
    ...problemResponses(401, 404, 409),
  },
});

const close = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/close',
  tags: ['jobs'],
  summary: 'Close an open source (watched folder, webhook stream): no more documents; the job ends when its work is done',
  security: [{ bearer: [] }],
  request: { params: JobIdParam },
  responses: { 202: { description: 'Source closed', content: { 'application/json': { schema: JobSchema } } }, ...problemResponses(401, 404, 409) },
});

export function registerJobsActions(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid('param');
    await cancelJob(deps, id);
    const job = await deps.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return c.json(await jobView(deps.db, job), 202);
  });
  app.openapi(close, async (c) => {
    const { id } = c.req.valid('param');
    await closeJobSource(deps, id);
    const job = await deps.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return c.json(await jobView(deps.db, job), 202);
  });
  app.openapi(retry, async (c) => {
    const { id } = c.req.valid('param');
    const requeued = await retryFailedItems(deps, id);
    const job = await deps.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return c.json({ requeued, job: await jobView(deps.db, job) }, 202);
  });
}
