// Verifies Standard Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature) on the raw
// body with the `standardwebhooks` package: HMAC-SHA256, 5-minute timestamp tolerance. Several secrets
// may be configured (rotation); any one verifying is enough. Runs before the body is parsed.
import type { MiddlewareHandler } from 'hono';
import { Webhook } from 'standardwebhooks';
import { AppError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { countCallback, type Counters } from '../../telemetry/counters.ts';
import { problemResponse } from '../problem.ts';

export function webhookSignature(secrets: readonly string[], counters: Counters, log: Logger): MiddlewareHandler {
  const verifiers = secrets.map((s) => new Webhook(s));
  return async function verifyWebhookSignature(c, next) {
    if (verifiers.length === 0) {
      countCallback(counters, 'not_configured');
      return problemResponse(c, new AppError('unauthorized', 'callbacks are not accepted: WEBHOOK_SECRET is not configured'));
    }
    const raw = await c.req.text();
    const headers = {
      'webhook-id': c.req.header('webhook-id') ?? '',
      'webhook-timestamp': c.req.header('webhook-timestamp') ?? '',
      'webhook-signature': c.req.header('webhook-signature') ?? '',
    };
    let reason = 'no matching signature';
    for (const verifier of verifiers) {
      try {
        verifier.verify(raw, headers);
        return next();
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
    }
    const stale = /timestamp too (old|new)/i.test(reason);
    countCallback(counters, stale ? 'stale' : 'bad_signature');
    // The reason and the webhook-id only: never the secret, the signature or the body.
    log.warn({ webhook_id: headers['webhook-id'].slice(0, 100), reason }, 'callback refused');
    return problemResponse(c, new AppError('unauthorized', stale ? 'webhook timestamp outside the 5-minute tolerance' : 'invalid webhook signature'));
  };
}
