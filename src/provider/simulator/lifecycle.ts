// The batch state machine, in_progress → (canceling) → ended, advanced whenever a batch is looked at (or its end timer fires).
import { survivesCancel } from './faults.ts';
import { announceEnded } from './notify-send.ts';
import { dropEndTimer } from './notify-state.ts';
import { cacheDraw, usePromptCache } from './prompt-cache.ts';
import type { SimState } from './state.ts';
import { OUTCOME, type BatchRecord } from './store.ts';

export type ProcessingStatus = 'in_progress' | 'canceling' | 'ended';

// A cancel takes effect after this long at most (and never longer than processing itself would take).
const CANCEL_DELAY_CAP_MS = 100;

export function statusOf(batch: BatchRecord): ProcessingStatus {
  if (batch.endedAt !== null) return 'ended';
  return batch.cancelInitiatedAt !== null ? 'canceling' : 'in_progress';
}

/** When the batch is due to end: processingMs after create, or shortly after a cancel. */
export function endTimeOf(batch: BatchRecord, sim: SimState): number {
  return batch.cancelInitiatedAt !== null
    ? batch.cancelInitiatedAt + Math.min(sim.processingMs, CANCEL_DELAY_CAP_MS)
    : batch.createdAt + sim.processingMs;
}

/** Ends the batch if its time has come. */
export function advanceBatch(batch: BatchRecord, sim: SimState): void {
  if (batch.endedAt !== null) return;
  const endAt = endTimeOf(batch, sim);
  const now = sim.now();
  if (now >= endAt) finishBatch(batch, sim, endAt, now);
}

// Outcomes are fixed once, in submission order, so the first request with a cached prefix writes it
// and later ones read it; result lines are then built lazily from these outcomes.
function finishBatch(batch: BatchRecord, sim: SimState, endedAt: number, now: number): void {
  const outcomes = new Uint8Array(batch.requests.length);
  const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
  const canceled = batch.cancelInitiatedAt !== null;
  const succeedFraction = sim.faults.cancelSucceedFraction;
  batch.requests.forEach((request, index) => {
    let outcome: number;
    if (canceled && !survivesCancel(batch.id, index, succeedFraction)) outcome = OUTCOME.canceled;
    else if (request.problem !== null) outcome = OUTCOME.errored;
    else if (request.fault === 'expired') outcome = OUTCOME.expired;
    else if (request.fault !== null && request.fault !== 'off_schema') outcome = OUTCOME.errored;
    else outcome = OUTCOME.succeeded;
    outcomes[index] = outcome;
    if (outcome === OUTCOME.succeeded) {
      counts.succeeded += 1;
      const usage = usePromptCache(sim.cache, request.params, now, cacheDraw(batch.id, index));
      if (usage !== null) batch.cacheUsage.set(index, usage);
    } else if (outcome === OUTCOME.errored) counts.errored += 1;
    else if (outcome === OUTCOME.canceled) counts.canceled += 1;
    else counts.expired += 1;
  });
  batch.outcomes = outcomes;
  batch.counts = counts;
  batch.endedAt = endedAt;
  // Runs once per batch, whether a look or the end timer got here first.
  dropEndTimer(sim.notifier, batch.id);
  announceEnded(sim, batch, endedAt);
}
