// POST /v1/jobs: creates a job from inline documents; honors Idempotency-Key.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { createJob } from '../../engine/ingest.ts';
import { jobView } from '../../engine/job-view.ts';
import { invalidField } from '../../errors.ts';
import type { AppDeps } from '../deps.ts';
import { CreateJobSchema, JobSchema, problemResponses } from '../schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/jobs',
  tags: ['jobs'],
  summary: 'Create a job',
  security: [{ bearer: [] }],
  request: {
    headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional().openapi({ description: 'Replays with the same key and body return the same job' }) }),
    body: { required: true, content: { 'application/json': { schema: CreateJobSchema } } },
  },
  responses: {
    201: { description: 'Created', headers: { Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: JobSchema } } },
    200: { description: 'An Idempotency-Key replay: the job created earlier', content: { 'application/json': { schema: JobSchema } } },
    ...problemResponses(400, 401, 409, 413, 415, 422),
  },
});

export function registerJobsCreate(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const key = c.req.valid('header')['idempotency-key'];
    if (body.documents === undefined && body.source === undefined) throw invalidField('documents', 'give "documents" or "source"');
    const { job, created } = await createJob(deps, body, key);
    const view = await jobView(deps.db, job);
    c.header('Location', `/v1/jobs/${job.id}`);
    return c.json(view, created ? 201 : 200);
  });
}
