// Acceptance (issue #15), the parts a test can check without a clock: a create body larger than the
// service's whole heap is still sent (it streams from Postgres through a spool file); a long source's
// batches go out while it is still being read; and a small job is not stuck behind a large one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { startReceiver } from './helpers/receiver.ts';
import { postJson, spawnService, startTestService, testEnv, waitForJob } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const HEAP_MB = 96;

test(`a batch whose create body is larger than the service's ${HEAP_MB} MB heap is still sent, whole`, async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 100 });
  // 1,800 reviews of ~60 KB: one batch of ~110 MB, read from a CSV so no request body holds them either.
  const rows = 1800;
  const file = path.join(db.dataDir, 'long-reviews.csv');
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'id,text,rating\n');
  const filler = 'The strap broke after a week and support took ages, but the battery is superb. '.repeat(750);
  for (let i = 0; i < rows; i++) fs.writeSync(fd, `r${i},"${i} ${filler}",${(i % 5) + 1}\n`);
  fs.closeSync(fd);
  const service = await spawnService(testEnv(db, { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: sim.url, BATCHLINE_BATCH_CUT_REQUESTS: '100000', BATCHLINE_BATCH_CUT_MS: '600000' }), 30_000, [`--max-old-space-size=${HEAP_MB}`]);
  try {
    const body = { task: 'review-insights', source: { plugin: 'reviews', config: { path: file, columns: { id: 'id', text: 'text', rating: 'rating' } } } };
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, body)).json()) as { id: string };
    const job = await waitForJob(service.url, id, 120_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${service.output().slice(-3000)}`);
    });
    assert.equal(job.status, 'completed', service.output().slice(-3000));
    assert.equal(job.counts.succeeded, rows);
    assert.equal(job.batches.length, 1, 'one batch');
    const view = (await (await fetch(`${service.url}/v1/jobs/${id}`)).json()) as { estimate: { input_tokens: { estimate: number } } };
    assert.ok(view.estimate.input_tokens.estimate > 0);
    const stats = sim.stats();
    assert.equal(stats.creates, 1);
    assert.equal(stats.requestsSubmitted, rows);
    let bytes = 0;
    for (const r of sim.submitted()) bytes += Buffer.byteLength(JSON.stringify(r)) + 1;
    assert.ok(bytes > HEAP_MB * 1024 * 1024, `the create body was ${(bytes / 2 ** 20).toFixed(0)} MB, more than the ${HEAP_MB} MB heap`);
    assert.doesNotMatch(service.output(), /heap out of memory/);
    assert.deepEqual(fs.readdirSync(path.join(db.dataDir, 'spool')), [], 'the spool file is gone once sent');
    console.log(`memory: a ${(bytes / 2 ** 20).toFixed(0)} MB create body sent by a service with a ${HEAP_MB} MB heap`);
  } finally {
    service.child.kill('SIGKILL');
    await service.exited;
    await sim.close();
    await db.drop();
  }
});

test("a long source's batches go out while it is still being read, and the job completes whole", async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const file = path.join(db.dataDir, 'export.csv');
  // Long enough on Postgres for batches to be sent mid-read; PGlite only checks the job completes whole.
  const rows = db.kind === 'postgres' ? 40_000 : 5_000;
  fs.writeFileSync(file, `id,text\n${Array.from({ length: rows }, (_, i) => `r${i},review number ${i} says the app crashes`).join('\n')}\n`);
  // Cut every 1,000 waiting items (the source is written in chunks of 5,000).
  const service = await startTestService(db, sim.url, { BATCHLINE_BATCH_CUT_REQUESTS: '1000', BATCHLINE_BATCH_CUT_MS: '600000' });
  try {
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', source: { plugin: 'reviews', config: { path: file, columns: { id: 'id', text: 'text' } } } })).json()) as { id: string };
    const job = await waitForJob(service.url, id, 60_000);
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, rows);
    const db2 = service.database.db;
    const lastItem = await db2.selectFrom('items').select((eb) => eb.fn.max('created_at').as('at')).where('job_id', '=', id).executeTakeFirstOrThrow();
    const batches = await db2.selectFrom('batches').selectAll().where('job_id', '=', id).orderBy('id').execute();
    const readEnd = new Date(lastItem.at as unknown as string).getTime();
    // PGlite is one connection: the read's chunk transactions and the planner take turns on it, so a read
    // this short ends before planning has had its turn. On Postgres they run side by side.
    if (db.kind === 'postgres') {
      assert.ok(batches.length >= 2, `${batches.length} batches`);
      assert.ok(batches.some((b) => b.created_at.getTime() < readEnd), 'a batch was cut before the last document was read');
      // Its create call went out mid-read (when the provider answers it is the provider's business).
      assert.ok(batches.some((b) => b.submit_started_at !== null && b.submit_started_at.getTime() < readEnd), 'a batch was sent to the provider before the last document was read');
    }
    assert.ok(batches.every((b) => b.request_count <= rows));
    assert.equal(batches.reduce((n, b) => n + b.request_count, 0), rows, 'every item in exactly one batch');
    assert.equal(sim.stats().requestsSubmitted, rows);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a 20-document job created while a large one runs completes while the large one is still being worked on', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  // Both jobs deliver to a slow receiver through the same sink plugin: the large job alone could keep
  // every delivery slot busy for a long time.
  const receiver = await startReceiver(() => ({ status: 200, delayMs: 60 }));
  const service = await startTestService(db, sim.url, { BATCHLINE_SINK_CONCURRENCY: '2' });
  try {
    const sinks = [{ plugin: 'http', config: { url: receiver.url, batch_size: 50 } }];
    const large = (await (await postJson(`${service.url}/v1/jobs`, { name: 'large', task: 'review-insights', documents: Array.from({ length: 6000 }, (_, i) => ({ id: `l${i}`, text: `large job review ${i}` })), sinks })).json()) as { id: string };
    // Wait until the large job delivers, so the small one arrives behind its backlog.
    await waitFor('the large job\'s first delivery', () => receiver.requests.length > 0, { timeoutMs: 30_000, intervalMs: 50 });
    const small = (await (await postJson(`${service.url}/v1/jobs`, { name: 'small', task: 'review-insights', documents: Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, text: `small job review ${i}` })), sinks })).json()) as { id: string };
    const smallDone = await waitForJob(service.url, small.id, 60_000);
    assert.equal(smallDone.status, 'completed');
    const largeNow = (await (await fetch(`${service.url}/v1/jobs/${large.id}`)).json()) as { status: string; deliveries: { pending: number; delivered: number } };
    assert.equal(largeNow.status, 'running', 'the large job is still being worked on');
    assert.ok(largeNow.deliveries.pending > 0, `the large job still has ${largeNow.deliveries.pending} deliveries to make`);
    const largeDone = await waitForJob(service.url, large.id, 120_000);
    assert.equal(largeDone.status, 'completed');
    assert.equal(largeDone.counts.succeeded, 6000);
    console.log(`fairness: the small job finished while the large one had ${largeNow.deliveries.pending} of 6,000 deliveries to make`);
  } finally {
    await service.close();
    await receiver.close();
    await sim.close();
    await db.drop();
  }
});
