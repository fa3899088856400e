// RFC 9457 problem details: every error the API answers is `application/problem+json`, made here only.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { AppError, ERROR_CODES, coerceError, fieldPath, type ErrorCode, type FieldProblem } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldProblem[];
}

export function problemResponse(c: Context, error: AppError, headers: Record<string, string> = {}): Response {
  const body: Problem = {
    type: `https://batchline.dev/problems/${error.code}`,
    title: ERROR_CODES[error.code].title,
    status: error.status,
    detail: error.message,
    code: error.code,
    instance: c.req.path,
    ...(error.problems.length > 0 ? { errors: [...error.problems] } : {}),
  };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** A failed zod validation of a request part → 422 naming every offending field. */
export function validationProblem(error: ZodError, prefix = ''): AppError {
  // An unknown key is named itself, not the object holding it: `config` rather than `(body)`.
  const problems = error.issues
    .flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((key) => ({ field: prefix + fieldPath([...i.path, key]), message: 'is not a known field' })) : [{ field: prefix + fieldPath(i.path), message: i.message }]))
    .slice(0, 20);
  const first = problems[0];
  return new AppError('validation_failed', first ? `${first.field}: ${first.message}` : 'invalid request', { problems });
}

/** The one error handler: known errors keep their status, the rest are logged and answered 500. */
export function errorHandler(log: Logger) {
  return function onError(error: Error, c: Context): Response {
    if (error instanceof HTTPException) {
      const byStatus: Record<number, ErrorCode> = { 401: 'unauthorized', 404: 'not_found', 413: 'payload_too_large', 415: 'unsupported_media_type', 429: 'rate_limited', 503: 'unavailable' };
      const code: ErrorCode = error.message.startsWith('Malformed JSON') ? 'malformed_json' : (byStatus[error.status] ?? (error.status >= 500 ? 'internal' : 'bad_request'));
      return problemResponse(c, new AppError(code, error.message || ERROR_CODES[code].title));
    }
    const appError = coerceError(error);
    if (appError.code === 'internal') log.error({ err: error, path: c.req.path }, 'request failed');
    return problemResponse(c, appError);
  };
}
