// The `http` sink: POSTs results in batches to a webhook, signed with Standard Webhooks headers when a
// secret is set. 2xx = delivered; 408, 429 and 5xx (and timeouts) are retried, honouring Retry-After;
// any other 4xx is final (the receiver refused the payload) and its answer is kept.
// `secret` may hold several space-separated secrets while one is rotated (as WEBHOOK_SECRET does): every
// delivery then carries one signature per secret in `webhook-signature` (Standard Webhooks: "several
// entries allow zero-downtime rotation"), so a receiver that knows either of them verifies it.
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import type { DeliveredResult, DeliveryOutcome, SinkContext, SinkPlugin } from '../../src/plugins/contract.ts';

const configSchema = z.object({
  // fetch refuses URLs with credentials, and its error would quote them: ask for a header instead.
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), 'must not contain credentials (user:password@); send them in `headers`'),
  /** `whsec_…`; during a rotation the new and the old, space-separated: each delivery is signed with both. */
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]{16,}( +whsec_[A-Za-z0-9+/=]{16,}){0,4}$/, 'must be a Standard Webhooks secret (whsec_<base64>), or up to 5 of them separated by spaces')
    .optional(),
  /** Sent with every delivery; a secret field (credentials go here), so never shown once saved. */
  headers: z.record(z.string(), z.string()).optional(),
  batch_size: z.number().int().min(1).max(10_000).default(100),
  timeout_ms: z.number().int().min(100).max(120_000).default(15_000),
});
export type HttpSinkConfig = z.infer<typeof configSchema>;

/** Body kept with a refused delivery: enough to see why, bounded. */
const MAX_KEPT_BODY = 2000;

async function deliver(config: HttpSinkConfig, results: DeliveredResult[], ctx: SinkContext): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (let i = 0; i < results.length; i += config.batch_size) {
    const part = results.slice(i, i + config.batch_size);
    const outcome = await post(config, part, ctx);
    for (let j = 0; j < part.length; j++) outcomes.push(outcome);
  }
  return outcomes;
}

async function post(config: HttpSinkConfig, results: DeliveredResult[], ctx: SinkContext): Promise<DeliveryOutcome> {
  const body = JSON.stringify({ type: 'batchline.results', job_id: ctx.jobId, results });
  // The webhook-id names this exact set of results, so a receiver can also dedupe whole requests.
  const messageId = `msg_${results.length === 1 ? (results[0]?.idempotency_key ?? randomUUID()) : randomUUID()}`;
  const headers: Record<string, string> = { ...config.headers, 'content-type': 'application/json', 'user-agent': 'batchline' };
  const secrets = (config.secret ?? '').split(/ +/).filter(Boolean);
  if (secrets.length > 0) {
    const now = new Date();
    headers['webhook-id'] = messageId;
    headers['webhook-timestamp'] = String(Math.floor(now.getTime() / 1000));
    // Space-separated, one `v1,<signature>` per secret: the new one first, the old one for the grace period.
    headers['webhook-signature'] = [...new Set(secrets)].map((secret) => new Webhook(secret).sign(messageId, now, body)).join(' ');
  }
  let response: Response;
  try {
    response = await fetch(config.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(config.timeout_ms)]) });
  } catch (error) {
    const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${config.timeout_ms} ms` : `request failed: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, retryable: true, error: why };
  }
  if (response.status >= 200 && response.status < 300) {
    await response.body?.cancel();
    return { ok: true };
  }
  const text = (await response.text().catch(() => '')).slice(0, MAX_KEPT_BODY);
  const error = `HTTP ${response.status}${text ? `: ${text}` : ''}`;
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500 || (response.status >= 300 && response.status < 400);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  return { ok: false, retryable, error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export const httpSink: SinkPlugin<HttpSinkConfig> = {
  name: 'http',
  description: 'POSTs results in batches to a webhook URL, signed with Standard Webhooks headers when a secret is set',
  configSchema: configSchema as z.ZodType<HttpSinkConfig>,
  // headers carry credentials (`authorization`, an API key): sealed, write-only, and rotated like the
  // secret (running jobs take them from their connection). A connection saved before #29 keeps them in
  // clear until its next PATCH, a job's copy for the job's life: both are read as they are, and the API
  // never shows a secret field (connections/view.ts).
  secretFields: ['secret', 'headers'],
  destinationFields: ['url'],
  deliver,
};
