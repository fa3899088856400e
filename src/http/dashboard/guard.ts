// Gatekeeping for dashboard routes: a login when BATCHLINE_API_KEYS is set, and on every form post a
// same-origin check plus the session's form token (the session travels in a cookie, so a page on another
// site must not be able to post with it).
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { isFragmentRequest, type DashboardEnv } from './render.ts';
import { SESSION_COOKIE, SESSION_SECONDS, type Sessions } from './session.ts';

/** Answers a request the guard refuses (a rendered page, so the visitor knows what to do). */
export type Refusal = (c: Context<DashboardEnv>, status: 401 | 403, message: string) => Response | Promise<Response>;

export function requireLogin(sessions: Sessions, refuse: Refusal): MiddlewareHandler<DashboardEnv> {
  return async function requireDashboardLogin(c, next) {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (sessions.required && !sessions.isValid(cookie)) {
      // The self-refresh script reloads on a 401 (and lands on the login page); pages and forms go there at once.
      if (isFragmentRequest(c)) return refuse(c, 401, 'Your session has ended. Log in again.');
      return c.redirect(loginPath(c), 303);
    }
    c.set('csrf', sessions.csrfToken(sessions.required ? cookie : undefined));
    return next();
  };
}

/** For form posts of a signed-in visitor (or anyone, on an open dashboard): same origin and a matching form token. */
export function checkForm(sessions: Sessions, refuse: Refusal): MiddlewareHandler<DashboardEnv> {
  return async function checkDashboardForm(c, next) {
    if (!isSameOrigin(c)) return refuse(c, 403, 'This form was sent from another site, so it was refused.');
    const form = await readForm(c);
    const cookie = sessions.required ? getCookie(c, SESSION_COOKIE) : undefined;
    if (!sessions.csrfMatches(cookie, form.csrf)) return refuse(c, 403, 'This form has expired or did not come from this dashboard. Reload the page and try again.');
    c.set('form', form);
    return next();
  };
}

/** The login form itself has no session yet; it must still come from this site (no login CSRF). */
export function checkLoginForm(refuse: Refusal): MiddlewareHandler<DashboardEnv> {
  return async function checkLoginOrigin(c, next) {
    if (!isSameOrigin(c)) return refuse(c, 403, 'This form was sent from another site, so it was refused.');
    c.set('form', await readForm(c));
    return next();
  };
}

/**
 * Browsers send `Origin` on every POST (and `Sec-Fetch-Site`); either one naming another site is refused.
 * Hosts are compared, not schemes, so a TLS-terminating proxy in front does not break the check.
 */
export function isSameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin !== undefined) {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return false; // includes the opaque origin "null"
    }
    return host === c.req.header('host') || host === c.req.header('x-forwarded-host');
  }
  const site = c.req.header('sec-fetch-site');
  return site === undefined || site === 'same-origin';
}

export function setSessionCookie(c: Context, value: string): void {
  setCookie(c, SESSION_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'Strict', secure: isHttps(c), maxAge: SESSION_SECONDS });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: isHttps(c) });
}

function isHttps(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return new URL(c.req.url).protocol === 'https:' || forwarded === 'https';
}

/** Where to return after logging in: a path on this site only (never `//host` or `/\host`, which browsers treat as other sites). */
export function safeNext(raw: string | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || /[\u0000-\u001f\\]/.test(raw)) return '/';
  if (raw === '/login' || raw.startsWith('/login?') || raw.startsWith('/logout')) return '/';
  return raw;
}

function loginPath(c: Context): string {
  const url = new URL(c.req.url);
  url.searchParams.delete('fragment');
  const back = c.req.method === 'GET' ? `${url.pathname}${url.search}` : url.pathname.replace(/\/(cancel|retry|close|delete)$/, '');
  return back === '/' ? '/login' : `/login?next=${encodeURIComponent(back)}`;
}

async function readForm(c: Context): Promise<Record<string, string>> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return {};
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string') fields[key] = value;
  return fields;
}
