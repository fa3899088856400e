// The worker: one process's share of the due work found in Postgres, as a pipeline of lanes that run at
// once — read sources, plan and send batches, poll, collect results, deliver, finalize jobs — so that a
// job's batches are sent while its source is still read, and delivered while its results still stream.
// Nothing in memory matters: each lane claims rows with a lease, works, and writes the next state.
import type { Batch } from '../db/types.ts';
import { claimBatches, releaseAllLeases } from '../engine/claim.ts';
import { collectBatch } from '../engine/batches/collect.ts';
import type { EngineContext } from '../engine/context.ts';
import { deliverDue } from '../engine/delivery/deliver.ts';
import { finalizeJobs } from '../engine/lifecycle/finalize.ts';
import { planBatches } from '../engine/batches/plan.ts';
import { submitBatch } from '../engine/batches/submit.ts';
import { pollBatch } from '../engine/batches/track.ts';
import { sweepResultCache } from '../engine/money/result-cache.ts';
import { sweepSpool } from '../engine/batches/batch-body.ts';
import { runLifecycleSweep } from '../engine/lifecycle/lifecycle-sweep.ts';
import { countFromZero } from '../telemetry/metrics.ts';
import { createPool } from './pool.ts';
import { createSourceReads } from './source-reads.ts';

/** Expired result-cache entries are deleted this often (a bounded number at a time). */
const CACHE_SWEEP_MS = 60_000;

export interface Worker {
  /** Runs one pass of every lane and waits for the work it started; returns how many units it did (tests drive this). */
  tick(): Promise<number>;
  wake(): void;
  /** Stops claiming, waits for running work (up to the deadline), hands back leases. */
  stop(deadlineMs: number): Promise<void>;
  done: Promise<void>;
}

interface Lane {
  name: string;
  /** One claim-and-work pass; 0 when there was nothing to do. */
  step(): Promise<number>;
  /** Whether an idle pass should wait the full idle time (periodic chores: false, they never keep a lane busy). */
  counts: boolean;
}

export function startWorker(ctx: EngineContext, options: { autostart?: boolean } = {}): Worker {
  let stopping = false;
  const sleepers = new Set<() => void>();
  const concurrency = ctx.config.BATCHLINE_WORKER_CONCURRENCY;
  const reads = createSourceReads(ctx);
  // Plan first (new batches start their own send), then batches left `submitting` by a crash or a wait.
  const sends = createPool<Batch>(
    ctx,
    'submit',
    concurrency,
    async (free) => {
      const planned = await planBatches(ctx, free);
      return planned.length < free ? [...planned, ...(await claimBatches(ctx, ['submitting'], free - planned.length))] : planned;
    },
    (batch) => submitBatch(ctx, batch),
  );
  const collects = createPool<Batch>(ctx, 'collect', concurrency, (free) => claimBatches(ctx, ['ended'], free), (batch) => collectBatch(ctx, batch));
  let lastSweep = 0;
  let lastLifecycle = 0;
  countFromZero('batchesGone');
  countFromZero('purgedRows');
  countFromZero('providerBatchesDeleted');
  void sweepSpool(ctx);

  const lanes: Lane[] = [
    { name: 'read', counts: true, step: () => reads.tick() },
    { name: 'submit', counts: true, step: () => sends.tick() },
    { name: 'poll', counts: true, step: async () => each(await claimBatches(ctx, ['in_progress', 'canceling'], concurrency * 4), (b) => pollBatch(ctx, b)) },
    { name: 'collect', counts: true, step: () => collects.tick() },
    { name: 'deliver', counts: true, step: () => deliverDue(ctx) },
    { name: 'finalize', counts: true, step: () => finalizeJobs(ctx) },
    {
      name: 'sweep',
      counts: false,
      step: async () => {
        if (Date.now() - lastSweep < CACHE_SWEEP_MS) return 0;
        lastSweep = Date.now();
        await sweepResultCache(ctx.db);
        return 0;
      },
    },
    {
      // Deletes, retention and provider clean-up: a lane of its own, so no other lane waits for it.
      name: 'lifecycle',
      counts: false,
      step: async () => {
        if (Date.now() - lastLifecycle < ctx.config.BATCHLINE_SWEEP_INTERVAL_MS) return 0;
        lastLifecycle = Date.now();
        await runLifecycleSweep(ctx);
        return 0;
      },
    },
  ];

  async function guarded(lane: Lane): Promise<number> {
    try {
      return await lane.step();
    } catch (error) {
      // A lane never dies: the failure is reported, the rows keep their state, the lease expires.
      ctx.log.error({ step: lane.name, err: error }, 'worker step failed');
      return 0;
    }
  }

  async function each(batches: Batch[], fn: (b: Batch) => Promise<void>): Promise<number> {
    await Promise.all(batches.map((b) => fn(b).catch((error: unknown) => ctx.log.error({ batch_id: b.id, err: error }, 'batch step failed'))));
    return batches.length;
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wakeUp = () => {
        clearTimeout(timer);
        sleepers.delete(wakeUp);
        resolve();
      };
      const timer = setTimeout(wakeUp, ms);
      sleepers.add(wakeUp);
    });

  const current = new Map<string, Promise<number>>();
  async function run(lane: Lane): Promise<void> {
    while (!stopping) {
      const pass = guarded(lane);
      current.set(lane.name, pass);
      const work = await pass;
      if (stopping) break;
      if (work === 0) await sleep(ctx.config.BATCHLINE_IDLE_MS);
    }
  }

  const done = options.autostart === false ? Promise.resolve() : Promise.all(lanes.map(run)).then(() => undefined);

  return {
    async tick() {
      let work = 0;
      for (const lane of lanes) if (lane.counts) work += await guarded(lane);
      await Promise.all([sends.drain(), collects.drain()]);
      return work;
    },
    wake: () => {
      for (const wakeUp of [...sleepers]) wakeUp();
    },
    done,
    async stop(deadlineMs) {
      stopping = true;
      for (const wakeUp of [...sleepers]) wakeUp();
      const settled = Promise.all([...current.values(), sends.drain(), collects.drain()].map((p) => Promise.resolve(p).catch(() => 0)));
      await Promise.race([settled, new Promise((r) => setTimeout(r, deadlineMs).unref())]);
      await reads.stop(deadlineMs);
      await releaseAllLeases(ctx).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not release leases'));
    },
  };
}
