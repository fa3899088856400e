// Announces a batch's end: a Standard Webhooks-signed `message_batch.ended` POST, retried a few times, then dropped.
import { setTimeout as sleep } from 'node:timers/promises';
import { newWebhookId } from './ids.ts';
import type { ActiveNotify } from './notify-state.ts';
import type { SimState } from './state.ts';
import type { BatchRecord } from './store.ts';

const RETRIES = 3;
const BACKOFF_MS = 200;
// Standard Webhooks sender guidance: give an attempt 15–30 s.
const ATTEMPT_TIMEOUT_MS = 15_000;

type WebhookHeaders = Record<string, string>;

/** Fire and forget: called once per batch, when it ends; does nothing while the notifier is off. */
export function announceEnded(sim: SimState, batch: BatchRecord, endedAt: number): void {
  const active = sim.notifier.active;
  if (active === null) return;
  const body = JSON.stringify({ type: 'message_batch.ended', batch_id: batch.id, timestamp: new Date(endedAt).toISOString() });
  // The only rejection is the abort from close(), which is meant to stop the delivery quietly.
  deliverEvent(sim, active, body).catch(() => undefined);
}

async function deliverEvent(sim: SimState, active: ActiveNotify, body: string): Promise<void> {
  const signal = sim.notifier.stop.signal;
  // One id per event, kept across retries and the duplicate: it is the receiver's idempotency key.
  const id = newWebhookId();
  await sleep(active.delayMs, undefined, { signal, ref: false });
  const last = await deliver(sim, active.url, body, () => signedHeaders(active, id, body));
  if (active.duplicate) await deliver(sim, active.url, body, () => last);
}

// webhook-timestamp is the real time of this attempt (spec: it changes on retry), never the simulator's clock,
// because receivers reject timestamps more than 5 minutes from their own.
function signedHeaders(active: ActiveNotify, id: string, body: string): WebhookHeaders {
  const date = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
    'webhook-signature': active.webhook.sign(id, date, body),
  };
}

/** Tries once plus RETRIES times, counting the outcome; returns the headers of the last attempt. */
async function deliver(sim: SimState, url: string, body: string, headersFor: () => WebhookHeaders): Promise<WebhookHeaders> {
  const signal = sim.notifier.stop.signal;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) await sleep(BACKOFF_MS, undefined, { signal, ref: false });
    const headers = headersFor();
    if (await attemptOnce(url, headers, body, signal)) {
      sim.counters.notificationsSent += 1;
      return headers;
    }
    signal.throwIfAborted();
    if (attempt === RETRIES) {
      sim.counters.notificationFailures += 1;
      return headers;
    }
  }
}

// Success is a 2xx only; redirects are not followed, as the spec counts a 3xx as a failure.
async function attemptOnce(url: string, headers: WebhookHeaders, body: string, stop: AbortSignal): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.any([stop, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
    });
    const ok = response.status >= 200 && response.status < 300;
    // Reading the answer to its end frees the connection for the next delivery; a cut answer still counts.
    await response.arrayBuffer().catch(() => undefined);
    return ok;
  } catch {
    return false;
  }
}
