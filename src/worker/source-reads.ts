// Source reads run beside the worker's tick, not inside it: reading a million-row export takes a
// minute, and planning, polling and delivering for other jobs must not wait for it.
import { claimSourceReads, withJobLease } from '../engine/claim.ts';
import type { EngineContext } from '../engine/context.ts';
import { readSource } from '../engine/intake/read-source.ts';

export interface SourceReads {
  /** Claims due reads up to the concurrency limit and starts them; returns how many started. */
  tick(): Promise<number>;
  /** Aborts the reads in flight (each resumes from its checkpoint elsewhere) and waits for them. */
  stop(deadlineMs: number): Promise<void>;
}

export function createSourceReads(ctx: EngineContext): SourceReads {
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const limit = Math.max(1, ctx.config.BATCHLINE_WORKER_CONCURRENCY);

  return {
    async tick() {
      const free = limit - running.size;
      if (free <= 0) return 0;
      const jobs = await claimSourceReads(ctx, free);
      for (const job of jobs) {
        // Our own read of it is still going (its lease lapsed while it stalled): that read keeps it.
        if (running.has(job.id)) continue;
        const controller = new AbortController();
        const done = withJobLease(ctx, job.id, controller, () => readSource(ctx, job, controller.signal))
          .catch((error: unknown) => ctx.log.error({ job_id: job.id, err: error }, 'source read crashed'))
          .finally(() => {
            running.delete(job.id);
            ctx.wake();
          });
        running.set(job.id, { controller, done });
      }
      return jobs.length;
    },
    async stop(deadlineMs) {
      for (const read of running.values()) read.controller.abort(new Error('shutting down'));
      await Promise.race([Promise.all([...running.values()].map((r) => r.done)), new Promise((r) => setTimeout(r, deadlineMs).unref())]);
    },
  };
}
