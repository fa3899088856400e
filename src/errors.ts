// One error family for the whole service: a fixed list of codes, each with its HTTP status and title.
// Safe messages only: internals (and never secrets) go to logs, not to the caller.

export const ERROR_CODES = {
  bad_request: { status: 400, title: 'Bad request' },
  malformed_json: { status: 400, title: 'Malformed JSON' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  misdirected_request: { status: 421, title: 'Misdirected request' },
  validation_failed: { status: 422, title: 'Validation failed' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. "documents.3.text". */
  field: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly problems: readonly FieldProblem[];

  constructor(code: ErrorCode, message: string, options: { problems?: FieldProblem[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.problems = options.problems ?? [];
  }
}

/** A 422 about one field: the message names it, so a one-line reader knows what to fix. */
export function invalidField(field: string, message: string): AppError {
  return new AppError('validation_failed', `${field}: ${message}`, { problems: [{ field, message }] });
}

/** Anything thrown becomes an AppError; unknown errors become `internal`, keeping the cause for logs. */
export function coerceError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('internal', 'An internal error occurred', { cause: error });
}

/** Turns zod issue paths into the dotted field names used in problem details. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(body)' : path.map(String).join('.');
}
