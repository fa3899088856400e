// Sends dashboard HTML: a per-request CSP nonce for the inline style and script, headers that keep pages out
// of frames and caches, and the doctype in front of the rendered JSX.
import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { HtmlEscapedString } from 'hono/utils/html';

/** What rendering a JSX element gives. */
export type Rendered = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface DashboardEnv {
  Variables: {
    nonce: string;
    /** The form token of this request's session (see session.ts). */
    csrf: string;
    /** The fields of a checked form post. */
    form: Record<string, string>;
  };
}

export type DashboardContext = Context<DashboardEnv>;

export const securePage: MiddlewareHandler<DashboardEnv> = async function securePage(c, next) {
  const nonce = randomBytes(16).toString('base64');
  c.set('nonce', nonce);
  await next();
  c.header(
    'content-security-policy',
    [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      // Progress bar widths are inline style attributes; they carry only numbers the server computed.
      "style-src-attr 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
  );
  c.header('x-frame-options', 'DENY');
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
  c.header('cache-control', 'no-store');
};

export function isFragmentRequest(c: Context): boolean {
  return c.req.query('fragment') === '1';
}

export function sendPage(c: Context, page: Rendered, status: ContentfulStatusCode = 200): Promise<Response> | Response {
  return c.html(html`<!doctype html>${page}`, status);
}

export function sendFragment(c: Context, fragment: Rendered, status: ContentfulStatusCode = 200): Promise<Response> | Response {
  return c.html(fragment, status);
}
