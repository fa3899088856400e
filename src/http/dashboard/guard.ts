// Gatekeeping for dashboard routes: a login when BATCHLINE_API_KEYS is set, and on every form post a
// same-origin check plus the session's form token (the session travels in a cookie, so a page on another
// site must not be able to post with it).
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { isLoopbackName } from '../../loopback.ts';
import { requestHostName } from '../middleware/host-allowlist.ts';
import { isFragmentRequest, type DashboardEnv } from './render.ts';
import { SESSION_COOKIE, SESSION_SECONDS, type Sessions } from './session.ts';

/** Answers a request the guard refuses (a rendered page, so the visitor knows what to do). */
export type Refusal = (c: Context<DashboardEnv>, status: 401 | 403, message: string) => Response | Promise<Response>;

export function requireLogin(sessions: Sessions, refuse: Refusal): MiddlewareHandler<DashboardEnv> {
  return async function requireDashboardLogin(c, next) {
    const cookie = readSessionCookie(c);
    if (sessions.required && !(await hasLiveSession(c, sessions))) {
      // The self-refresh script reloads on a 401 (and lands on the login page); pages and forms go there at once.
      if (isFragmentRequest(c)) return refuse(c, 401, 'Your session has ended. Log in again.');
      return c.redirect(loginPath(c), 303);
    }
    c.set('csrf', sessions.csrfToken(sessions.required ? cookie : undefined));
    return next();
  };
}

const liveSessions = new WeakMap<Context, boolean>();

/** Whether the request carries a live session, asked once per request (a logged-out one is known to the database). */
export async function hasLiveSession(c: Context, sessions: Sessions): Promise<boolean> {
  const known = liveSessions.get(c);
  if (known !== undefined) return known;
  const live = sessions.required && (await sessions.isValid(readSessionCookie(c)));
  liveSessions.set(c, live);
  return live;
}

/** What hasLiveSession found for this request (false when it was not asked): for the page header. */
export function wasSignedIn(c: Context): boolean {
  return liveSessions.get(c) ?? false;
}

/** For form posts of a signed-in visitor (or anyone, on an open dashboard): same origin and a matching form token. */
export function checkForm(sessions: Sessions, refuse: Refusal): MiddlewareHandler<DashboardEnv> {
  return async function checkDashboardForm(c, next) {
    if (!isSameOrigin(c)) return refuse(c, 403, 'This form was sent from another site, so it was refused.');
    const form = await readForm(c);
    const cookie = sessions.required ? readSessionCookie(c) : undefined;
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

/**
 * Over https the cookie is `__Host-batchline_session` with Secure: a browser sends it over TLS only, and
 * accepts it only from this host over TLS (never set by a sibling domain or a plain-http page). Over plain
 * http on a loopback name, where there is no TLS to require, it is `batchline_session` without Secure.
 * Any other name counts as https whatever the scheme the request arrived with: a TLS-terminating proxy in
 * front that says nothing of it (no X-Forwarded-Proto) still gets a Secure cookie. Served over plain http
 * under another name, the dashboard cannot keep a session (the browser drops the cookie), by design.
 */
function sessionCookieOf(c: Context): { name: string; secure: boolean } {
  return isPlainHttpOnLoopback(c) ? { name: SESSION_COOKIE, secure: false } : { name: `__Host-${SESSION_COOKIE}`, secure: true };
}

export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, sessionCookieOf(c).name);
}

export function setSessionCookie(c: Context, value: string): void {
  const { name, secure } = sessionCookieOf(c);
  setCookie(c, name, value, { path: '/', httpOnly: true, sameSite: 'Strict', secure, maxAge: SESSION_SECONDS });
}

export function clearSessionCookie(c: Context): void {
  const { name, secure } = sessionCookieOf(c);
  deleteCookie(c, name, { path: '/', httpOnly: true, sameSite: 'Strict', secure });
}

/** True when a page arrived over plain http (as far as can be told) under a name that is not loopback. */
export function servedInsecurely(c: Context): boolean {
  return !arrivedOverTls(c) && !onLoopbackName(c);
}

function isPlainHttpOnLoopback(c: Context): boolean {
  return !arrivedOverTls(c) && onLoopbackName(c);
}

function arrivedOverTls(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return new URL(c.req.url).protocol === 'https:' || forwarded === 'https';
}

function onLoopbackName(c: Context): boolean {
  return isLoopbackName(requestHostName(c));
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
