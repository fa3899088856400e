// Dashboard sessions and CSRF tokens. The login form's token is checked against BATCHLINE_API_KEYS and
// exchanged for a signed, expiring cookie value bound to that key: the key itself is never stored in the
// browser, and removing a key from BATCHLINE_API_KEYS ends every session opened with it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isAcceptedKey } from '../auth.ts';

export const SESSION_COOKIE = 'batchline_session';
export const SESSION_SECONDS = 12 * 60 * 60;

export interface Sessions {
  /** False when BATCHLINE_API_KEYS is empty: the dashboard is open, like the API. */
  readonly required: boolean;
  /** A cookie value for a session opened with `token`, or undefined when the token is not accepted. */
  open(token: string): string | undefined;
  /** True when `cookie` is an unexpired session opened with a key that is still configured. */
  isValid(cookie: string | undefined): boolean;
  /** The form token bound to a session (or to the open dashboard when there is none). */
  csrfToken(cookie: string | undefined): string;
  csrfMatches(cookie: string | undefined, given: string | undefined): boolean;
}

const COOKIE_SHAPE = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export function createSessions(keys: readonly string[], secretKey: Buffer, now: () => number = Date.now): Sessions {
  // A key of its own, so a session MAC can never be mistaken for anything else made with the secret key.
  const sessionKey = createHmac('sha256', secretKey).update('batchline dashboard sessions v1').digest();
  const mac = (...parts: string[]) => createHmac('sha256', sessionKey).update(parts.join('\0')).digest('base64url');
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

  return {
    required: keys.length > 0,
    open(token) {
      if (!isAcceptedKey(keys, token)) return undefined;
      const expires = String(Math.floor(now() / 1000) + SESSION_SECONDS);
      return `${expires}.${mac('session', expires, token)}`;
    },
    isValid(cookie) {
      const match = cookie ? COOKIE_SHAPE.exec(cookie) : null;
      if (!match?.[1] || !match[2]) return false;
      if (Number(match[1]) * 1000 <= now()) return false;
      let valid = false;
      for (const key of keys) valid = same(mac('session', match[1], key), match[2]) || valid;
      return valid;
    },
    csrfToken(cookie) {
      return mac('csrf', cookie ?? 'open dashboard');
    },
    csrfMatches(cookie, given) {
      return given !== undefined && same(mac('csrf', cookie ?? 'open dashboard'), given);
    },
  };
}
