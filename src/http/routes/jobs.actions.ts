// POST /v1/jobs/{id}/cancel, /retry and /close.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { cancelJob, closeJobSource } from '../../engine/lifecycle/cancel.ts';
import { jobView } from '../../engine/views/job-view.ts';
import { resumeJob } from '../../engine/lifecycle/resume.ts';
import { retryFailedItems } from '../../engine/lifecycle/retry.ts';
import type { AppDeps } from '../deps.ts';
import { EXAMPLE_JOB, EXAMPLE_NEW_JOB, JobIdParam, JobSchema, unknownJob } from './jobs.schemas.ts';
import { apiProblems, EXAMPLE } from './shared.schemas.ts';

const EXAMPLE_CANCELING_JOB = {
  ...EXAMPLE_NEW_JOB,
  cancel_requested: true,
  counts: { ...EXAMPLE_NEW_JOB.counts, queued: 0, canceled: 2 },
  updated_at: '2026-11-24T10:00:05.020Z',
};

const EXAMPLE_CLOSED_STREAM_JOB = {
  ...EXAMPLE_JOB,
  name: 'support-stream',
  status: 'running',
  task: { name: 'ticket-triage', model: 'claude-haiku-5-5', max_tokens: 1024 },
  source: { plugin: 'zendesk', connection: EXAMPLE.connection, open: false, read: 2, rejected: 0, last_error: null },
  finished_at: null,
};

const cancel = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/cancel',
  operationId: 'cancelJob',
  tags: ['jobs'],
  summary: 'Cancel open work: queued items at once, provider batches through batches.cancel',
  description:
    'Queued items are canceled at once and reading the source stops; submitted batches are canceled with the provider, ' +
    'and whatever they finished before is kept and delivered. The job ends `canceled` once its batches have ended. Send no body.',
  security: [{ bearer: [] }],
  request: { params: JobIdParam },
  responses: {
    202: { description: 'Cancel accepted; the job as it is now', content: { 'application/json': { schema: JobSchema, example: EXAMPLE_CANCELING_JOB } } },
    ...apiProblems(401, unknownJob, { status: 409, when: 'The job has already ended', detail: `job ${EXAMPLE.jobId} is already completed` }, 415, 422),
  },
});

const retry = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/retry',
  operationId: 'retryJob',
  tags: ['jobs'],
  summary: 'Re-queue the failed items of a job',
  description:
    'Every failed item gets MAX_ATTEMPTS more submissions, in new batches; the job runs again until they end. ' +
    'With no failed items it changes nothing (`requeued: 0`). Send no body.',
  security: [{ bearer: [] }],
  request: { params: JobIdParam },
  responses: {
    202: {
      description: 'Failed items re-queued',
      content: {
        'application/json': {
          schema: z.object({ requeued: z.number().int().openapi({ description: 'Items put back in the queue' }), job: JobSchema }),
          example: { requeued: 2, job: { ...EXAMPLE_NEW_JOB, updated_at: EXAMPLE.finishedAt } },
        },
      },
    },
    ...apiProblems(401, unknownJob, { status: 409, when: 'The job was canceled', detail: `job ${EXAMPLE.jobId} was canceled` }, 415, 422),
  },
});

const close = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/close',
  operationId: 'closeJob',
  tags: ['jobs'],
  summary: 'Close an open source (watched folder, webhook stream): no more documents; the job ends when its work is done',
  description: 'For jobs whose source stays open (`source.open`): a watched invoices folder, or a webhook stream. Send no body.',
  security: [{ bearer: [] }],
  request: { params: JobIdParam },
  responses: {
    202: { description: 'Source closed; the job as it is now', content: { 'application/json': { schema: JobSchema, example: EXAMPLE_CLOSED_STREAM_JOB } } },
    ...apiProblems(
      401,
      unknownJob,
      { status: 409, when: 'The job has no open source, or is still reading it', detail: `job ${EXAMPLE.jobId} has no open source` },
      415,
      422,
    ),
  },
});

const EXAMPLE_RESUMED_JOB = {
  ...EXAMPLE_NEW_JOB,
  counts: { ...EXAMPLE_NEW_JOB.counts, queued: 1, succeeded: 1 },
  budget: { max_usd: 50, spent_usd: 24.81, reserved_usd: 0, remaining_usd: 25.19 },
  updated_at: '2026-11-24T11:12:00.000Z',
};

const ResumeSchema = z
  .object({
    max_usd: z.number().positive().max(1_000_000).nullable().optional().openapi({ description: 'The new budget in USD (null: none)' }),
    accept_pilot: z.boolean().optional().openapi({ description: 'For a job in pilot_failed: send the rest anyway' }),
  })
  .openapi('Resume', { description: 'What changes as the job goes on', example: { max_usd: 50 } });

const resume = createRoute({
  method: 'post',
  path: '/v1/jobs/{id}/resume',
  operationId: 'resumeJob',
  tags: ['jobs'],
  summary: 'Continue a paused job (awaiting_budget, pilot_failed), or change the budget of a running one',
  description:
    'A job in `awaiting_budget` runs again, under `max_usd` when given (it pauses again if that still cannot cover the next batch). ' +
    'A job in `pilot_failed` goes on only with `accept_pilot: true`: to fix the prompt instead, cancel it and start a new job. ' +
    'A running job takes the new `max_usd` at once. The body is optional.',
  security: [{ bearer: [] }],
  request: { params: JobIdParam, body: { required: false, description: 'Optional changes', content: { 'application/json': { schema: ResumeSchema } } } },
  responses: {
    202: { description: 'Resumed; the job as it is now', content: { 'application/json': { schema: JobSchema, example: EXAMPLE_RESUMED_JOB } } },
    ...apiProblems(
      400,
      401,
      unknownJob,
      { status: 409, when: 'The job has ended, or failed its pilot and accept_pilot is not true', detail: `job ${EXAMPLE.jobId} failed its pilot; resume with "accept_pilot": true to send the rest anyway, or cancel it and start a new job with a fixed task` },
      415,
      422,
    ),
  },
});

export function registerJobsActions(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(resume, async (c) => {
    const { id } = c.req.valid('param');
    await resumeJob(deps, id, c.req.valid('json') ?? {});
    const job = await deps.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return c.json(await jobView(deps.db, job, { retentionDays: deps.config.BATCHLINE_RETENTION_DAYS }), 202);
  });
  app.openapi(cancel, async (c) => {
    const { id } = c.req.valid('param');
    await cancelJob(deps, id);
    const job = await deps.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return c.json(await jobView(deps.db, job, { retentionDays: deps.config.BATCHLINE_RETENTION_DAYS }), 202);
  });
  app.openapi(close, async (c) => {
    const { id } = c.req.valid('param');
    await closeJobSource(deps, id);
    const job = await deps.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return c.json(await jobView(deps.db, job, { retentionDays: deps.config.BATCHLINE_RETENTION_DAYS }), 202);
  });
  app.openapi(retry, async (c) => {
    const { id } = c.req.valid('param');
    const requeued = await retryFailedItems(deps, id);
    const job = await deps.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return c.json({ requeued, job: await jobView(deps.db, job, { retentionDays: deps.config.BATCHLINE_RETENTION_DAYS }) }, 202);
  });
}
