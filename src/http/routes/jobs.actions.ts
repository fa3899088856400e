// POST /v1/jobs/{id}/cancel and POST /v1/jobs/{id}/retry.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { cancelJob } from '../../engine/cancel.ts';
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

export function registerJobsActions(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid('param');
    await cancelJob(deps, id);
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
