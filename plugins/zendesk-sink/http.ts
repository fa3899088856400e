// One authenticated request to the Zendesk API, with the answer sorted into "use this body" or a failure
// that says whether trying again later can help. Failure messages never carry the credentials.
import { authorizationOf, baseUrlOf, secretsOf, type ZendeskSinkConfig } from './config.ts';
import { messageOf, parseRetryAfter } from '../zendesk-shared/account.ts';

export interface Failure {
  retryable: boolean;
  error: string;
  retryAfterMs?: number;
}

/** `at`: Zendesk's own clock when it answered (its Date header), when it sent one. */
export type Answer = { ok: true; body: unknown; at?: Date } | { ok: false; status?: number; failure: Failure };

/** Body text kept in a failure: enough to see why, bounded. */
const MAX_KEPT_BODY = 500;

export async function request(config: ZendeskSinkConfig, method: 'GET' | 'PUT', path: string, body: unknown, signal: AbortSignal): Promise<Answer> {
  const headers: Record<string, string> = { authorization: authorizationOf(config), accept: 'application/json', 'user-agent': 'batchline' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${baseUrlOf(config)}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // A redirect would carry the Authorization header to wherever it points; refuse to follow.
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(config.request_timeout_ms)]),
    });
  } catch (error) {
    if (signal.aborted) return { ok: false, failure: { retryable: true, error: 'delivery aborted' } };
    const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${config.request_timeout_ms} ms` : `request failed: ${messageOf(error)}`;
    return { ok: false, failure: { retryable: true, error: scrub(config, `Zendesk ${method} ${path}: ${why}`) } };
  }
  const status = response.status;
  const text = await response.text().catch(() => '');
  if (status >= 200 && status < 300) {
    const date = Date.parse(response.headers.get('date') ?? '');
    try {
      return { ok: true, body: JSON.parse(text) as unknown, ...(Number.isNaN(date) ? {} : { at: new Date(date) }) };
    } catch {
      return { ok: false, status, failure: { retryable: true, error: `Zendesk ${method} ${path}: HTTP ${status} with a body that is not JSON` } };
    }
  }
  return { ok: false, status, failure: failureOf(config, method, path, status, text, response.headers.get('retry-after')) };
}

function failureOf(config: ZendeskSinkConfig, method: string, path: string, status: number, text: string, retryAfter: string | null): Failure {
  const where = `Zendesk ${method} ${path}`;
  // The body of a refused sign-in is not kept: it adds nothing and must not risk echoing a credential.
  if (status === 401) return { retryable: false, error: `${where}: HTTP 401, Zendesk did not accept the credentials (check email + api_token or oauth_token)` };
  if (status === 403) return { retryable: false, error: `${where}: HTTP 403, the credentials may not update tickets` };
  const detail = text.trim().slice(0, MAX_KEPT_BODY);
  const error = scrub(config, `${where}: HTTP ${status}${detail ? `: ${detail}` : ''}`);
  if (status === 429) {
    // formats.md A, "Rate limits": wait as long as Retry-After says.
    const retryAfterMs = parseRetryAfter(retryAfter);
    return { retryable: true, error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  // 409 is Zendesk's answer to concurrent updates of one ticket; 3xx is refused above, worth another go.
  const retryable = status === 408 || status === 409 || status >= 500 || status < 400;
  return { retryable, error };
}



function scrub(config: ZendeskSinkConfig, text: string): string {
  return secretsOf(config).reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}
