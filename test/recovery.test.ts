// Work that comes back in an unexpected state still ends: vanished provider batches, cancels racing retries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `doc-${i}`, text: `recovery document ${i}` }));

test('a provider batch that no longer exists (404 for the whole window) sends its items again in a new batch', async () => {
  const db = await createTestDatabase();
  // Batches run until the test says otherwise: the first must still be in progress when its row is repointed.
  const sim = await startSimulator({ processingMs: 600_000 });
  // A short window: by default a batch must stay invisible for 30 minutes before it is declared gone.
  const service = await startTestService(db, sim.url, { BATCHLINE_UNCONFIRMED_WINDOW_MS: '300', BATCHLINE_UNCONFIRMED_MIN_LOOKS: '3' });
  try {
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(20) })).json()) as { id: string };
    const batchesDb = service.database.db.selectFrom('batches').selectAll().where('job_id', '=', id);
    await waitFor('the job\'s batch to be submitted to the provider', async () => (await batchesDb.execute()).some((b) => b.provider_id), { timeoutMs: 15_000 });
    // The provider forgets the batch (deleted out of band): point our row at an id it does not know.
    await service.database.db.updateTable('batches').set({ provider_id: 'msgbatch_vanished000000000000', next_run_at: new Date() }).where('job_id', '=', id).execute();
    sim.setProcessingMs(50);

    const job = await waitForJob(service.url, id, 30_000);
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, 20);
    const batches = await batchesDb.orderBy('id').execute();
    assert.equal(batches.length, 2);
    assert.equal(batches[0]?.last_error?.type, 'batch_gone');
    assert.equal(batches[1]?.is_retry, true);
    assert.equal(batches[1]?.request_count, 20);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('items that come back retryable after a cancel are canceled, not sent again', async () => {
  const db = await createTestDatabase();
  // Every request "finishes" despite the cancel, half of them expired: those would normally be retried.
  // The batch runs until canceled, so however slow the run, the cancel comes before its end.
  const sim = await startSimulator({ processingMs: 600_000, faults: { items: { expired: 0.5 }, cancelSucceedFraction: 1 } });
  const service = await startTestService(db, sim.url);
  try {
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(100) })).json()) as { id: string };
    await waitFor('the job\'s batch to be submitted to the provider', async () => {
      const batches = await service.database.db.selectFrom('batches').select('provider_id').where('job_id', '=', id).execute();
      return batches.some((b) => b.provider_id);
    }, { timeoutMs: 15_000 });
    assert.equal((await fetch(`${service.url}/v1/jobs/${id}/cancel`, { method: 'POST' })).status, 202);
    const job = await waitForJob(service.url, id, 30_000);
    assert.equal(job.status, 'canceled');
    assert.equal(job.counts.succeeded + job.counts.canceled, 100);
    assert.ok(job.counts.canceled > 20 && job.counts.succeeded > 20, JSON.stringify(job.counts));
    assert.equal(sim.stats().requestsSubmitted, 100, 'nothing was re-submitted after the cancel');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});
