// Bearer-token auth for /v1/* against BATCHLINE_API_KEYS; without keys the API is open (loopback only, see config).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import { problemResponse } from './problem.ts';

export function bearerAuth(keys: readonly string[]): MiddlewareHandler {
  const accepted = keys.map((k) => Buffer.from(k));
  return async function requireBearer(c, next) {
    if (accepted.length === 0) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = match?.[1] ? Buffer.from(match[1].trim()) : undefined;
    if (!given || !accepted.some((k) => k.length === given.length && timingSafeEqual(k, given))) {
      return problemResponse(c, new AppError('unauthorized', 'a valid bearer token is required'), { 'www-authenticate': 'Bearer realm="batchline"' });
    }
    return next();
  };
}

/**
 * True when `given` is one of `keys`, compared in constant time whatever the lengths (digests of equal
 * size are compared, and every key is checked). Used by the dashboard's login form.
 */
export function isAcceptedKey(keys: readonly string[], given: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const wanted = digest(given);
  let found = false;
  for (const key of keys) found = timingSafeEqual(digest(key), wanted) || found;
  return found;
}
