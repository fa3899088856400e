// One authenticated GET to the Zendesk API, patient with what passes and final about what does not:
// a 429 waits out its Retry-After and asks again, a 5xx or a network failure is retried a few times with
// backoff and then thrown as a plain Error (the engine reads again later), refused credentials are a
// SourceFatalError. No message or log line carries a credential or the Authorization header.
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { SourceFatalError, type SourceContext } from '../../src/plugins/contract.ts';
import { authorizationOf, baseUrlOf, secretsOf, type ZendeskAccess, type ZendeskSourceConfig } from './config.ts';
import { messageOf, parseRetryAfter } from '../zendesk-shared/account.ts';

export type ClientConfig = ZendeskAccess & Pick<ZendeskSourceConfig, 'request_timeout_ms' | 'max_retry_wait_ms'>;

export type ClientContext = Pick<SourceContext, 'signal' | 'log' | 'connection' | 'currentCredentials'>;

export interface ClientOptions {
  /** Waits before each retry of a 5xx, timeout or network failure; one more failure than there are waits throws. */
  retryDelaysMs?: readonly number[];
}

/** Zendesk refused a request in a way no retry fixes (bad credentials, unknown endpoint, invalid query). */
export class ZendeskRefusedError extends SourceFatalError {
  override name = 'ZendeskRefusedError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GETs a path under the account (`/api/v2/…?…`) and answers its JSON body. */
export type ZendeskGet = (pathAndQuery: string) => Promise<unknown>;

const DEFAULT_RETRY_DELAYS_MS = [500, 2000, 5000];
/** formats.md A, "Rate limits": a 429 without Retry-After waits this long. */
const DEFAULT_RETRY_AFTER_MS = 60_000;
/** 429s in a row before the read gives up for now (the engine tries again later). */
const MAX_RATE_LIMITED = 10;
const MAX_KEPT_BODY = 300;

export function connectionLabel(connection: string | undefined): string {
  return `zendesk connection "${connection ?? '(inline config)'}"`;
}

export function zendeskClient(config: ClientConfig, ctx: ClientContext, options: ClientOptions = {}): ZendeskGet {
  const base = baseUrlOf(config);
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const who = connectionLabel(ctx.connection);
  // Every form of every credential this client has held, current or rotated away.
  const known = new Set(secretsOf(config));
  const scrub = (text: string) => [...known].reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  /** The credentials to sign in with now: a token rotated on the connection is used from the next request on. */
  const access = async (fresh = false): Promise<ZendeskAccess> => {
    if (!ctx.currentCredentials) return config;
    const current = { ...config, ...(await ctx.currentCredentials(fresh)) } as ZendeskAccess;
    for (const secret of secretsOf(current)) known.add(secret);
    return current;
  };

  return async function zendeskGet(pathAndQuery: string): Promise<unknown> {
    const where = `GET ${pathAndQuery.split('?')[0] ?? pathAndQuery}`;
    let failures = 0;
    let rateLimited = 0;
    let refreshed = false;
    let signIn = await access();
    for (;;) {
      ctx.signal.throwIfAborted();
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${base}${pathAndQuery}`, {
          headers: { authorization: authorizationOf(signIn), accept: 'application/json', 'user-agent': 'batchline' },
          // A redirect would carry the Authorization header to wherever it points; refuse to follow.
          redirect: 'manual',
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(config.request_timeout_ms)]),
        });
        text = await response.text();
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${config.request_timeout_ms} ms` : `request failed: ${messageOf(error)}`;
        failures += 1;
        await retryOrThrow(scrub(`${who}: Zendesk ${where}: ${why}`));
        continue;
      }
      const status = response.status;
      if (status >= 200 && status < 300) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          failures += 1;
          await retryOrThrow(`${who}: Zendesk ${where}: HTTP ${status} with a body that is not JSON`);
          continue;
        }
      }
      if (status === 401 || status === 403) {
        // Revoked after a rotation: the connection may hold a newer token than the one just sent.
        if (!refreshed && ctx.currentCredentials) {
          refreshed = true;
          const fresh = await access(true);
          if (authorizationOf(fresh) !== authorizationOf(signIn)) {
            ctx.log.info({ connection: ctx.connection, request: where }, 'zendesk refused the credentials; the connection holds newer ones: asking again with those');
            signIn = fresh;
            continue;
          }
        }
        // The body of a refused sign-in is not kept: it adds nothing and must not risk echoing a credential.
        throw new ZendeskRefusedError(status, `${who} was refused by Zendesk (HTTP ${status}): check its email and api_token or oauth_token`);
      }
      if (status === 429) {
        rateLimited += 1;
        if (rateLimited > MAX_RATE_LIMITED) throw new Error(`${who}: Zendesk ${where} answered HTTP 429 ${rateLimited} times in a row; reading again later`);
        // formats.md A, "Rate limits": wait as long as Retry-After says, up to max_retry_wait_ms.
        const asked = parseRetryAfter(response.headers.get('retry-after'));
        const waitMs = Math.min(asked ?? DEFAULT_RETRY_AFTER_MS, config.max_retry_wait_ms);
        ctx.log.warn({ connection: ctx.connection, request: where, retry_after_ms: asked ?? null, wait_ms: waitMs }, 'zendesk rate limit reached; waiting before asking again');
        await sleep(waitMs, undefined, { signal: ctx.signal });
        continue;
      }
      const detail = scrub(text.trim().slice(0, MAX_KEPT_BODY));
      if (status >= 500 || status === 408) {
        failures += 1;
        await retryOrThrow(`${who}: Zendesk ${where}: HTTP ${status}${detail ? `: ${detail}` : ''}`);
        continue;
      }
      if (status >= 300 && status < 400) {
        const location = scrub(response.headers.get('location') ?? '');
        throw new ZendeskRefusedError(status, `${who}: Zendesk ${where} redirected (HTTP ${status}${location ? ` to ${location}` : ''}): check its subdomain or base_url`);
      }
      throw new ZendeskRefusedError(status, `${who}: Zendesk refused ${where} (HTTP ${status})${detail ? `: ${detail}` : ''}`);
    }

    async function retryOrThrow(error: string): Promise<void> {
      const delay = delays[failures - 1];
      if (delay === undefined) throw new Error(`${error} (gave up after ${failures} attempts)`);
      ctx.log.warn({ connection: ctx.connection, request: where, attempt: failures, retry_in_ms: delay, error }, 'zendesk request failed; retrying');
      await sleep(delay, undefined, { signal: ctx.signal });
    }
  };
}

/**
 * The answer checked against the shape the caller relies on. A surprise is thrown as a plain Error:
 * Zendesk answering oddly is more likely to pass than a config to be wrong.
 */
export function expectShape<T>(schema: z.ZodType<T>, body: unknown, what: string, connection: string | undefined): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const at = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new Error(`${connectionLabel(connection)}: ${what} had an unexpected shape${at}: ${issue?.message ?? 'invalid'}`);
}

/** The path and query of a URL Zendesk handed back (`links.next`), only when it points at the same account. */
export function sameAccountPath(config: ZendeskAccess, url: string): string | undefined {
  const base = baseUrlOf(config);
  return url.startsWith(`${base}/`) ? url.slice(base.length) : undefined;
}


