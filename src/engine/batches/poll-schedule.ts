// When to ask the provider again. Two schedules: polls (a short first look that grows with batch size, then
// backoff to POLL_MAX_MS) wait for a batch to end; rechecks (seconds, doubling) follow an answer that clears in seconds.
import type { Config } from '../../config.ts';

type PollConfig = Pick<Config, 'POLL_MIN_MS' | 'POLL_MAX_MS'>;
type RecheckConfig = PollConfig & Pick<Config, 'BATCHLINE_RECHECK_MIN_MS' | 'BATCHLINE_RECHECK_MAX_MS'>;
type UnconfirmedConfig = RecheckConfig & Pick<Config, 'BATCHLINE_UNCONFIRMED_WINDOW_MS' | 'BATCHLINE_UNCONFIRMED_MIN_LOOKS'>;

/** Big batches take longer, so their first look waits a little longer (×1 for 1 request, ×3.5 for 100k). */
export function firstPollDelayMs(config: PollConfig, requestCount: number): number {
  const scale = 1 + Math.log10(Math.max(1, requestCount)) / 2;
  return jitter(Math.min(config.POLL_MAX_MS, config.POLL_MIN_MS * scale));
}

/** Doubles the previous interval up to POLL_MAX_MS; the provider's retry-after wins when longer. */
export function nextPollDelayMs(config: PollConfig, previousMs: number | null, retryAfterMs?: number): number {
  const base = Math.min(config.POLL_MAX_MS, Math.max(config.POLL_MIN_MS, (previousMs ?? config.POLL_MIN_MS) * 2));
  return withRetryAfter(jitter(base), retryAfterMs);
}

/**
 * The first look after an answer expected to clear in seconds. Never later than a poll would look: a
 * deployment that polls every 50 ms (tests) must not wait 2 s for a recheck.
 */
function recheckStartMs(config: RecheckConfig): number {
  return Math.min(config.BATCHLINE_RECHECK_MIN_MS, config.POLL_MIN_MS);
}

/**
 * The `attempt`-th look in a row after an answer expected to clear in seconds (a results stream that
 * failed or has no results_url yet, a 5xx or 429 on a status read): BATCHLINE_RECHECK_MIN_MS, doubling
 * up to BATCHLINE_RECHECK_MAX_MS, ±20%. Not the poll interval: a callback-first deployment polls every
 * ten minutes, and a blip that lasted a second must not cost the batch ten of them.
 */
export function recheckDelayMs(config: RecheckConfig, attempt: number, retryAfterMs?: number): number {
  return withRetryAfter(jitter(recheckBaseMs(config, attempt, recheckCeilingMs(config))), retryAfterMs);
}

/**
 * The next look at a batch that answered 404 (its `looks`-th in a row): on the recheck schedule, since
 * propagation delays last seconds, but never so slowly that the window holds fewer than its minimum
 * number of looks.
 */
export function unconfirmedDelayMs(config: UnconfirmedConfig, looks: number, retryAfterMs?: number): number {
  const perLook = Math.floor(config.BATCHLINE_UNCONFIRMED_WINDOW_MS / config.BATCHLINE_UNCONFIRMED_MIN_LOOKS);
  const ceiling = Math.max(recheckStartMs(config), Math.min(recheckCeilingMs(config), perLook));
  return withRetryAfter(jitter(recheckBaseMs(config, looks, ceiling)), retryAfterMs);
}

function recheckCeilingMs(config: RecheckConfig): number {
  return Math.max(recheckStartMs(config), Math.min(config.BATCHLINE_RECHECK_MAX_MS, config.POLL_MAX_MS));
}

function recheckBaseMs(config: RecheckConfig, attempt: number, ceiling: number): number {
  return Math.min(ceiling, recheckStartMs(config) * 2 ** Math.min(Math.max(0, attempt - 1), 20));
}

/** The provider's retry-after wins when it asks for longer. */
function withRetryAfter(delayMs: number, retryAfterMs: number | undefined): number {
  return retryAfterMs !== undefined ? Math.max(delayMs, retryAfterMs) : delayMs;
}

/** ±20%, so replicas and batches created together do not poll in lockstep. */
function jitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}
