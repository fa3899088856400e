// When to ask the provider again: a short first look that grows with batch size, then backoff with jitter.
import type { Config } from '../config.ts';

type PollConfig = Pick<Config, 'POLL_MIN_MS' | 'POLL_MAX_MS'>;
type UnconfirmedConfig = PollConfig & Pick<Config, 'BATCHLINE_UNCONFIRMED_WINDOW_MS' | 'BATCHLINE_UNCONFIRMED_MIN_LOOKS'>;

/** Big batches take longer, so their first look waits a little longer (×1 for 1 request, ×3.5 for 100k). */
export function firstPollDelayMs(config: PollConfig, requestCount: number): number {
  const scale = 1 + Math.log10(Math.max(1, requestCount)) / 2;
  return jitter(Math.min(config.POLL_MAX_MS, config.POLL_MIN_MS * scale));
}

/** Doubles the previous interval up to POLL_MAX_MS; the provider's retry-after wins when longer. */
export function nextPollDelayMs(config: PollConfig, previousMs: number | null, retryAfterMs?: number): number {
  const base = Math.min(config.POLL_MAX_MS, Math.max(config.POLL_MIN_MS, (previousMs ?? config.POLL_MIN_MS) * 2));
  const delay = jitter(base);
  return retryAfterMs !== undefined ? Math.max(delay, retryAfterMs) : delay;
}

/**
 * The next look at a batch that answered 404 (its `looks`-th in a row): soon at first, since propagation
 * delays last seconds, then doubling, but never so slowly that the window holds fewer than its minimum
 * number of looks.
 */
export function unconfirmedDelayMs(config: UnconfirmedConfig, looks: number, retryAfterMs?: number): number {
  const ceiling = Math.min(config.POLL_MAX_MS, Math.max(config.POLL_MIN_MS, Math.floor(config.BATCHLINE_UNCONFIRMED_WINDOW_MS / config.BATCHLINE_UNCONFIRMED_MIN_LOOKS)));
  const delay = jitter(Math.min(ceiling, config.POLL_MIN_MS * 2 ** Math.min(Math.max(0, looks - 1), 20)));
  return retryAfterMs !== undefined ? Math.max(delay, retryAfterMs) : delay;
}

/** ±20%, so replicas and batches created together do not poll in lockstep. */
function jitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}
