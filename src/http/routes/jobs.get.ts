// GET /v1/jobs/{id}: one job with counts, batches, usage and cost.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { jobView } from '../../engine/views/job-view.ts';
import { AppError } from '../../errors.ts';
import type { AppDeps } from '../deps.ts';
import { JobIdParam, JobSchema, unknownJob } from './jobs.schemas.ts';
import { apiProblems } from './shared.schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}',
  operationId: 'getJob',
  tags: ['jobs'],
  summary: 'Get a job',
  description:
    'Status, items by state, provider batches with their request counts, token usage, cost and savings against the ' +
    'standard API, and deliveries. Poll it to follow a job (every few seconds is plenty: batches take minutes to hours).',
  security: [{ bearer: [] }],
  request: { params: JobIdParam },
  responses: {
    200: { description: 'The job as it is now', content: { 'application/json': { schema: JobSchema } } },
    ...apiProblems(401, unknownJob, 422),
  },
});

export function registerJobsGet(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const job = await deps.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!job) throw new AppError('not_found', `job ${id} does not exist`);
    return c.json(await jobView(deps.db, job, { retentionDays: deps.config.BATCHLINE_RETENTION_DAYS }), 200);
  });
}
