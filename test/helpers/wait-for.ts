// One way for tests to wait for a condition. A wait that gives up quietly lets the test go on in a state
// it did not expect and fail later, somewhere else, for a reason nobody can read; this one fails where
// the wait was, naming what it waited for and the last value it saw.

export interface WaitOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** Pause between two checks (ms). */
  intervalMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 2000);
  } catch {
    return String(value);
  }
}

/**
 * Calls `check` until it gives a truthy value, and returns that value. On timeout throws an Error naming
 * `what` and the last value `check` gave (or the error it threw: a check that throws is tried again).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 10_000, intervalMs = 25 }: WaitOptions = {},
): Promise<T> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    // Checked after the attempt, so a check that is slow under load still gets at least one try.
    if (Date.now() - started >= timeoutMs) break;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${describe(last)}`);
}
