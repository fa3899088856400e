// The completion notifier's live state: its settings, each unfinished batch's end timer, and the switch close() pulls.
import { Webhook } from 'standardwebhooks';
import type { NotifyOptions } from './types.ts';

export interface ActiveNotify {
  url: string;
  webhook: Webhook;
  delayMs: number;
  duplicate: boolean;
}

export interface NotifierState {
  /** null while the notifier is off: batches then end only when looked at. */
  active: ActiveNotify | null;
  /** Batch id → the timer that ends it on time; held only while the batch is unfinished. */
  endTimers: Map<string, NodeJS.Timeout>;
  /** Aborted by close(): cuts pending delays, backoffs and fetches, and stops new timers. */
  stop: AbortController;
}

/** Settings → a ready signer; throws (from standardwebhooks) on an empty secret. */
export function activateNotify(options: NotifyOptions | undefined): ActiveNotify | null {
  if (options === undefined) return null;
  return {
    url: options.url,
    webhook: new Webhook(options.secret),
    delayMs: Math.max(0, options.delayMs ?? 0),
    duplicate: options.duplicate === true,
  };
}

export function createNotifier(options: NotifyOptions | undefined): NotifierState {
  return { active: activateNotify(options), endTimers: new Map(), stop: new AbortController() };
}

export function dropEndTimer(notifier: NotifierState, batchId: string): void {
  const timer = notifier.endTimers.get(batchId);
  if (timer === undefined) return;
  clearTimeout(timer);
  notifier.endTimers.delete(batchId);
}

export function dropAllEndTimers(notifier: NotifierState): void {
  for (const timer of notifier.endTimers.values()) clearTimeout(timer);
  notifier.endTimers.clear();
}

export function stopNotifier(notifier: NotifierState): void {
  dropAllEndTimers(notifier);
  notifier.stop.abort();
}
