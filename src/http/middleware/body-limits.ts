// Request body limits on /v1, enforced while the body is read (hono/body-limit: a Content-Length over the
// limit is answered 413 before a byte is read, a chunked body as soon as it passes the limit; the unread
// rest is drained by the server, not kept). The signed routes' senders are nobody until their body has been
// read and its signature checked, so their limits fit what they carry rather than BATCHLINE_MAX_BODY_BYTES.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../errors.ts';
import { problemResponse } from '../problem.ts';
import { signedEndpointOf } from './api-access.ts';

/** A batch callback names one batch: a few hundred bytes. */
export const CALLBACK_BODY_BYTES = 16 * 1024;
/** A source event (a Zendesk ticket event with its comment): tens of KB. */
export const WEBHOOK_BODY_BYTES = 256 * 1024;

export function bodyLimits(options: { maxBytes: number }): MiddlewareHandler {
  const limit = (maxBytes: number) =>
    bodyLimit({ maxSize: maxBytes, onError: (c) => problemResponse(c, new AppError('payload_too_large', `the request body is over ${maxBytes} bytes`)) });
  const callbacks = limit(Math.min(CALLBACK_BODY_BYTES, options.maxBytes));
  const webhooks = limit(Math.min(WEBHOOK_BODY_BYTES, options.maxBytes));
  const api = limit(options.maxBytes);
  return async function limitBody(c, next) {
    const signed = signedEndpointOf(c.req.path);
    return (signed === 'callback' ? callbacks : signed === 'webhook' ? webhooks : api)(c, next);
  };
}
