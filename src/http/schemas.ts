// Request and response schemas of the HTTP API, with their OpenAPI descriptions and examples: the single
// source of openapi.yaml. Examples tell one story (a two-review job, its batch, its results), so that an id
// shown in one answer is the id another request takes.
import { z } from '@hono/zod-openapi';
import { documentSchema } from '../engine/documents/document.ts';
import { ERROR_CODES, invalidField, type ErrorCode, type FieldProblem } from '../errors.ts';
import { customTaskSchema } from '../tasks/registry.ts';
import { REDACTION_KINDS } from '../engine/intake/redact.ts';

/** Values the examples share. */
export const EXAMPLE = {
  jobId: 'job_7fk2m9q4x1c8v3bn',
  providerBatchId: 'msgbatch_013Zva2CMHLNnXjNJJKqJ2EF',
  connection: 'support-desk',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  createdAt: '2026-11-24T10:00:00.118Z',
  finishedAt: '2026-11-24T10:41:18.530Z',
} as const;

/** The document's header: what every operation shares (auth, errors, pagination, idempotency, signatures). */
export const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'Batchline API',
    version: '0.1.0',
    description: [
      "Runs document sets through Claude's Message Batches API (half price, asynchronous) and delivers schema-validated results.",
      '',
      '- **Auth**: when the server has `BATCHLINE_API_KEYS`, every `/v1` route except the two signed ones needs `Authorization: Bearer <key>`. ' +
        '`/healthz`, `/readyz`, `/openapi.json` and the reference page `/docs` need none.',
      '- **Signed routes**: `POST /v1/callbacks/batches` (Standard Webhooks, `WEBHOOK_SECRET`) and `POST /v1/connections/{name}/webhook` ' +
        "(the source's own scheme, e.g. Zendesk's) are authenticated by their signature.",
      '- **Errors** are RFC 9457 `application/problem+json` with a stable `code`; a 422 lists every invalid field in `errors`.',
      '- **Lists** are cursor-paginated: pass `next_cursor` back as `cursor` until it is null.',
      '- **Idempotency**: `POST /v1/jobs` takes an `Idempotency-Key` header; a replay returns the job created first.',
      '- **Rate limit**: per client (`BATCHLINE_RATE_LIMIT_RPS`); a 429 says how long to wait in `Retry-After`.',
    ].join('\n'),
  },
  tags: [
    { name: 'jobs', description: 'Create jobs, follow them, read their results, cancel, retry, close' },
    { name: 'experiments', description: 'Pit prompts and models against each other on a sample, compare the answers (and score them against gold labels), then promote the winner to a full job' },
    { name: 'deliveries', description: "A job's outbox: each final result delivered to each sink, and replays" },
    { name: 'connections', description: "Named, configured plugin instances for a team's systems (secrets write-only), and their inbound webhooks" },
    { name: 'tasks', description: 'Built-in tasks and the JSON Schema of their answers' },
    { name: 'plugins', description: 'Source and sink plugins with the JSON Schema of their config' },
    { name: 'callbacks', description: 'Signed completion events for provider batches' },
    { name: 'secrets', description: 'Rotating BATCHLINE_SECRET_KEY: re-seal what is stored under the current key' },
    { name: 'health', description: 'Liveness and readiness probes' },
  ],
};

// ---- Problems (RFC 9457) ----

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ description: 'URI naming the kind of problem: https://batchline.dev/problems/{code}' }),
    title: z.string().openapi({ description: 'Short summary of the kind of problem (the same for every occurrence)' }),
    status: z.number().int().openapi({ description: 'The HTTP status code' }),
    detail: z.string().openapi({ description: 'What went wrong this time, in one line that names the field or resource' }),
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]).openapi({ description: 'Stable machine-readable code; branch on this, not on the text' }),
    instance: z.string().optional().openapi({ description: 'The request path' }),
    errors: z
      .array(z.object({ field: z.string().openapi({ description: 'Dotted path of the field, e.g. documents.3.text or query.limit' }), message: z.string() }))
      .optional()
      .openapi({ description: 'With validation_failed: every offending field (up to 20)' }),
  })
  .openapi('Problem', {
    description: 'An error, as RFC 9457 problem details (`application/problem+json`). No error ever contains a secret.',
    example: {
      type: 'https://batchline.dev/problems/validation_failed',
      title: 'Validation failed',
      status: 422,
      detail: 'documents.0.text: needs text or at least one attachment',
      code: 'validation_failed',
      instance: '/v1/jobs',
      errors: [{ field: 'documents.0.text', message: 'needs text or at least one attachment' }],
    },
  });

export type ProblemStatus = 400 | 401 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

/** One way a route can fail: when it happens, and the problem it answers then. */
export interface ProblemCase {
  status: ProblemStatus;
  when: string;
  detail: string;
  code?: ErrorCode;
  errors?: FieldProblem[];
}

