// A job as the API shows it (status, batches, cost, pilot, caches, retention), its list entry, and the /v1/jobs/{id} parameter.
import { z } from '@hono/zod-openapi';
import { ComparisonSchema, EXAMPLE_ESTIMATE, StoredEstimateSchema } from './jobs.create.schemas.ts';
import { ErrorInfoSchema, EXAMPLE, EXAMPLE_USAGE, orNull, UsageSchema, type ProblemCase } from './shared.schemas.ts';

export const JobStatusSchema = z
  .enum(['pending', 'ingesting', 'running', 'awaiting_budget', 'pilot_failed', 'completed', 'completed_with_errors', 'canceled', 'failed', 'deleting'])
  .openapi('JobStatus', {
    description:
      'pending → ingesting → running → completed | completed_with_errors | canceled | failed. A running job pauses in awaiting_budget ' +
      '(its budget cannot cover the next batch) or pilot_failed (its pilot sample missed the bar) until POST /v1/jobs/{id}/resume. ' +
      'Any job goes to deleting on DELETE /v1/jobs/{id}, and is gone (404) once every part of it is',
    example: 'completed',
  });

const EXAMPLE_BATCH = {
  id: 1,
  provider_id: EXAMPLE.providerBatchId,
  status: 'collected',
  provider_status: 'ended',
  request_count: 2,
  request_counts: { processing: 0, succeeded: 2, errored: 0, canceled: 0, expired: 0 },
  is_retry: false,
  created_at: '2026-11-24T10:00:00.412Z',
  submitted_at: '2026-11-24T10:00:01.088Z',
  ended_at: '2026-11-24T10:41:17.000Z',
  last_error: null,
  unconfirmed: null,
  gone: null,
};

const BatchViewSchema = z
  .object({
    id: z.number().int().openapi({ description: "Batchline's id of the batch" }),
    provider_id: z.string().nullable().openapi({ description: 'The Message Batches id (`msgbatch_…`), null until submitted' }),
    status: z.string().openapi({ description: 'planned, submitting, in_progress, canceling, ended or collected; unconfirmed while the provider answers 404 for the id it gave (looked at again, items kept); gone once declared gone (its unanswered items were sent again)' }),
    provider_status: z.string().nullable().openapi({ description: "The provider's processing_status" }),
    request_count: z.number().int(),
    request_counts: z.record(z.string(), z.number()).nullable().openapi({ description: "The provider's request_counts (processing, succeeded, errored, canceled, expired)" }),
    is_retry: z.boolean().openapi({ description: 'Holds only items re-submitted after a retryable failure' }),
    created_at: z.string(),
    submitted_at: z.string().nullable(),
    ended_at: z.string().nullable(),
    last_error: orNull(ErrorInfoSchema),
    unconfirmed: z
      .object({ since: z.string(), looks: z.number().int(), reason: z.string() })
      .nullable()
      .openapi({ description: 'While the provider answers 404 for the id batches.create gave: a provider id is a promise, so the batch keeps its items and is looked at again with backoff. Declared gone only after BATCHLINE_UNCONFIRMED_WINDOW_MS without a break and a check of batches.list' }),
    gone: z
      .object({ at: z.string(), reason: z.string(), requeued: z.number().int().openapi({ description: 'Its unanswered items sent again in a new batch' }) })
      .nullable()
      .openapi({ description: 'Set when the batch was declared gone (rare, and logged, counted and traced)' }),
  })
  .openapi('Batch', { description: 'One provider batch of the job', example: EXAMPLE_BATCH });

const PilotFailureSchema = z
  .object({ external_id: z.string(), output: z.unknown().openapi({ description: 'The answer as given' }), error: orNull(ErrorInfoSchema) })
  .openapi('PilotFailure', {
    description: 'An answer of the pilot that failed the task schema',
    example: { external_id: 'r1', output: { sentiment: 'good' }, error: { type: 'invalid_output', message: 'sentiment: Invalid option' } },
  });

