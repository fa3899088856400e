// GET /v1/jobs/{id}: one job with counts, batches, usage and cost.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { jobView } from '../../engine/job-view.ts';
import { AppError } from '../../errors.ts';
import type { AppDeps } from '../deps.ts';
import { JobIdParam, JobSchema, problemResponses } from '../schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/jobs/{id}',
  tags: ['jobs'],
  summary: 'Get a job',
  security: [{ bearer: [] }],
  request: { params: JobIdParam },
  responses: { 200: { description: 'The job', content: { 'application/json': { schema: JobSchema } } }, ...problemResponses(401, 404) },
});

export function registerJobsGet(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const job = await deps.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!job) throw new AppError('not_found', `job ${id} does not exist`);
    return c.json(await jobView(deps.db, job), 200);
  });
}
