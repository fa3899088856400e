// Token buckets keyed by caller (an accepted key, an address): `rate` tokens a second, up to `burst`; an
// empty bucket is answered 429 with Retry-After (RFC 6585, RFC 9110 §10.2.3). Who the caller is, is for
// the caller of these functions to decide (api-access.ts, the dashboard's login): never an unchecked header.
// Buckets live in this process: each replica limits on its own, which bounds the load it takes.
import type { Context } from 'hono';
import { AppError } from '../../errors.ts';
import { problemResponse } from '../problem.ts';

export interface TokenBuckets {
  /** Spends one of `key`'s tokens: 0 when there was one, else the whole seconds until there is (nothing spent). */
  take(key: string): number;
  /** Gives back a token taken for something that turned out not to count (a login that succeeded). */
  refund(key: string): void;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

const MAX_BUCKETS = 10_000;

/** A `rate` of 0 turns the buckets off: every take succeeds. */
export function tokenBuckets(options: { rate: number; burst: number; now?: () => number }): TokenBuckets {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  const current = (key: string): Bucket => {
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: options.burst, updatedMs: t };
    bucket.tokens = Math.min(options.burst, bucket.tokens + ((t - bucket.updatedMs) / 1000) * options.rate);
    bucket.updatedMs = t;
    // Refresh insertion order (most recent last) and forget the least recent callers beyond the cap.
    buckets.delete(key);
    buckets.set(key, bucket);
    if (buckets.size > MAX_BUCKETS) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    return bucket;
  };
  return {
    take(key) {
      if (options.rate <= 0) return 0;
      const bucket = current(key);
      if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / options.rate));
      bucket.tokens -= 1;
      return 0;
    },
    refund(key) {
      if (options.rate <= 0) return;
      const bucket = current(key);
      bucket.tokens = Math.min(options.burst, bucket.tokens + 1);
    },
  };
}

export function tooManyRequests(c: Context, retryAfter: number, message: string): Response {
  return problemResponse(c, new AppError('rate_limited', `${message}; retry after ${retryAfter} s`), { 'retry-after': String(retryAfter) });
}
