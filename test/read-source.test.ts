// The source read's guarantees at the engine level, with a plugin written for the test: a read stopped
// by shutdown is never taken for the end of the source, and cancel or close during a read wins.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { claimSourceReads } from '../src/engine/claim.ts';
import type { EngineContext } from '../src/engine/context.ts';
import { cancelJob } from '../src/engine/lifecycle/cancel.ts';
import { createJob } from '../src/engine/intake/ingest.ts';
import { readSource } from '../src/engine/intake/read-source.ts';
import { silentLogger } from '../src/logger.ts';
import type { SourcePlugin } from '../src/plugins/contract.ts';
import { createRegistry } from '../src/plugins/registry.ts';
import { createProviderClient } from '../src/provider/client.ts';
import { startService } from '../src/service.ts';
import { createTestDatabase } from './helpers/database.ts';
import { testConfig } from './helpers/service.ts';

/** Yields `total` documents; calls `during(n)` before the n-th; ends quietly when aborted, as a careless plugin would. */
function countingSource(total: number, during: (n: number) => Promise<void> | void = () => {}): SourcePlugin {
  return {
    name: 'counting',
    description: 'test source',
    configSchema: z.object({}),
    async *read(_config, ctx) {
      for (let n = 1; n <= total; n++) {
        await during(n);
        if (ctx.signal.aborted) return;
        yield { id: `doc-${n}`, text: `document ${n}` };
      }
    },
  };
}

async function withEngine(fn: (ctx: (plugin: SourcePlugin) => EngineContext) => Promise<void>): Promise<void> {
  const db = await createTestDatabase();
  const service = await startService(testConfig(db), { log: silentLogger(), provider: createProviderClient({ apiKey: 'test', baseURL: 'http://127.0.0.1:9' }), worker: false });
  try {
    await fn((plugin) => ({ ...service.engine, sources: createRegistry([{ plugin, origin: 'test' }]) }));
  } finally {
    await service.close();
    await db.drop();
  }
}

test('a read aborted mid-way (shutdown) is not the end of the source: the next read completes it', async () => {
  await withEngine(async (engineWith) => {
    const controller = new AbortController();
    const ctx = engineWith(countingSource(12_000, (n) => (n === 7_000 ? controller.abort(new Error('shutting down')) : undefined)));
    const { job } = await createJob(ctx, { task: 'review-insights', source: { plugin: 'counting', config: {} } });
    const [claimed] = await claimSourceReads(ctx, 1);
    await readSource(ctx, claimed!, controller.signal);
    const stopped = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    assert.equal(stopped.status, 'ingesting', 'a stopped read leaves the job reading');
    assert.equal(stopped.ingest_stats?.read, 5_000, 'the first chunk is stored');

    await ctx.db.updateTable('jobs').set({ lease_owner: null, lease_until: null }).where('id', '=', job.id).execute(); // as releaseAllLeases does
    const [again] = await claimSourceReads(engineWith(countingSource(12_000)), 1);
    await readSource(engineWith(countingSource(12_000)), again!, new AbortController().signal);
    const done = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    assert.equal(done.status, 'running');
    const items = await ctx.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', job.id).executeTakeFirstOrThrow();
    assert.equal(Number(items.n), 12_000);
  });
});

test('a cancel during a read wins: the read stops and does not bring the job back', async () => {
  await withEngine(async (engineWith) => {
    let ctx!: EngineContext;
    let jobId = '';
    ctx = engineWith(countingSource(8_000, async (n) => (n === 6_000 ? cancelJob(ctx, jobId) : undefined)));
    const { job } = await createJob(ctx, { task: 'review-insights', source: { plugin: 'counting', config: {} } });
    jobId = job.id;
    const [claimed] = await claimSourceReads(ctx, 1);
    await readSource(ctx, claimed!, new AbortController().signal);
    const after = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    assert.equal(after.status, 'running', 'cancel hands the job to finalize');
    assert.ok(after.cancel_requested_at);
    assert.equal(after.source_open, false);
    const queued = await ctx.db.selectFrom('items').select('id').where('job_id', '=', job.id).where('status', '=', 'queued').execute();
    assert.equal(queued.length, 0, 'nothing left to plan');
  });
});
