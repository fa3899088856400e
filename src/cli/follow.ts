// Follows a job until it reaches a final state: polls GET /v1/jobs/{id} and hands each snapshot to the
// display. A server that stops answering for a while (restart, network blip) is waited for, not fatal.
import type { Api } from './api.ts';
import type { ProgressDisplay } from './display.ts';
import { ApiProblemError, ServerUnreachableError } from './errors.ts';
import { plainState } from './progress.ts';
import { isFinal, isPaused, type JobSnapshot } from './types.ts';

export interface FollowOptions {
  display: ProgressDisplay;
  signal: AbortSignal;
  pollMs?: number;
  /** How long the server may stay unreachable before following gives up. */
  patienceMs?: number;
}

const DEFAULT_POLL_MS = 500;
const DEFAULT_PATIENCE_MS = 60_000;
const MAX_POLL_MS = 3000;

/** The final (or paused: it waits for the user) snapshot, or undefined when `signal` aborted first. */
export async function followJob(api: Api, jobId: string, options: FollowOptions): Promise<JobSnapshot | undefined> {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const patienceMs = options.patienceMs ?? DEFAULT_PATIENCE_MS;
  let unreachableSince: number | undefined;
  let interval = pollMs;
  let lastState: string | undefined;
  while (!options.signal.aborted) {
    let job: JobSnapshot;
    try {
      job = await api.get<JobSnapshot>(`/v1/jobs/${encodeURIComponent(jobId)}`);
      unreachableSince = undefined;
    } catch (error) {
      if (!isTransient(error) || options.signal.aborted) throw error;
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > patienceMs) throw error;
      options.display.note(`(${error instanceof ApiProblemError ? `server answered ${error.status}` : 'server unreachable'}, retrying…)`);
      await sleep(Math.min(5000, pollMs * 4), options.signal);
      continue;
    }
    options.display.update(job);
    if (isFinal(job.status) || isPaused(job.status)) return job;
    // A job that sits still for hours (a batch at the provider) is asked less often, up to MAX_POLL_MS.
    const state = plainState(job);
    interval = state === lastState ? Math.min(MAX_POLL_MS, Math.max(interval, Math.round(interval * 1.5))) : pollMs;
    lastState = state;
    await sleep(interval, options.signal);
  }
  return undefined;
}

/** No answer, or a gateway / overload answer: worth waiting for (a restart, a rolling deploy). */
function isTransient(error: unknown): boolean {
  return error instanceof ServerUnreachableError || (error instanceof ApiProblemError && [429, 502, 503, 504].includes(error.status));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