/** A job as GET /v1/jobs/{id} shows it once done. */
export const EXAMPLE_JOB = {
  id: EXAMPLE.jobId,
  name: 'q3-reviews',
  status: 'completed',
  task: { name: 'review-insights', model: 'claude-haiku-5-5', max_tokens: 1024 },
  cancel_requested: false,
  counts: { total: 2, queued: 0, submitted: 0, succeeded: 2, failed: 0, canceled: 0, retry_wait: 0 },
  batches: [EXAMPLE_BATCH],
  usage: EXAMPLE_USAGE,
  cost: { usd: 0.000673, standard_usd: 0.001346, saved_usd: 0.000673, savings: { batch_discount_usd: 0.000673, prompt_cache_usd: 0, result_cache_usd: 0 } },
  estimate: { ...EXAMPLE_ESTIMATE, made_at: '2026-11-24T10:00:00.301Z' },
  estimate_vs_actual: {
    cost_usd: { estimated: 0.000614, actual: 0.000673, error_pct: 8.8 },
    input_tokens: { estimated: 690, actual: 686, error_pct: -0.6 },
    output_tokens: { estimated: 140, actual: 132, error_pct: -6.1 },
  },
  budget: null,
  pilot: null,
  result_cache: { enabled: false, hits: 0, saved_usd: 0 },
  pause_reason: null,
  prompt_cache: {
    marked: false,
    prefix_tokens: 250,
    min_prefix_tokens: 4096,
    basis: 'count_tokens',
    note: 'no prefix was cacheable: the task\'s shared prefix is 250 tokens and claude-haiku-5-5 caches prefixes from 4096 tokens, so nothing is marked and every input token is billed in full',
  },
  provider_incidents: { unconfirmed_batches: 0, gone_batches: 0, requeued_items: 0 },
  deliveries: { pending: 0, delivered: 2, dead: 0 },
  source: null,
  retention: { days: 30, purge_after: '2026-12-24T10:41:18.530Z', purged_at: null },
  redact: null,
  deletion: null,
  error: null,
  trace_id: EXAMPLE.traceId,
  created_at: EXAMPLE.createdAt,
  updated_at: EXAMPLE.finishedAt,
  finished_at: EXAMPLE.finishedAt,
};

/** The same job as POST /v1/jobs answers it: created, nothing sent yet. */
export const EXAMPLE_NEW_JOB = {
  ...EXAMPLE_JOB,
  status: 'running',
  counts: { total: 2, queued: 2, submitted: 0, succeeded: 0, failed: 0, canceled: 0, retry_wait: 0 },
  batches: [],
  usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  cost: { usd: 0, standard_usd: 0, saved_usd: 0, savings: { batch_discount_usd: 0, prompt_cache_usd: 0, result_cache_usd: 0 } },
  estimate: null,
  estimate_vs_actual: null,
  prompt_cache: null,
  deliveries: { pending: 0, delivered: 0, dead: 0 },
  retention: { days: 30, purge_after: null, purged_at: null },
  updated_at: '2026-11-24T10:00:00.131Z',
  finished_at: null,
};

