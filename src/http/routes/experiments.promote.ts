// POST /v1/experiments/{id}/promote: the chosen arm as a job on the whole source, the sample's answers reused from the result cache.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { jobView } from '../../engine/views/job-view.ts';
import { promoteArm } from '../../experiments/promote.ts';
import type { AppDeps } from '../deps.ts';
import { EXAMPLE_EXPERIMENT_ID, ExperimentIdParam, PromoteSchema, unknownExperiment } from './experiments.schemas.ts';
import { EXAMPLE_NEW_JOB, JobSchema } from './jobs.schemas.ts';
import { apiProblems } from './shared.schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/v1/experiments/{id}/promote',
  operationId: 'promoteExperimentArm',
  tags: ['experiments'],
  summary: 'Run the chosen arm on the whole source, reusing the sample\'s answers',
  description:
    "Creates an ordinary job from the arm's exact task on the experiment's whole source (read again, as any job reads it) or all its inline documents, with " +
    'the result cache on: the sampled documents are answered from the arm\'s stored answers, so only the rest is sent and paid for (while the cache entries live, ' +
    'BATCHLINE_RESULT_CACHE_TTL_HOURS). Once per arm: repeating the same request returns the same job (200); other settings are a 409. The arm must have completed.',
  security: [{ bearer: [] }],
  request: { params: ExperimentIdParam, body: { required: true, description: 'The arm, and the full job\'s name, sinks and budget', content: { 'application/json': { schema: PromoteSchema } } } },
  responses: {
    201: {
      description: 'The full job, running',
      headers: { Location: { description: 'The job: /v1/jobs/{id}', schema: { type: 'string' } } },
      content: { 'application/json': { schema: JobSchema, example: EXAMPLE_NEW_JOB } },
      links: { GetJob: { operationId: 'getJob', parameters: { id: '$response.body#/id' }, description: 'Follow the full job' } },
    },
    200: { description: 'The arm was promoted before with the same settings: that job, as it is now', content: { 'application/json': { schema: JobSchema, example: EXAMPLE_NEW_JOB } } },
    ...apiProblems(
      400,
      401,
      unknownExperiment,
      { status: 409, when: 'The arm has not completed, or was promoted with other settings', detail: `arm haiku is running; promote it once it has completed, so its answers are reused instead of paid for again` },
      413,
      415,
      { status: 422, when: 'The arm or another field is invalid', detail: `arm: experiment ${EXAMPLE_EXPERIMENT_ID} has no arm "opus"; its arms are haiku, sonnet`, errors: [{ field: 'arm', message: `experiment ${EXAMPLE_EXPERIMENT_ID} has no arm "opus"; its arms are haiku, sonnet` }] },
    ),
  },
});

export function registerExperimentsPromote(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { job, created } = await promoteArm(deps, id, c.req.valid('json'));
    c.header('Location', `/v1/jobs/${job.id}`);
    return c.json(await jobView(deps.db, job, { retentionDays: deps.config.BATCHLINE_RETENTION_DAYS }), created ? 201 : 200);
  });
}
