// Dashboard sessions and CSRF tokens. The login form's token is checked against BATCHLINE_API_KEYS and
// exchanged for a signed, expiring cookie value bound to that key: the key itself is never stored in the
// browser, and removing a key from BATCHLINE_API_KEYS ends every session opened with it. Logging out
// spends the cookie value (spent_signatures), so a copy of it taken before opens nothing afterwards.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isAcceptedKey } from '../auth.ts';
import type { SpentSignatures } from '../spent-signatures.ts';

export const SESSION_COOKIE = 'batchline_session';
export const SESSION_SECONDS = 12 * 60 * 60;

export interface Sessions {
  /** False when BATCHLINE_API_KEYS is empty: the dashboard is open, like the API. */
  readonly required: boolean;
  /** A cookie value for a session opened with `token`, or undefined when the token is not accepted. */
  open(token: string): string | undefined;
  /** True when `cookie` is an unexpired session opened with a key that is still configured, not logged out. */
  isValid(cookie: string | undefined): Promise<boolean>;
  /** Logs the session out on the server: its cookie is refused from now on, whoever sends it. */
  revoke(cookie: string | undefined): Promise<void>;
  /** The form token bound to a session (or to the open dashboard when there is none). */
  csrfToken(cookie: string | undefined): string;
  csrfMatches(cookie: string | undefined, given: string | undefined): boolean;
}

/**
 * `<expiry>.<nonce>.<mac>`: the nonce makes each login's cookie its own, so logging out of one session
 * leaves another opened with the same key in the same second alone.
 */
const COOKIE_SHAPE = /^(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function createSessions(keys: readonly string[], secretKey: Buffer, spent: SpentSignatures, now: () => number = Date.now): Sessions {
  // A key of its own, so a session MAC can never be mistaken for anything else made with the secret key.
  const sessionKey = createHmac('sha256', secretKey).update('batchline dashboard sessions v1').digest();
  const mac = (...parts: string[]) => createHmac('sha256', sessionKey).update(parts.join('\0')).digest('base64url');
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  /** When a well-formed, unexpired session made with a configured key ends; undefined for anything else. */
  const expiryOf = (cookie: string): Date | undefined => {
    const [, expires, nonce, given] = COOKIE_SHAPE.exec(cookie) ?? [];
    if (!expires || !nonce || !given) return undefined;
    const expiresMs = Number(expires) * 1000;
    if (expiresMs <= now()) return undefined;
    let valid = false;
    for (const key of keys) valid = same(mac('session', expires, nonce, key), given) || valid;
    return valid ? new Date(expiresMs) : undefined;
  };

  return {
    required: keys.length > 0,
    open(token) {
      if (!isAcceptedKey(keys, token)) return undefined;
      const expires = String(Math.floor(now() / 1000) + SESSION_SECONDS);
      const nonce = randomBytes(16).toString('base64url');
      return `${expires}.${nonce}.${mac('session', expires, nonce, token)}`;
    },
    async isValid(cookie) {
      // The MAC and the expiry first: a forged or stale cookie costs no database read.
      if (cookie === undefined || expiryOf(cookie) === undefined) return false;
      return !(await spent.isSpent('dashboard_session', cookie));
    },
    async revoke(cookie) {
      const expires = cookie === undefined ? undefined : expiryOf(cookie);
      if (cookie !== undefined && expires !== undefined) await spent.spend('dashboard_session', cookie, expires);
    },
    csrfToken(cookie) {
      return mac('csrf', cookie ?? 'open dashboard');
    },
    csrfMatches(cookie, given) {
      return given !== undefined && same(mac('csrf', cookie ?? 'open dashboard'), given);
    },
  };
}
