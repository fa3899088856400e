// POST /v1/jobs: the job request (documents, task, source, sinks, pilot) and the estimate a dry run answers.
import { z } from '@hono/zod-openapi';
import { documentSchema } from '../../engine/documents/document.ts';
import { REDACTION_KINDS } from '../../engine/intake/redact.ts';
import { customTaskSchema } from '../../tasks/registry.ts';

// ---- Requests ----

// One schema for documents, shared with the engine: HTTP validation and ingest can never disagree.
const DocumentSchema = documentSchema.openapi('Document', {
  description:
    'One document to process: `id` is your stable id (echoed as `external_id` in results), `text` and/or `attachments` ' +
    '(base64 PDFs or images) are what Claude reads; `title` and `metadata` are optional, usable in prompt templates ' +
    '(`{{title}}`, `{{metadata.rating}}`) and echoed in results.',
  example: { id: 'r1', title: 'Great battery', text: 'Battery lasts two days, but the strap broke in a week.', metadata: { rating: 3, app_version: '4.2.0' } },
});

const SinkRefSchema = z
  .object({
    plugin: z.string().optional().openapi({ description: 'A sink plugin (GET /v1/plugins), e.g. `file`, `http`, `postgres`, `zendesk`' }),
    config: z.record(z.string(), z.unknown()).optional().openapi({ description: "The plugin's config (its JSON Schema is in GET /v1/plugins); with `connection`, fields that override the connection's" }),
    connection: z.string().optional().openapi({ description: 'A sink connection (POST /v1/connections) instead of a plugin' }),
  })
  .openapi('SinkRef', {
    description: 'Where results go: a plugin with its config, or a named connection (whose config `config` may override in part). Each final result is delivered to each sink at least once, with an idempotency key.',
    example: { plugin: 'http', config: { url: 'https://hooks.example.com/batchline', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
  });

const SourceRefSchema = z
  .object({
    plugin: z.string().optional().openapi({ description: 'A source plugin (GET /v1/plugins), e.g. `reviews`, `invoices`, `zendesk`' }),
    connection: z.string().optional().openapi({ description: 'A source connection (POST /v1/connections) instead of a plugin' }),
    config: z.record(z.string(), z.unknown()).optional().openapi({ description: "The plugin's config; with `connection`, fields that override the connection's (e.g. `{ \"stream\": true }`)" }),
  })
  .openapi('SourceRef', {
    description: 'Where the documents come from: a source plugin with its config, or a named connection (whose config `config` may override in part)',
    example: { plugin: 'reviews', config: { path: 'exports/reviews_com.example_202611.csv', preset: 'google-play' } },
  });

const TaskRefSchema = z
  .union([
    z.string().openapi({ description: 'A built-in task (GET /v1/tasks): `review-insights`, `invoice-extraction` or `ticket-triage`', example: 'review-insights' }),
    customTaskSchema.openapi('CustomTask', {
      description:
        'An inline task: a prompt template (`{{text}}`, `{{id}}`, `{{title}}`, `{{metadata}}`, `{{metadata.<key>}}`), an optional system prompt, ' +
        'and the JSON Schema of the answer (an object); each answer is validated against it.',
      example: {
        name: 'language-detect',
        prompt: 'Which language is this review written in?\n\n{{text}}',
        output_schema: { type: 'object', properties: { language: { type: 'string', description: 'ISO 639-1 code' } }, required: ['language'] },
        max_tokens: 256,
      },
    }),
  ])
  .openapi({ description: 'A built-in task name, or an inline task' });

/** The job the other examples follow: two reviews, results to a file. */
export const EXAMPLE_CREATE_JOB = {
  name: 'q3-reviews',
  task: 'review-insights',
  documents: [
    { id: 'r1', text: 'Battery lasts two days, but the strap broke in a week.', metadata: { rating: 3, date: '2026-11-20' } },
    { id: 'r2', text: 'Pairs instantly and the app is clear. Love it.', metadata: { rating: 5, date: '2026-11-22' } },
  ],
  sinks: [{ plugin: 'file', config: { path: 'out/q3-reviews.jsonl' } }],
};

export const PilotSchema = z
  .object({
    items: z.number().int().min(1).max(100_000).openapi({ description: 'How many items the sample holds' }),
    min_success_rate: z.number().min(0).max(1).openapi({ description: 'Share of the sample whose answers must pass the task schema (0–1)' }),
  })
  .openapi('Pilot', {
    description: 'Send a sample first; the rest goes out only if enough of its answers pass the schema, else the job pauses in `pilot_failed`',
    example: { items: 100, min_success_rate: 0.95 },
  });

export const CreateJobSchema = z
  .object({
    name: z.string().max(200).optional().openapi({ description: 'A label for lists and the dashboard' }),
    task: TaskRefSchema,
    model: z.string().min(1).optional().openapi({ description: "Overrides the task's model" }),
    max_tokens: z.number().int().min(1).max(128_000).optional().openapi({ description: "Overrides the task's max_tokens per answer" }),
    documents: z.array(DocumentSchema).max(1_000_000).optional().openapi({ description: 'Inline documents; give either `documents` or `source`' }),
    source: SourceRefSchema.optional(),
    sinks: z.array(SinkRefSchema).max(20).optional().openapi({ description: 'Where to deliver results (none: read them with GET /v1/jobs/{id}/results)' }),
    max_usd: z
      .number()
      .positive()
      .max(1_000_000)
      .optional()
      .openapi({
        description:
          'Budget in USD at batch price. No batch is sent whose worst case (every answer max_tokens long) would take spend over it; ' +
          'the job pauses in `awaiting_budget` instead, and POST /v1/jobs/{id}/resume with a higher max_usd continues it. Default: BATCHLINE_DEFAULT_MAX_USD',
        example: 25,
      }),
    pilot: PilotSchema.optional(),
    cache: z
      .enum(['on', 'off'])
      .optional()
      .openapi({ description: 'The result cache: reuse the answer to an identical request of an earlier job instead of sending it, and store this job\'s answers. Default: BATCHLINE_RESULT_CACHE (off)', example: 'on' }),
    retention_days: z
      .number()
      .min(0)
      .max(36_500)
      .optional()
      .openapi({
        description:
          "Days after the job finished that its document text, answers and delivery payloads are kept; then they are purged and the job's summary (counts, usage, cost) stays. 0 purges right after it finished. Default: BATCHLINE_RETENTION_DAYS (unset: until the job is deleted)",
        example: 30,
      }),
    redact: z
      .array(z.enum(REDACTION_KINDS))
      .max(REDACTION_KINDS.length)
      .optional()
      .openapi({
        description:
          'Mask these patterns in document text (and title and metadata strings) before anything is stored or sent: `email`, `phone` (international and national formats), `card` (Luhn-valid card numbers only), `iban` (valid check digits only). ' +
          'Each becomes `[email]`, `[phone]`, `[card]`, `[iban]`; how many were masked is kept per item, what was masked is kept nowhere',
        example: ['email', 'phone', 'card', 'iban'],
      }),
  })
  .openapi('CreateJob', {
    description: 'A job: documents (inline, or read from a source), the task to run on each, and where the results go.',
    example: EXAMPLE_CREATE_JOB,
  });

// ---- Estimates ----

export const EXAMPLE_ESTIMATE = {
  items: 2,
  rejected: 0,
  batches: 1,
  model: 'claude-haiku-5-5',
  input_tokens: { estimate: 690, method: 'count_tokens_sample', sample_size: 2, sample_tokens: 690, error_bound: 0, tokens_per_byte: 0.251 },
  output_tokens: { estimate: 140, per_item: 70, basis: 'schema', observed_results: 0, max: 2048 },
  prompt_cache: { prefix_tokens: 250, min_prefix_tokens: 4096, cacheable: false, hit_rate: 0.5, hit_rate_basis: 'assumed', writes: 0, reads: 0 },
  result_cache: null,
  cost: { usd: 0.000614, no_cache_hit_usd: 0.000614, standard_usd: 0.00139, worst_case_usd: 0.005983 },
};

const EstimateSchema = z
  .object({
    items: z.number().int().openapi({ description: 'Requests to send: documents neither rejected nor answered by the result cache' }),
    rejected: z.number().int().openapi({ description: 'Documents that cannot be sent (broken rows, oversized files): failed, never billed' }),
    batches: z.number().int(),
    model: z.string(),
    input_tokens: z
      .object({
        estimate: z.number().int(),
        method: z.enum(['count_tokens_sample', 'bytes']).openapi({ description: 'count_tokens_sample: a sample measured exactly with count_tokens, the rest extrapolated by request size; bytes: no sample could be measured' }),
        sample_size: z.number().int(),
        sample_tokens: z.number().int().openapi({ description: 'Exact tokens of the sampled requests' }),
        error_bound: z.number().int().openapi({ description: '± tokens around the estimate, 95% confidence' }),
        tokens_per_byte: z.number(),
      })
      .openapi({ description: 'Input tokens of every request, the shared prefix included' }),
    output_tokens: z
      .object({
        estimate: z.number().int(),
        per_item: z.number(),
        basis: z.enum(['observed_mean', 'schema']).openapi({ description: "observed_mean: the mean of earlier answers to the same task and model; schema: a typical answer of the task's schema" }),
        observed_results: z.number().int(),
        max: z.number().int().openapi({ description: 'items × max_tokens: no answer is longer' }),
      })
      .openapi({ description: 'Output tokens' }),
    prompt_cache: z
      .object({
        prefix_tokens: z.number().int().openapi({ description: "Tokens of the task's shared prefix (tools, system prompt)" }),
        min_prefix_tokens: z.number().int().openapi({ description: "The model's minimum cacheable prefix (BATCHLINE_CACHE_MIN_TOKENS over the published table): a shorter one caches nothing" }),
        cacheable: z.boolean().openapi({ description: 'Whether the prefix reaches the minimum, so requests mark it with cache_control' }),
        hit_rate: z.number().openapi({ description: 'Share of requests (after the first of each batch) expected to read the prefix: hits inside a batch are best effort' }),
        hit_rate_basis: z.enum(['observed', 'assumed']).openapi({ description: 'observed: what earlier jobs of the task and model got; assumed: BATCHLINE_PROMPT_CACHE_HIT_RATE' }),
        writes: z.number().int(),
        reads: z.number().int(),
      })
      .openapi({ description: "The task's shared prefix and the prompt cache: expected writes (every miss) and reads" }),
    result_cache: z
      .object({ hits: z.number().int(), saved_usd: z.number() })
      .nullable()
      .openapi({ description: 'Requests the result cache answers (not sent, not billed) and what they cost first; null with the cache off' }),
    cost: z
      .object({
        usd: z.number().openapi({ description: 'Expected, at Message Batches price, prompt-cache reads included at the expected hit rate' }),
        no_cache_hit_usd: z.number().openapi({ description: 'The same if no request reads the prompt cache at all (every marked prefix written): an upper bound of usd for the estimated tokens' }),
        standard_usd: z.number().openapi({ description: 'The same requests at standard API price without any cache' }),
        worst_case_usd: z.number().openapi({ description: 'Every input token a cache write, every answer max_tokens long: what a budget must allow' }),
      })
      .openapi({ description: 'USD' }),
  })
  .openapi('Estimate', { description: 'What a job is expected to cost, before anything is sent', example: EXAMPLE_ESTIMATE });

export const StoredEstimateSchema = EstimateSchema.extend({
  made_at: z.string().openapi({ description: 'When it was made, before the first batch' }),
  while_reading: z.boolean().optional().openapi({ description: "Made while the job's source was still being read (its first batches went out early); made again once the read has ended" }),
}).openapi('StoredEstimate', {
  description: "The job's estimate, made from its items before its first batch",
  example: { ...EXAMPLE_ESTIMATE, made_at: '2026-11-24T10:00:00.301Z' },
});

export const ComparisonSchema = z
  .object({
    estimated: z.number(),
    actual: z.number(),
    error_pct: z.number().nullable().openapi({ description: '(actual − estimated) / actual, in percent' }),
  })
  .openapi('Comparison', { description: 'An estimated figure next to the actual one', example: { estimated: 0.000614, actual: 0.000673, error_pct: 8.8 } });

export const EXAMPLE_DRY_RUN = {
  dry_run: true,
  task: { name: 'review-insights', model: 'claude-haiku-5-5', max_tokens: 1024 },
  estimate: EXAMPLE_ESTIMATE,
  budget: { max_usd: 25, fits_expected: true, fits_worst_case: true },
};

export const DryRunSchema = z
  .object({
    dry_run: z.literal(true),
    task: z.object({ name: z.string(), model: z.string(), max_tokens: z.number().int() }),
    estimate: EstimateSchema,
    budget: z
      .object({ max_usd: z.number(), fits_expected: z.boolean(), fits_worst_case: z.boolean() })
      .nullable()
      .openapi({ description: 'The budget the job would run under, and whether its expected and worst-case costs fit (null: no budget)' }),
  })
  .openapi('DryRun', { description: 'The answer to POST /v1/jobs?dry_run=true: what the job would cost. Nothing was stored or sent.', example: EXAMPLE_DRY_RUN });
