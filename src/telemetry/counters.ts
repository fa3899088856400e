// In-process counters for events operators alert on (callbacks by verification outcome, …), kept in
// memory for tests and exported as OpenTelemetry metrics (batchline.callbacks) when a meter is set up.
import { countAdd } from './metrics.ts';

export type CallbackOutcome = 'accepted' | 'unknown_batch' | 'replayed' | 'bad_signature' | 'stale' | 'not_configured' | 'malformed';

export interface Counters {
  callbacks: Record<CallbackOutcome, number>;
}

export function createCounters(): Counters {
  return { callbacks: { accepted: 0, unknown_batch: 0, replayed: 0, bad_signature: 0, stale: 0, not_configured: 0, malformed: 0 } };
}

export function countCallback(counters: Counters, outcome: CallbackOutcome): void {
  counters.callbacks[outcome] += 1;
  countAdd('callbacks', 1, { outcome });
}
