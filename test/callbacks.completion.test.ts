// Acceptance (issue #5): with polling slowed to 10 minutes, signed callbacks from a notifier finish a
// 2,000-item job within seconds of its batches ending; without callbacks, polling alone finishes it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

const documents = Array.from({ length: 2000 }, (_, i) => ({ id: `n${i}`, text: `callback document ${i}` }));

test('callbacks finish a job within seconds of its batches ending, with polling at 10 minutes', async () => {
  const db = await createTestDatabase();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const sim = await startSimulator({ processingMs: 1500 });
  const service = await startTestService(db, sim.url, { WEBHOOK_SECRET: secret, POLL_MIN_MS: '600000', POLL_MAX_MS: '600000', BATCH_MAX_REQUESTS: '500' });
  try {
    sim.setNotify({ url: `${service.url}/v1/callbacks/batches`, secret });
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents })).json()) as { id: string };
    const job = await waitForJob(service.url, id, 60_000);
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, 2000);
    const batches = await service.database.db.selectFrom('batches').select(['ended_at']).where('job_id', '=', id).execute();
    const lastEnded = Math.max(...batches.map((b) => b.ended_at?.getTime() ?? 0));
    const row = await service.database.db.selectFrom('jobs').select('finished_at').where('id', '=', id).executeTakeFirstOrThrow();
    const lag = (row.finished_at?.getTime() ?? Infinity) - lastEnded;
    assert.ok(lag < 5000, `finished ${lag} ms after the last batch ended`);
    assert.equal(service.counters.callbacks.accepted, 4, 'one accepted callback per batch');
    assert.equal(sim.stats().notificationsSent, 4);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a transient 404 on the first retrieve and first results of every batch costs seconds, not a poll interval', async () => {
  // Issue #26: callback-first (polls at ten minutes); each batch's first retrieve and first results
  // call answer 404 as the real API has been seen to (reference §12). The look after each 404 follows
  // the recheck schedule, so the job ends within seconds and every prompt is sent (and billed) once.
  const db = await createTestDatabase();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const sim = await startSimulator({ processingMs: 1500, faults: { notFound: { firstRetrieve: true, firstResults: true } } });
  const service = await startTestService(db, sim.url, { WEBHOOK_SECRET: secret, POLL_MIN_MS: '600000', POLL_MAX_MS: '600000', BATCH_MAX_REQUESTS: '500' });
  try {
    sim.setNotify({ url: `${service.url}/v1/callbacks/batches`, secret });
    const started = Date.now();
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents })).json()) as { id: string };
    const job = await waitForJob(service.url, id, 30_000);
    const tookMs = Date.now() - started;
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, 2000);
    const stats = sim.stats();
    assert.ok(stats.invisibleAnswers >= 8, `${stats.invisibleAnswers} 404s answered (a first retrieve and a first results call per batch)`);
    assert.equal(stats.creates, 4, 'four batches of 500, none sent again');
    assert.equal(stats.requestsSubmitted, 2000, 'nothing billed twice');
    for (const [hash, n] of Object.entries(stats.submissionsByParamsHash)) assert.equal(n, 1, `prompt ${hash} sent ${n} times`);
    console.log(`callback-first with 404s: 2,000 items completed in ${tookMs} ms, ${stats.invisibleAnswers} 404s looked past`);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('without callbacks the same job finishes by polling', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 1500 });
  const service = await startTestService(db, sim.url, { POLL_MIN_MS: '300', POLL_MAX_MS: '1000', BATCH_MAX_REQUESTS: '500' });
  try {
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents })).json()) as { id: string };
    const job = await waitForJob(service.url, id, 60_000);
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, 2000);
    assert.equal(service.counters.callbacks.accepted, 0);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});