export const JobSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    status: JobStatusSchema,
    task: z.object({ name: z.string(), model: z.string(), max_tokens: z.number().int() }).openapi({ description: 'The task as resolved at creation' }),
    cancel_requested: z.boolean(),
    counts: z
      .object({
        total: z.number().int(),
        queued: z.number().int(),
        submitted: z.number().int(),
        succeeded: z.number().int(),
        failed: z.number().int(),
        canceled: z.number().int(),
        retry_wait: z.number().int(),
      })
      .openapi({ description: 'Items by state' }),
    batches: z.array(BatchViewSchema),
    usage: UsageSchema,
    cost: z
      .object({
        usd: z.number().openapi({ description: 'Spent so far: what the provider bills, at Message Batches prices (50% of standard), prompt-cache reads and writes priced' }),
        standard_usd: z.number().openapi({ description: 'Standard-price equivalent: every item at standard API prices, with no prompt cache and no result cache' }),
        saved_usd: z.number().openapi({ description: 'standard_usd − usd' }),
        savings: z
          .object({
            batch_discount_usd: z.number().openapi({ description: 'The 50% batch discount on the standard-price equivalent' }),
            prompt_cache_usd: z.number().openapi({ description: 'What prompt-cache reads took off the batch price (writes cost 25% more, so it can be negative)' }),
            result_cache_usd: z.number().openapi({ description: 'What answers reused from the result cache would have cost at batch price' }),
          })
          .openapi({ description: 'saved_usd split by source; the parts add up to it' }),
      })
      .openapi({ description: 'Money so far, in USD' }),
    estimate: orNull(StoredEstimateSchema).openapi({ description: 'Made before the first batch; null until then' }),
    estimate_vs_actual: z
      .object({ cost_usd: ComparisonSchema, input_tokens: ComparisonSchema, output_tokens: ComparisonSchema })
      .nullable()
      .openapi({ description: 'Once the job has ended: the estimate next to what it used and cost' }),
    budget: z
      .object({
        max_usd: z.number(),
        spent_usd: z.number().openapi({ description: 'What stored results cost' }),
        reserved_usd: z.number().openapi({ description: 'The worst case of batches still out, held back until their results are in' }),
        remaining_usd: z.number(),
      })
      .nullable()
      .openapi({ description: 'Budget and spend so far; null without max_usd' }),
    pilot: z
      .object({
        items: z.number().int(),
        min_success_rate: z.number(),
        state: z.enum(['pending', 'running', 'passed', 'failed', 'accepted']).openapi({ description: 'accepted: failed, then sent on anyway by a resume with accept_pilot' }),
        batch_id: z.number().int().nullable(),
        sample: z
          .object({ judged: z.number().int(), valid: z.number().int(), rate: z.number().nullable() })
          .nullable()
          .openapi({ description: 'Answers judged (schema-valid or not) and how many passed' }),
        failures: z.array(PilotFailureSchema).openapi({ description: 'The pilot answers that failed the schema (at most 20)' }),
      })
      .nullable()
      .openapi({ description: 'The pilot run; null without one' }),
    result_cache: z
      .object({ enabled: z.boolean(), hits: z.number().int().openapi({ description: 'Items answered from the cache, not sent' }), saved_usd: z.number() })
      .openapi({ description: 'The result cache for this job' }),
    pause_reason: orNull(ErrorInfoSchema).openapi({ description: 'Why the job waits (awaiting_budget, pilot_failed)' }),
    prompt_cache: z
      .object({
        marked: z.boolean().openapi({ description: "Whether requests mark the task's shared prefix with cache_control" }),
        prefix_tokens: z.number().int(),
        min_prefix_tokens: z.number().int().openapi({ description: "The model's minimum cacheable prefix" }),
        basis: z.enum(['count_tokens', 'bytes']).openapi({ description: 'count_tokens: the prefix measured by the API; bytes: estimated from its size' }),
        note: z.string().openapi({ description: 'The decision in a sentence' }),
      })
      .nullable()
      .openapi({ description: 'Decided once, before the first batch: a prefix below the minimum is not marked (it would cache nothing); null until then' }),
    provider_incidents: z
      .object({
        unconfirmed_batches: z.number().int().openapi({ description: 'Batches the provider answers 404 for right now (looked at again, items kept)' }),
        gone_batches: z.number().int().openapi({ description: 'Batches declared gone: their unanswered items were sent again' }),
        requeued_items: z.number().int(),
      })
      .openapi({ description: 'Transient provider answers this job met, over all its batches' }),
    deliveries: z
      .object({ pending: z.number().int(), delivered: z.number().int(), dead: z.number().int() })
      .openapi({ description: 'Deliveries to the sinks by state (one per final result and sink)' }),
    source: z
      .object({
        plugin: z.string(),
        connection: z.string().nullable(),
        open: z.boolean().openapi({ description: 'Still takes documents (watched folder, webhook stream); POST /v1/jobs/{id}/close ends that' }),
        read: z.number().int().openapi({ description: 'Documents read from the source so far' }),
        rejected: z.number().int().openapi({ description: 'Of those, unusable ones (broken rows, oversized files), kept as failed items' }),
        last_error: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: 'The source read, null for inline documents' }),
    retention: z
      .object({
        days: z.number().nullable().openapi({ description: "The job's retention_days, else BATCHLINE_RETENTION_DAYS; null: kept until the job is deleted" }),
        purge_after: z.string().nullable().openapi({ description: 'When the text, answers and delivery payloads are purged (null while the job runs, or without retention)' }),
        purged_at: z.string().nullable().openapi({ description: 'When they were purged; the summary (counts, usage, cost) stays' }),
      })
      .openapi({ description: 'How long the customer text of this job is kept' }),
    redact: z.array(z.string()).nullable().openapi({ description: 'The patterns masked before anything was stored or sent (null: none)' }),
    deletion: z
      .object({ requested_at: z.string(), by: z.string().openapi({ description: 'Who asked: a fingerprint of the bearer token, never the token' }) })
      .nullable()
      .openapi({ description: 'Set once DELETE /v1/jobs/{id} was asked for (status deleting); the job answers 404 once every part of it is gone' }),
    error: orNull(ErrorInfoSchema).openapi({ description: 'Why the job failed, when it did' }),
    trace_id: z.string().nullable().openapi({ description: "W3C trace id of the job's trace (null when tracing was off when it was created)" }),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('Job', { description: 'A job with its counts, batches, token usage, cost and deliveries', example: EXAMPLE_JOB });

export const EXAMPLE_JOB_SUMMARY = {
  id: EXAMPLE.jobId,
  name: 'q3-reviews',
  status: 'completed',
  task: 'review-insights',
  created_at: EXAMPLE.createdAt,
  updated_at: EXAMPLE.finishedAt,
  finished_at: EXAMPLE.finishedAt,
};

export const JobSummarySchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    status: JobStatusSchema,
    task: z.string().openapi({ description: 'The task name' }),
    created_at: z.string(),
    updated_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('JobSummary', {
    description: 'A job in a list (GET /v1/jobs/{id} has the details)',
    example: EXAMPLE_JOB_SUMMARY,
  });

// ---- Parameters ----

export const JobIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path', description: 'The job id (`job_…`), as POST /v1/jobs answered it', example: EXAMPLE.jobId } }),
});

/** The 404 of every /v1/jobs/{id}… route. */
export const unknownJob: ProblemCase = { status: 404, when: 'No job has this id', detail: `job ${EXAMPLE.jobId} does not exist` };
