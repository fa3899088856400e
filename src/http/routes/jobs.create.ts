// POST /v1/jobs: creates a job from inline documents; honors Idempotency-Key.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { dryRun } from '../../engine/intake/dry-run.ts';
import { createJob } from '../../engine/intake/ingest.ts';
import { jobView } from '../../engine/views/job-view.ts';
import { invalidField } from '../../errors.ts';
import type { AppDeps } from '../deps.ts';
import { CreateJobSchema, DryRunSchema, EXAMPLE_CREATE_JOB, EXAMPLE_DRY_RUN } from './jobs.create.schemas.ts';
import { EXAMPLE_NEW_JOB, JobSchema } from './jobs.schemas.ts';
import { apiProblems, EXAMPLE } from './shared.schemas.ts';

const createdJob = { schema: JobSchema, example: EXAMPLE_NEW_JOB };

const route = createRoute({
  method: 'post',
  path: '/v1/jobs',
  operationId: 'createJob',
  tags: ['jobs'],
  summary: 'Create a job',
  description:
    'Stores the job and its documents (inline ones in the same transaction; a source is read right after), then ' +
    'packs them into Message Batches, submits, collects, validates and delivers, retrying what failed. Follow it with ' +
    'GET /v1/jobs/{id}. With an Idempotency-Key, a repeated request returns the job created first instead of a new one. ' +
    'With `?dry_run=true` nothing is stored or sent: the documents are read, measured and packed as the job would be, a sample is ' +
    'counted with count_tokens, and the answer is the estimate (items, batches, tokens with their error bound, cost at batch and standard price).',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      dry_run: z
        .enum(['true', 'false'])
        .optional()
        .openapi({ param: { description: 'true: estimate only (200 with a DryRun); nothing is stored or submitted', example: 'true' } }),
    }),
    headers: z.object({
      'idempotency-key': z
        .string()
        .min(1)
        .max(255)
        .optional()
        .openapi({
          param: {
            description: 'Any unique string (a UUID): replays with the same key and body return the same job (200); the same key with another body is a 409',
            example: '0b6f3c1e-3d0a-4c57-9a51-5c2a8d1f7e42',
          },
        }),
    }),
    body: {
      required: true,
      description: 'The documents (inline or a source), the task and the sinks',
      content: {
        'application/json': {
          schema: CreateJobSchema,
          examples: {
            inline: { summary: 'Inline reviews, results to a JSONL file', value: EXAMPLE_CREATE_JOB },
            stream: {
              summary: 'Tickets pushed by Zendesk webhooks to a connection, until the job is closed',
              value: {
                name: 'support-stream',
                task: 'ticket-triage',
                source: { connection: EXAMPLE.connection, config: { stream: true } },
                sinks: [{ plugin: 'file', config: { path: 'out/tickets.jsonl' } }],
              },
            },
            custom_task: {
              summary: 'An inline task with its own prompt and answer schema',
              value: {
                name: 'languages',
                task: {
                  name: 'language-detect',
                  prompt: 'Which language is this review written in?\n\n{{text}}',
                  output_schema: { type: 'object', properties: { language: { type: 'string', description: 'ISO 639-1 code' } }, required: ['language'] },
                },
                max_tokens: 256,
                documents: [{ id: 'r3', text: 'La batterie tient deux jours.' }],
              },
            },
          },
        },
      },
    },
  },
  responses: {
    201: {
      description: 'Created; Location names the job, which is already running',
      headers: { Location: { description: 'The job: /v1/jobs/{id}', schema: { type: 'string' } } },
      content: { 'application/json': createdJob },
      links: {
        GetJob: { operationId: 'getJob', parameters: { id: '$response.body#/id' }, description: 'Follow the job' },
        ListJobResults: { operationId: 'listJobResults', parameters: { id: '$response.body#/id' }, description: 'Read its results' },
        CancelJob: { operationId: 'cancelJob', parameters: { id: '$response.body#/id' }, description: 'Cancel its open work' },
      },
    },
    200: {
      description: 'With dry_run=true, the estimate (a DryRun); else an Idempotency-Key replay: the job created earlier, as it is now',
      content: { 'application/json': { schema: z.union([DryRunSchema, JobSchema]), examples: { dry_run: { summary: 'dry_run=true', value: EXAMPLE_DRY_RUN }, replay: { summary: 'A replay', value: EXAMPLE_NEW_JOB } } } },
    },
    ...apiProblems(
      400,
      401,
      { status: 409, when: 'The Idempotency-Key was used with a different body; or a connection the job names cannot lend its credentials: its secrets were dropped when a PATCH moved it, or no configured key opens them', detail: 'this Idempotency-Key was already used with a different request body' },
      413,
      415,
      {
        status: 422,
        when: 'A field is invalid: unknown task, no documents nor source, a plugin config that fails its schema, a path outside BATCHLINE_FILE_ROOTS…',
        detail: 'task: unknown task "review-insight"; known tasks: review-insights, invoice-extraction, ticket-triage',
        errors: [{ field: 'task', message: 'unknown task "review-insight"; known tasks: review-insights, invoice-extraction, ticket-triage' }],
      },
    ),
  },
});

export function registerJobsCreate(app: OpenAPIHono, deps: AppDeps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const key = c.req.valid('header')['idempotency-key'];
    if (body.documents === undefined && body.source === undefined) throw invalidField('documents', 'give "documents" or "source"');
    if (c.req.valid('query').dry_run === 'true') return c.json(await dryRun(deps, body, c.req.raw.signal), 200);
    const { job, created } = await createJob(deps, body, key);
    const view = await jobView(deps.db, job, { retentionDays: deps.config.BATCHLINE_RETENTION_DAYS });
    c.header('Location', `/v1/jobs/${job.id}`);
    return c.json(view, created ? 201 : 200);
  });
}
