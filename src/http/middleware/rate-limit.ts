// Per-client token bucket on the API, so one misbehaving client cannot starve the others or the worker:
// `rps` tokens a second, up to `burst`; an empty bucket answers 429 with Retry-After (RFC 6585, RFC 9110).
// Buckets live in this process: each replica limits on its own, which bounds the load it takes.
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../../errors.ts';
import { problemResponse } from '../problem.ts';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

const MAX_BUCKETS = 10_000;

export function rateLimit(options: { rps: number; burst: number; now?: () => number }): MiddlewareHandler {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  return async function limitRate(c, next) {
    if (options.rps <= 0) return next();
    const key = clientKey(c);
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: options.burst, updatedMs: t };
    bucket.tokens = Math.min(options.burst, bucket.tokens + ((t - bucket.updatedMs) / 1000) * options.rps);
    bucket.updatedMs = t;
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / options.rps));
      buckets.set(key, bucket);
      return problemResponse(c, new AppError('rate_limited', `rate limit of ${options.rps} requests/s exceeded; retry after ${retryAfter} s`), { 'retry-after': String(retryAfter) });
    }
    bucket.tokens -= 1;
    // Refresh insertion order (most recent last) and forget the least recent clients beyond the cap.
    buckets.delete(key);
    buckets.set(key, bucket);
    if (buckets.size > MAX_BUCKETS) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    return next();
  };
}

/** The bearer token (hashed: buckets never hold secrets) or, without one, the peer address. */
function clientKey(c: Context): string {
  const auth = c.req.header('authorization');
  if (auth) return `t:${createHash('sha256').update(auth).digest('base64url').slice(0, 22)}`;
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return `a:${incoming?.socket?.remoteAddress ?? 'unknown'}`;
}
