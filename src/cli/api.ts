// A small fetch wrapper around the Batchline HTTP API: bearer auth, JSON in and out, and every
// problem+json answer (RFC 9457) turned into an ApiProblemError; no answer at all becomes a
// ServerUnreachableError naming where the URL came from.
import { ApiProblemError, ServerUnreachableError } from './errors.ts';

export interface ApiTarget {
  baseUrl: string;
  token?: string | undefined;
  /** Where baseUrl came from, for error messages: `BATCHLINE_URL` or `the embedded server`. */
  origin: string;
}

export interface Api {
  readonly target: ApiTarget;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /** The raw response of a successful GET (for streams); problems throw as with get(). */
  open(path: string, accept: string, signal?: AbortSignal): Promise<Response>;
}

/** What the commands that change resources (connections) need besides. */
export interface FullApi extends Api {
  /** A JSON merge patch (RFC 7396), sent as application/merge-patch+json. */
  patch<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
  /** DELETE that answers a body (DELETE /v1/jobs/{id} answers the job in `deleting`). */
  deleteJson<T>(path: string): Promise<T>;
}

const REQUEST_TIMEOUT_MS = 60_000;

export function createApi(target: ApiTarget): FullApi {
  const base = target.baseUrl.replace(/\/+$/, '');
  const authHeaders: Record<string, string> = target.token ? { authorization: `Bearer ${target.token}` } : {};

  async function send(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; accept?: string; signal?: AbortSignal }): Promise<Response> {
    const headers: Record<string, string> = { accept: init.accept ?? 'application/json', ...authHeaders, ...init.headers };
    if (init.body !== undefined) headers['content-type'] ??= 'application/json';
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        // Streams may run long and carry their own signal; a plain request gets a deadline.
        signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      // The caller gave up (Ctrl-C): not the server's fault.
      if (error instanceof Error && error.name === 'AbortError') throw error;
      throw new ServerUnreachableError(`cannot reach the Batchline server at ${base} (${target.origin}): ${networkReason(error)}`, { cause: error });
    }
    if (!response.ok) throw await problemFrom(response);
    return response;
  }

  return {
    target,
    async get<T>(path: string): Promise<T> {
      return readJson<T>(await send('GET', path, {}));
    },
    async post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
      return readJson<T>(await send('POST', path, { body, ...(headers ? { headers } : {}) }));
    },
    async patch<T>(path: string, body: unknown): Promise<T> {
      return readJson<T>(await send('PATCH', path, { body, headers: { 'content-type': 'application/merge-patch+json' } }));
    },
    async delete(path: string): Promise<void> {
      await (await send('DELETE', path, {})).body?.cancel();
    },
    async deleteJson<T>(path: string): Promise<T> {
      return readJson<T>(await send('DELETE', path, {}));
    },
    open(path: string, accept: string, signal?: AbortSignal): Promise<Response> {
      return send('GET', path, { accept, signal: signal ?? new AbortController().signal });
    },
  };
}

async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiProblemError(response.status, 'Unexpected answer', `the server answered ${response.status} with a body that is not JSON`, undefined, undefined);
  }
}

async function problemFrom(response: Response): Promise<ApiProblemError> {
  const text = await response.text().catch(() => '');
  let body: { title?: unknown; detail?: unknown; code?: unknown; errors?: Array<{ field?: unknown }> } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const title = typeof body?.title === 'string' ? body.title : response.statusText || `HTTP ${response.status}`;
  const detail = typeof body?.detail === 'string' ? body.detail : text.slice(0, 200).trim();
  const code = typeof body?.code === 'string' ? body.code : undefined;
  const field = typeof body?.errors?.[0]?.field === 'string' ? body.errors[0].field : undefined;
  return new ApiProblemError(response.status, title, detail, code, field);
}

/** fetch() wraps the socket error in `cause`; that is the part worth showing (ECONNREFUSED, ENOTFOUND, …). */
function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
