// Request and response schemas of the HTTP API, with OpenAPI metadata: the single source of openapi.yaml.
import { z } from '@hono/zod-openapi';
import { documentSchema } from '../engine/document.ts';
import { invalidField } from '../errors.ts';
import { customTaskSchema } from '../tasks/registry.ts';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', { example: { type: 'https://batchline.dev/problems/validation_failed', title: 'Validation failed', status: 422, detail: 'documents: must contain at least one document', code: 'validation_failed' } });

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: ProblemSchema } } }]));

// One schema for documents, shared with the engine: HTTP validation and ingest can never disagree.
const DocumentSchema = documentSchema.openapi('Document');

const SinkRefSchema = z
  .object({
    plugin: z.string().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    connection: z.string().optional(),
  })
  .openapi('SinkRef', { description: 'A sink: a plugin with its config, or a named connection (whose config `config` may override in part)' });

const SourceRefSchema = z
  .object({
    plugin: z.string().optional(),
    connection: z.string().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('SourceRef', {
    description: 'Where the documents come from: a source plugin with its config, or a named connection (whose config `config` may override in part)',
    example: { plugin: 'reviews', config: { path: 'exports/reviews_com.example_202611.csv', preset: 'google-play' } },
  });

export const CreateJobSchema = z
  .object({
    name: z.string().max(200).optional(),
    task: z.union([z.string(), customTaskSchema]).openapi({ description: 'A built-in task name, or an inline task' }),
    model: z.string().min(1).optional(),
    max_tokens: z.number().int().min(1).max(128_000).optional(),
    documents: z.array(DocumentSchema).max(1_000_000).optional(),
    source: SourceRefSchema.optional(),
    sinks: z.array(SinkRefSchema).max(20).optional(),
  })
  .openapi('CreateJob', {
    example: {
      name: 'q3-reviews',
      task: 'review-insights',
      documents: [{ id: 'r1', text: 'Battery lasts two days, but the strap broke in a week.', metadata: { rating: 3 } }],
      sinks: [{ plugin: 'file', config: { path: 'out/q3-reviews.jsonl' } }],
    },
  });

const UsageSchema = z.object({
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cache_creation_input_tokens: z.number().int(),
  cache_read_input_tokens: z.number().int(),
});

const ErrorInfoSchema = z.object({ type: z.string(), message: z.string() });

export const JobStatusSchema = z.enum(['pending', 'ingesting', 'running', 'completed', 'completed_with_errors', 'canceled', 'failed']);

export const JobSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    status: JobStatusSchema,
    task: z.object({ name: z.string(), model: z.string(), max_tokens: z.number().int() }),
    cancel_requested: z.boolean(),
    counts: z.object({
      total: z.number().int(),
      queued: z.number().int(),
      submitted: z.number().int(),
      succeeded: z.number().int(),
      failed: z.number().int(),
      canceled: z.number().int(),
      retry_wait: z.number().int(),
    }),
    batches: z.array(
      z.object({
        id: z.number().int(),
        provider_id: z.string().nullable(),
        status: z.string(),
        provider_status: z.string().nullable(),
        request_count: z.number().int(),
        request_counts: z.record(z.string(), z.number()).nullable(),
        is_retry: z.boolean(),
        created_at: z.string(),
        submitted_at: z.string().nullable(),
        ended_at: z.string().nullable(),
        last_error: ErrorInfoSchema.nullable(),
      }),
    ),
    usage: UsageSchema,
    cost: z.object({ usd: z.number(), standard_usd: z.number(), saved_usd: z.number() }),
    deliveries: z.object({ pending: z.number().int(), delivered: z.number().int(), dead: z.number().int() }),
    source: z
      .object({
        plugin: z.string(),
        connection: z.string().nullable(),
        open: z.boolean().openapi({ description: 'Still takes documents (watched folder, webhook stream); POST /v1/jobs/{id}/close ends that' }),
        read: z.number().int().openapi({ description: 'Documents read from the source so far' }),
        rejected: z.number().int().openapi({ description: 'Of those, unusable ones (broken rows, oversized files), kept as failed items' }),
        last_error: z.string().nullable(),
      })
      .nullable(),
    error: ErrorInfoSchema.nullable(),
    trace_id: z.string().nullable().openapi({ description: "W3C trace id of the job's trace (null when tracing was off when it was created)" }),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('Job');

export const JobSummarySchema = z
  .object({ id: z.string(), name: z.string().nullable(), status: JobStatusSchema, task: z.string(), created_at: z.string(), updated_at: z.string(), finished_at: z.string().nullable() })
  .openapi('JobSummary');

export const ResultSchema = z
  .object({
    job_id: z.string(),
    item_id: z.string(),
    external_id: z.string(),
    status: z.enum(['succeeded', 'failed', 'canceled']),
    output: z.unknown().nullable(),
    error: ErrorInfoSchema.nullable(),
    attempts: z.number().int(),
    usage: UsageSchema.nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('Result');

export const JobIdParam = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' }, example: 'job_0123456789abcdefghij' }) });

/** Cursors of id-ordered pages (results, deliveries) are the last id seen; anything else is a 422. */
export function parseIdCursor(cursor: string | undefined): number {
  const after = cursor === undefined ? 0 : Number(cursor);
  if (!Number.isSafeInteger(after) || after < 0) throw invalidField('query.cursor', 'is not a cursor returned by this API');
  return after;
}

export const PageQuery = z.object({
  cursor: z.string().max(500).optional().openapi({ description: 'Opaque cursor from the previous page' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
