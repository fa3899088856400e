// Who may use /v1 and how fast: the bearer token is checked first (cheap), then the request is charged to
// its caller's bucket: the accepted key, or the client address where there is no key to go by (no keys
// configured; the signed routes, whose senders hold none). A token that is not a key is refused 401 and
// spends its address's guess budget; an address with none left is answered 429 without its token being
// looked at, a right one included, or the budget would only change the status of wrong guesses.
import type { Context, MiddlewareHandler } from 'hono';
import { bearerOf, keyIds, unauthorized } from '../auth.ts';
import { tokenBuckets, tooManyRequests, type TokenBuckets } from './rate-limit.ts';

export interface ApiAccessOptions {
  keys: readonly string[];
  rps: number;
  burst: number;
  guesses: TokenBuckets;
  clientAddress(c: Context): string;
  now?: () => number;
}

export function apiAccess(options: ApiAccessOptions): MiddlewareHandler {
  const keyIdOf = keyIds(options.keys);
  const buckets = tokenBuckets({ rate: options.rps, burst: options.burst, ...(options.now ? { now: options.now } : {}) });
  return async function checkApiAccess(c, next) {
    const address = options.clientAddress(c);
    let caller: string;
    if (signedEndpointOf(c.req.path)) {
      // Its own bucket per address: a flood of wrong bearer tokens from the same place (a NAT, a proxy
      // without BATCHLINE_TRUSTED_PROXIES) does not hold up the notifier's callbacks.
      caller = `signed:${address}`;
    } else if (options.keys.length === 0) {
      caller = `address:${address}`;
    } else {
      // No token guesses nothing: refused, spending nothing (a client that forgot it learns so at once).
      const token = bearerOf(c);
      if (token === undefined) return unauthorized(c);
      const wait = options.guesses.take(address);
      if (wait > 0) return tooManyRequests(c, wait, 'too many wrong bearer tokens from this address');
      const id = keyIdOf(token);
      if (id === undefined) return unauthorized(c);
      options.guesses.refund(address);
      caller = `key:${id}`;
    }
    const wait = buckets.take(caller);
    if (wait > 0) return tooManyRequests(c, wait, `rate limit of ${options.rps} requests/s exceeded`);
    return next();
  };
}

/** Callbacks and source webhooks are authenticated by their signature, not a bearer token. */
export function signedEndpointOf(path: string): 'callback' | 'webhook' | undefined {
  if (path.startsWith('/v1/callbacks/')) return 'callback';
  return /^\/v1\/connections\/[^/]+\/webhook$/.test(path) ? 'webhook' : undefined;
}
