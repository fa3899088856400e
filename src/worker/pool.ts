// A bounded set of long pieces of work (a create upload, a results stream) that run beside the claiming
// loop: a free slot is filled at the next claim, so one batch that takes a minute never holds up the
// claiming of others, and at most `limit` run at once in this process.
import type { EngineContext } from '../engine/context.ts';

export interface Pool<T extends { id: number | string }> {
  /** Claims up to the free slots and starts each; returns how many started. */
  tick(): Promise<number>;
  /** Work in flight right now. */
  size(): number;
  /** Resolves once everything started so far has finished (tests, shutdown). */
  drain(): Promise<void>;
}

export function createPool<T extends { id: number | string }>(
  ctx: Pick<EngineContext, 'log' | 'wake'>,
  name: string,
  limit: number,
  claim: (free: number) => Promise<T[]>,
  work: (unit: T) => Promise<void>,
): Pool<T> {
  const running = new Map<number | string, Promise<void>>();
  return {
    async tick() {
      const free = limit - running.size;
      if (free <= 0) return 0;
      const units = await claim(free);
      let started = 0;
      for (const unit of units) {
        // Still ours from an earlier claim (its lease lapsed while it stalled): that run keeps it.
        if (running.has(unit.id)) continue;
        started += 1;
        const done = work(unit)
          .catch((error: unknown) => ctx.log.error({ step: name, unit: unit.id, err: error }, `${name} failed`))
          .finally(() => {
            running.delete(unit.id);
            // A slot is free: the lane may claim the next unit now rather than after its idle wait.
            ctx.wake();
          });
        running.set(unit.id, done);
      }
      return started;
    },
    size: () => running.size,
    async drain() {
      while (running.size > 0) await Promise.all([...running.values()]);
    },
  };
}
