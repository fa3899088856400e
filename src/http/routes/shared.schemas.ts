// Schema building blocks every resource shares: example values, RFC 9457 problems, usage, error info, pages.
// Examples tell one story (a two-review job, its batch, its results), so that an id shown in one answer is
// the id another request takes.
import { z } from '@hono/zod-openapi';
import { ERROR_CODES, invalidField, type ErrorCode, type FieldProblem } from '../../errors.ts';

/** Values the examples share. */
export const EXAMPLE = {
  jobId: 'job_7fk2m9q4x1c8v3bn',
  providerBatchId: 'msgbatch_013Zva2CMHLNnXjNJJKqJ2EF',
  connection: 'support-desk',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  createdAt: '2026-11-24T10:00:00.118Z',
  finishedAt: '2026-11-24T10:41:18.530Z',
} as const;

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

// ---- Building blocks ----

/**
 * A named schema or null, as `anyOf: [$ref, null]`. (`.nullable()` on a named schema comes out as an
 * allOf that refuses null, or turns the shared component itself nullable.)
 */
export function orNull<T extends z.ZodType>(schema: T) {
  return z.union([schema, z.null()]);
}

export const EXAMPLE_USAGE = { input_tokens: 686, output_tokens: 132, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

export const UsageSchema = z
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

export const ErrorInfoSchema = z
  .object({
    type: z.string().openapi({ description: 'e.g. invalid_output (the answer failed the schema), expired, canceled, or the provider error type (invalid_request_error, overloaded_error, …)' }),
    message: z.string(),
  })
  .openapi('ErrorInfo', { description: 'Why something failed', example: { type: 'invalid_output', message: 'score: Too big: expected number to be <=5' } });

// ---- Pages ----

/** `{ data, next_cursor }`: one page of a list. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    next_cursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  });
}

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
