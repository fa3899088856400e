// The worker: one loop per process that drives every kind of due work found in Postgres.
// Nothing in memory matters: a step claims rows with a lease, works, and writes the next state.
import type { Batch } from '../db/types.ts';
import { claimBatches, releaseAllLeases } from '../engine/claim.ts';
import { collectBatch } from '../engine/collect.ts';
import type { EngineContext } from '../engine/context.ts';
import { deliverDue } from '../engine/deliver.ts';
import { finalizeJobs } from '../engine/finalize.ts';
import { planBatches } from '../engine/plan.ts';
import { submitBatch } from '../engine/submit.ts';
import { pollBatch } from '../engine/track.ts';
import { sweepResultCache } from '../engine/result-cache.ts';
import { createSourceReads } from './source-reads.ts';
import { countFromZero } from '../telemetry/metrics.ts';

/** Expired result-cache entries are deleted this often (a bounded number at a time). */
const CACHE_SWEEP_MS = 60_000;

export interface Worker {
  /** Runs one pass of every step; returns how many units of work it did (tests drive this directly). */
  tick(): Promise<number>;
  wake(): void;
  /** Stops claiming, waits for the running pass (up to the deadline), hands back leases. */
  stop(deadlineMs: number): Promise<void>;
  done: Promise<void>;
}

export function startWorker(ctx: EngineContext, options: { autostart?: boolean } = {}): Worker {
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let current: Promise<number> = Promise.resolve(0);
  const concurrency = ctx.config.BATCHLINE_WORKER_CONCURRENCY;
  const reads = createSourceReads(ctx);
  let lastSweep = 0;
  countFromZero('batchesGone');

  async function step(name: string, fn: () => Promise<number>): Promise<number> {
    try {
      return await fn();
    } catch (error) {
      // The loop never dies: the failure is reported, the rows keep their state, the lease expires.
      ctx.log.error({ step: name, err: error }, 'worker step failed');
      return 0;
    }
  }

  async function each(batches: Batch[], fn: (b: Batch) => Promise<void>): Promise<number> {
    await Promise.all(
      batches.map((b) =>
        fn(b).catch((error: unknown) => ctx.log.error({ batch_id: b.id, err: error }, 'batch step failed')),
      ),
    );
    return batches.length;
  }

  async function tick(): Promise<number> {
    let work = 0;
    work += await step('read', () => reads.tick());
    work += await step('plan', async () => each(await planBatches(ctx), (b) => submitBatch(ctx, b)));
    work += await step('submit', async () => each(await claimBatches(ctx, ['submitting'], concurrency), (b) => submitBatch(ctx, b)));
    work += await step('poll', async () => each(await claimBatches(ctx, ['in_progress', 'canceling'], concurrency * 4), (b) => pollBatch(ctx, b)));
    work += await step('collect', async () => each(await claimBatches(ctx, ['ended'], concurrency), (b) => collectBatch(ctx, b)));
    work += await step('deliver', () => deliverDue(ctx));
    work += await step('finalize', () => finalizeJobs(ctx));
    if (Date.now() - lastSweep > CACHE_SWEEP_MS) {
      lastSweep = Date.now();
      // Not counted as work: it must not keep an idle loop from sleeping.
      await step('sweep', () => sweepResultCache(ctx.db));
    }
    return work;
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      current = tick();
      const work = await current;
      if (stopping) break;
      if (work === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ctx.config.BATCHLINE_IDLE_MS);
          wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wakeUp = undefined;
      }
    }
  }

  const done = options.autostart === false ? Promise.resolve() : loop();

  return {
    tick,
    wake: () => wakeUp?.(),
    done,
    async stop(deadlineMs) {
      stopping = true;
      wakeUp?.();
      await Promise.race([current.catch(() => 0), new Promise((r) => setTimeout(r, deadlineMs).unref())]);
      await reads.stop(deadlineMs);
      await releaseAllLeases(ctx).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not release leases'));
    },
  };
}
