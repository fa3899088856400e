// API keys (BATCHLINE_API_KEYS): checking a bearer token or a login form's token, and the budget of wrong
// ones an address may present. Without keys the API is open (loopback only, see config).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import { tokenBuckets, type TokenBuckets } from './middleware/rate-limit.ts';
import { problemResponse } from './problem.ts';

/** Wrong credentials an address may present (API bearer tokens and dashboard logins together) per window. */
export const GUESSES = 10;
export const GUESS_WINDOW_SECONDS = 15 * 60;

/**
 * One budget for both ways of presenting a key, since both guess the same keys: GUESSES per
 * GUESS_WINDOW_SECONDS, one earned back every 90 s. Per replica, like every bucket.
 */
export function guessBudget(now?: () => number): TokenBuckets {
  return tokenBuckets({ rate: GUESSES / GUESS_WINDOW_SECONDS, burst: GUESSES, ...(now ? { now } : {}) });
}

/**
 * A function naming the configured key `given` is, by a stable id (a hash, so buckets keyed by it never
 * hold a secret), or undefined. Digests of equal size are compared and every key is checked, so the time
 * taken says nothing about lengths or which key matched.
 */
export function keyIds(keys: readonly string[]): (given: string) => string | undefined {
  const digests = keys.map((k) => digest(k));
  return function keyIdOf(given) {
    const wanted = digest(given);
    let found: Buffer | undefined;
    for (const d of digests) if (timingSafeEqual(d, wanted)) found = d;
    return found?.toString('base64url').slice(0, 22);
  };
}

/** True when `given` is one of `keys` (the dashboard's login form). */
export function isAcceptedKey(keys: readonly string[], given: string): boolean {
  return keyIds(keys)(given) !== undefined;
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerOf(c: Context): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
  return match?.[1]?.trim() || undefined;
}

export function unauthorized(c: Context): Response {
  return problemResponse(c, new AppError('unauthorized', 'a valid bearer token is required'), { 'www-authenticate': 'Bearer realm="batchline"' });
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