const COMMON_PROBLEMS: Record<ProblemStatus, Omit<ProblemCase, 'status'>> = {
  400: { when: 'The body is not valid JSON', detail: 'Malformed JSON in request body', code: 'malformed_json' },
  401: { when: 'The bearer token is missing or is not one of BATCHLINE_API_KEYS', detail: 'a valid bearer token is required', code: 'unauthorized' },
  404: { when: 'The resource does not exist', detail: `job ${EXAMPLE.jobId} does not exist`, code: 'not_found' },
  409: { when: 'The request conflicts with the current state of the resource', detail: 'the resource changed; read it again', code: 'conflict' },
  413: { when: 'The body is larger than BATCHLINE_MAX_BODY_BYTES (64 MB by default)', detail: 'the request body is over 67108864 bytes', code: 'payload_too_large' },
  415: { when: 'A body or Content-Type other than application/json was sent', detail: 'send the body as application/json', code: 'unsupported_media_type' },
  422: {
    when: 'A parameter or body field is invalid; `errors` names every one',
    detail: 'query.limit: Too big: expected number to be <=1000',
    code: 'validation_failed',
    errors: [{ field: 'query.limit', message: 'Too big: expected number to be <=1000' }],
  },
  429: {
    when: 'Over the rate limit of the API key, or of the client address where there is no key (BATCHLINE_RATE_LIMIT_RPS); or this address sent too many wrong bearer tokens. Wait Retry-After seconds',
    detail: 'rate limit of 50 requests/s exceeded; retry after 1 s',
    code: 'rate_limited',
  },
  500: { when: 'An unexpected error; it is logged with the request, the answer carries no internals', detail: 'An internal error occurred', code: 'internal' },
  503: { when: 'The request took longer than BATCHLINE_REQUEST_TIMEOUT_MS (30 s by default)', detail: 'the request took too long', code: 'unavailable' },
};

const CODE_BY_STATUS: Record<ProblemStatus, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  500: 'internal',
  503: 'unavailable',
};

const PROBLEM_HEADERS: Partial<Record<ProblemStatus, Record<string, { description: string; schema: { type: 'string' | 'integer' } }>>> = {
  401: { 'WWW-Authenticate': { description: 'With a missing or wrong bearer token: `Bearer realm="batchline"`', schema: { type: 'string' } } },
  429: { 'Retry-After': { description: 'Seconds to wait before the next request', schema: { type: 'integer' } } },
};

/**
 * The problem+json answers of a route: a status alone takes the common description and example, a
 * ProblemCase says what that status means on this route. Every /v1 route may also answer 429 (rate
 * limit), 500 and 503 (request timeout): `apiProblems` adds those.
 */
export function problemResponses(...cases: Array<ProblemStatus | ProblemCase>) {
  return Object.fromEntries(
    cases.map((c) => {
      const spec: ProblemCase = typeof c === 'number' ? { status: c, ...COMMON_PROBLEMS[c] } : c;
      const code = spec.code ?? CODE_BY_STATUS[spec.status];
      const example = {
        type: `https://batchline.dev/problems/${code}`,
        title: ERROR_CODES[code].title,
        status: spec.status,
        detail: spec.detail,
        code,
        ...(spec.errors ? { errors: spec.errors } : {}),
      };
      const headers = PROBLEM_HEADERS[spec.status];
      return [
        spec.status,
        {
          description: `${spec.when} — RFC 9457 problem \`${code}\``,
          ...(headers ? { headers } : {}),
          content: { 'application/problem+json': { schema: ProblemSchema, example } },
        },
      ];
    }),
  );
}

/** problemResponses plus what the /v1 middleware can answer on any route: 429, 500 and 503. */
export function apiProblems(...cases: Array<ProblemStatus | ProblemCase>) {
  return problemResponses(...cases, 429, 500, 503);
}

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
    { id: 'r1', text: 'Battery lasts two days, but the strap broke in a week.', metadata: { rating: 3 } },
    { id: 'r2', text: 'Pairs instantly and the app is clear. Love it.', metadata: { rating: 5 } },
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

// ---- Jobs and results ----

/**
 * A named schema or null, as `anyOf: [$ref, null]`. (`.nullable()` on a named schema comes out as an
 * allOf that refuses null, or turns the shared component itself nullable.)
 */
function orNull<T extends z.ZodType>(schema: T) {
  return z.union([schema, z.null()]);
}

