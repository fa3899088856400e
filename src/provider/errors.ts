// Sorts what the Message Batches API (through the SDK) threw into what the engine should do about it.
import { APIError } from '@anthropic-ai/sdk';

export type FailureKind =
  /** 429: nothing was done; try again after retry-after. */
  | 'rate_limited'
  /** 5xx, timeout, connection lost: the call may or may not have taken effect. */
  | 'transient'
  /** 401/403/402: configuration problem; keep the work, back off, let an operator fix it. */
  | 'auth'
  /** 404: the object is gone. */
  | 'not_found'
  /** Other 4xx: the request itself is wrong; repeating it will not help. */
  | 'rejected';

export interface ProviderFailure {
  kind: FailureKind;
  status: number | undefined;
  /** From retry-after-ms / retry-after, when the API sent one. */
  retryAfterMs: number | undefined;
  error: { type: string; message: string };
}

export function classifyProviderError(error: unknown): ProviderFailure {
  if (error instanceof APIError) {
    const status = error.status;
    const type = error.type ?? (status === undefined ? 'connection_error' : `http_${status}`);
    const failure = (kind: FailureKind): ProviderFailure => ({
      kind,
      status,
      retryAfterMs: retryAfterMs(error.headers),
      error: { type, message: safeMessage(error) },
    });
    if (status === undefined) return failure('transient');
    if (status === 429) return failure('rate_limited');
    if (status === 408 || status === 409 || status >= 500) return failure('transient');
    if (status === 401 || status === 402 || status === 403) return failure('auth');
    if (status === 404) return failure('not_found');
    return failure('rejected');
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'transient', status: undefined, retryAfterMs: undefined, error: { type: 'connection_error', message } };
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The API's own message, bounded; the SDK never puts the key in it, and we never add request headers. */
function safeMessage(error: APIError): string {
  return (error.apiMessage ?? error.message).slice(0, 500);
}
