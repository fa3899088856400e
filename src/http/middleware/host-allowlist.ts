// Without BATCHLINE_API_KEYS the service listens on loopback and asks no one for anything, so the only thing
// between it and a web page the user happens to open is the browser's same-origin policy. DNS rebinding
// defeats that (evil.example resolves to 127.0.0.1 once the page is loaded, and the page is "same origin"
// with the service), but the browser still sends `Host: evil.example`: requests naming any host other than
// a loopback name or the configured HOST are refused, 421 (RFC 9110 §15.5.20). With keys the service may sit
// behind any name, and a page on another site has no key to send.
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../errors.ts';
import { problemResponse } from '../problem.ts';

export function loopbackHostOnly(options: { keys: readonly string[]; host: string }): MiddlewareHandler {
  const allowed = new Set(['localhost', '127.0.0.1', '[::1]', hostnameOf(options.host)]);
  return async function checkHost(c, next) {
    if (options.keys.length > 0) return next();
    // In-process requests (`app.request`) carry no Host header; their URL is the only authority there is.
    const authority = c.req.header('host') ?? new URL(c.req.url).host;
    const name = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d*)?$/i.exec(authority)?.[1]?.toLowerCase();
    if (name === undefined || !allowed.has(name)) {
      // 421 Misdirected Request (RFC 9110 §15.5.20): a host this server does not answer for.
      return problemResponse(c, new AppError('misdirected_request', 'this server answers only to localhost, 127.0.0.1, [::1] or its HOST: set BATCHLINE_API_KEYS to serve it under another name'));
    }
    return next();
  };
}

/** HOST as it appears in a Host header: `::1` is written `[::1]`. */
function hostnameOf(host: string): string {
  const lower = host.trim().toLowerCase();
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
}