const EXAMPLE_USAGE = { input_tokens: 686, output_tokens: 132, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

const UsageSchema = z
  .object({
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cache_creation_input_tokens: z.number().int(),
    cache_read_input_tokens: z.number().int(),
  })
  .openapi('Usage', {
    description: 'Tokens used, as the provider reports them',
    example: EXAMPLE_USAGE,
  });

const ErrorInfoSchema = z
  .object({
    type: z.string().openapi({ description: 'e.g. invalid_output (the answer failed the schema), expired, canceled, or the provider error type (invalid_request_error, overloaded_error, …)' }),
    message: z.string(),
  })
  .openapi('ErrorInfo', { description: 'Why something failed', example: { type: 'invalid_output', message: 'score: Too big: expected number to be <=5' } });

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

const EXAMPLE_ESTIMATE = {
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

const StoredEstimateSchema = EstimateSchema.extend({
  made_at: z.string().openapi({ description: 'When it was made, before the first batch' }),
  while_reading: z.boolean().optional().openapi({ description: "Made while the job's source was still being read (its first batches went out early); made again once the read has ended" }),
}).openapi('StoredEstimate', {
  description: "The job's estimate, made from its items before its first batch",
  example: { ...EXAMPLE_ESTIMATE, made_at: '2026-11-24T10:00:00.301Z' },
});

const ComparisonSchema = z
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

export const EXAMPLE_TOMBSTONE = {
  id: EXAMPLE.jobId,
  name: 'q3-reviews',
  task: 'review-insights',
  model: 'claude-haiku-5-5',
  status_before: 'completed',
  counts: { total: 2, queued: 0, submitted: 0, succeeded: 2, failed: 0, canceled: 0, retry_wait: 0 },
  usage: EXAMPLE_USAGE,
  cost: { usd: 0.000673, standard_usd: 0.001346, saved_usd: 0.000673 },
  provider_batches: 1,
  deleted_by: 'api:key-3f9a0c2b7d41',
  created_at: EXAMPLE.createdAt,
  finished_at: EXAMPLE.finishedAt,
  delete_requested_at: '2026-12-01T09:12:44.020Z',
  deleted_at: '2026-12-01T09:12:47.388Z',
};

export const TombstoneSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    task: z.string().openapi({ description: 'The task name' }),
    model: z.string(),
    status_before: z.string().openapi({ description: 'The status the job had when its delete was asked for' }),
    counts: z.record(z.string(), z.number().int()).openapi({ description: 'Items by state when it was deleted' }),
    usage: UsageSchema,
    cost: z.object({ usd: z.number(), standard_usd: z.number(), saved_usd: z.number() }).openapi({ description: 'What the job cost, in USD' }),
    provider_batches: z.number().int().openapi({ description: 'Provider batches it had, all deleted at the provider' }),
    deleted_by: z.string().openapi({ description: 'Who asked: a fingerprint of the bearer token (`api:key-…`), `dashboard:…` or `…:anonymous`; never the token' }),
    created_at: z.string(),
    finished_at: z.string().nullable(),
    delete_requested_at: z.string(),
    deleted_at: z.string().openapi({ description: 'When its last row was removed' }),
  })
  .openapi('DeletedJob', { description: 'What is kept of a deleted job for an audit: who deleted it and when, its counts, usage and cost; no text', example: EXAMPLE_TOMBSTONE });

export const EXAMPLE_RESULT = {
  job_id: EXAMPLE.jobId,
  item_id: '1',
  external_id: 'r1',
  status: 'succeeded',
  output: {
    sentiment: 'mixed',
    score: 3,
    key_points: ['battery lasts two days', 'strap broke within a week'],
    issues: ['strap broke within a week'],
    summary: 'Long battery life, but the strap broke after a week.',
  },
  error: null,
  attempts: 1,
  usage: { input_tokens: 343, output_tokens: 66, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  metadata: { rating: 3 },
};

export const ResultSchema = z
  .object({
    job_id: z.string(),
    item_id: z.string().openapi({ description: "Batchline's id of the item" }),
    external_id: z.string().openapi({ description: "The document's `id`" }),
    status: z.enum(['succeeded', 'failed', 'canceled']),
    output: z.unknown().nullable().openapi({ description: "The answer, valid against the task's output schema (null unless succeeded)" }),
    error: orNull(ErrorInfoSchema).openapi({ description: 'Why the item failed (null unless failed or canceled)' }),
    attempts: z.number().int().openapi({ description: 'Submissions it took' }),
    usage: orNull(UsageSchema),
    metadata: z.record(z.string(), z.unknown()).nullable().openapi({ description: "The document's metadata" }),
  })
  .openapi('Result', { description: 'The final result of one document', example: EXAMPLE_RESULT });

/** `{ data, next_cursor }`: one page of a list. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    next_cursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  });
}

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

/** Cursors of id-ordered pages (results, deliveries) are the last id seen; anything else is a 422. */
export function parseIdCursor(cursor: string | undefined): number {
  const after = cursor === undefined ? 0 : Number(cursor);
  if (!Number.isSafeInteger(after) || after < 0) throw invalidField('query.cursor', 'is not a cursor returned by this API');
  return after;
}

export const PageQuery = z.object({
  cursor: z
    .string()
    .max(500)
    .optional()
    .openapi({ param: { description: '`next_cursor` of the previous page (opaque); omit for the first page', example: '100' } }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .openapi({ param: { description: 'Page size, 1–1000', example: 50 } }),
});
