// Ends batches on time while the notifier is on, so an end is announced even if nobody ever looks at the batch.
import { advanceBatch, endTimeOf } from './lifecycle.ts';
import { dropAllEndTimers, dropEndTimer } from './notify-state.ts';
import type { SimState } from './state.ts';
import type { BatchRecord } from './store.ts';

/** (Re)arms the batch's end timer for its current end time: after create, after cancel, or when settings change. */
export function scheduleEnd(sim: SimState, batch: BatchRecord): void {
  const { notifier } = sim;
  if (notifier.active === null || notifier.stop.signal.aborted || batch.endedAt !== null) return;
  dropEndTimer(notifier, batch.id);
  const timer = setTimeout(() => {
    notifier.endTimers.delete(batch.id);
    // The same path a lazy look takes, so a batch still ends (and is announced) exactly once.
    advanceBatch(batch, sim);
    // Not over yet when the clock given in options lags real time or processingMs grew: wait for the new end time.
    if (batch.endedAt === null) scheduleEnd(sim, batch);
  }, Math.max(0, endTimeOf(batch, sim) - sim.now()));
  timer.unref();
  notifier.endTimers.set(batch.id, timer);
}

/** After the notifier or processingMs changed: every unfinished batch gets a timer for its new end time, or none. */
export function rescheduleEnds(sim: SimState): void {
  dropAllEndTimers(sim.notifier);
  for (const batch of sim.store.batches.values()) scheduleEnd(sim, batch);
}
