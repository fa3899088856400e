// In-process counters for events operators alert on (callbacks by verification outcome, …).
// The OpenTelemetry metrics exporter reads these; until it is configured they are still kept and testable.

export type CallbackOutcome = 'accepted' | 'unknown_batch' | 'replayed' | 'bad_signature' | 'stale' | 'not_configured' | 'malformed';

export interface Counters {
  callbacks: Record<CallbackOutcome, number>;
}

export function createCounters(): Counters {
  return { callbacks: { accepted: 0, unknown_batch: 0, replayed: 0, bad_signature: 0, stale: 0, not_configured: 0, malformed: 0 } };
}
