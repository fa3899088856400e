// Without BATCHLINE_API_KEYS the service listens on loopback and asks no one for anything, so the only thing
// between it and a web page the user happens to open is the browser's same-origin policy. DNS rebinding
// defeats that (evil.example resolves to 127.0.0.1 once the page is loaded, and the page is "same origin"
// with the service), but the browser still sends `Host: evil.example`: requests naming any host other than
// a loopback name or the configured HOST are refused, 421 (RFC 9110 §15.5.20). With keys the service may sit
// behind any name, and a page on another site has no key to send.
import type { Context, MiddlewareHandler } from 'hono';
import { hostNameOf, isLoopbackName } from '../../loopback.ts';
import { AppError } from '../../errors.ts';
import { problemResponse } from '../problem.ts';

export function loopbackHostOnly(options: { keys: readonly string[]; host: string }): MiddlewareHandler {
  const configured = hostNameOf(options.host);
  return async function checkHost(c, next) {
    if (options.keys.length > 0) return next();
    const name = requestHostName(c);
    if (name === undefined || !(isLoopbackName(name) || name === configured)) {
      // 421 Misdirected Request (RFC 9110 §15.5.20): a host this server does not answer for.
      return problemResponse(c, new AppError('misdirected_request', 'this server answers only to localhost, 127.0.0.1, [::1] or its HOST: set BATCHLINE_API_KEYS to serve it under another name'));
    }
    return next();
  };
}

/** The host name the request names; in-process requests (`app.request`) carry no Host header, only their URL. */
export function requestHostName(c: Context): string | undefined {
  return hostNameOf(c.req.header('host') ?? new URL(c.req.url).host);
}
