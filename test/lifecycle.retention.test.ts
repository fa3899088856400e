// Retention, provider clean-up and less text at rest (issue #17): a finished job's text and answers are
// purged once its retention has run out and its summary stays; a running job is never purged; collected
// batches are deleted at the provider with BATCHLINE_PROVIDER_CLEANUP=after_collect; a succeeded item's
// text is dropped once it is final while a failed one keeps it for a retry; bad input is a 422.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { rowsHolding } from './helpers/marker-search.ts';
import { postJson, startTestService, waitForJob, type JobBody } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const FAST_SWEEP = { BATCHLINE_SWEEP_INTERVAL_MS: '100', BATCHLINE_SWEEP_CHUNK: '50' };
const docs = (n: number, marker: string) => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, text: `${marker} review ${i}: the battery lasts two days`, metadata: { author: `${marker}-author-${i}` } }));

interface Retained extends JobBody {
  retention: { days: number | null; purge_after: string | null; purged_at: string | null };
}

async function job(url: string, id: string): Promise<Retained> {
  return (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as Retained;
}

test('retention 0: a finished job keeps its summary and loses its text and answers; a running job is never purged', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url, FAST_SWEEP);
  try {
    const purgedRes = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(120, 'PURGEq1'), retention_days: 0, cache: 'on' });
    assert.equal(purgedRes.status, 201, await purgedRes.clone().text());
    const purgedId = ((await purgedRes.json()) as { id: string }).id;
    const keptRes = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(10, 'KEEPq2') });
    const keptId = ((await keptRes.json()) as { id: string }).id;
    const done = await waitForJob(service.url, purgedId, 30_000);
    await waitForJob(service.url, keptId, 30_000);
    assert.equal(done.status, 'completed');

    const after = await waitFor(`job ${purgedId} to be purged`, async () => {
      const now = await job(service.url, purgedId);
      return now.retention.purged_at ? now : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    assert.ok(after.retention.purged_at, 'purged');
    assert.equal(after.retention.days, 0);
    assert.deepEqual(await rowsHolding(service.database.db, 'PURGEq1'), {}, 'its text and answers are gone from every table');
    // The summary stays: counts, usage and cost as they were.
    assert.deepEqual(after.counts, done.counts);
    assert.deepEqual(after.usage, done.usage);
    assert.deepEqual(after.cost, done.cost);
    assert.equal(after.status, 'completed');
    const results = (await (await fetch(`${service.url}/v1/jobs/${purgedId}/results?limit=5`)).json()) as { data: Array<{ status: string; output: unknown; usage: unknown }> };
    assert.ok(results.data.every((r) => r.status === 'succeeded' && r.output === null && r.usage !== null));
    // Its batches are deleted at the provider too; the other job (no retention) keeps everything.
    assert.equal(sim.stats().callsByRoute.delete, 1);
    const kept = await job(service.url, keptId);
    assert.equal(kept.retention.purged_at, null);
    assert.equal(kept.retention.days, null);
    assert.ok((await rowsHolding(service.database.db, 'KEEPq2')).items === 10);
    // A retry would send documents without text: refused.
    assert.equal((await fetch(`${service.url}/v1/jobs/${purgedId}/retry`, { method: 'POST' })).status, 409);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a job still running is never purged, whatever its retention', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 120_000 });
  const service = await startTestService(db, sim.url, { ...FAST_SWEEP, BATCHLINE_RETENTION_DAYS: '0' });
  try {
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(30, 'RUNq3'), retention_days: 0 });
    const { id } = (await res.json()) as { id: string };
    await waitFor('the job\'s batch to be submitted to the provider', async () => (await job(service.url, id)).batches.some((b) => b.provider_id), { timeoutMs: 10_000, intervalMs: 50 });
    // Many sweeps go by.
    await new Promise((r) => setTimeout(r, 1500));
    const now = await job(service.url, id);
    assert.equal(now.status, 'running');
    assert.equal(now.retention.purged_at, null);
    assert.equal(now.retention.purge_after, null);
    assert.equal((await rowsHolding(service.database.db, 'RUNq3')).items, 30, 'its text is still there: the batch may need it');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('BATCHLINE_PROVIDER_CLEANUP=after_collect deletes each batch at the provider once collected; text is dropped once final, kept for failed items', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50, faults: { items: { invalidRequest: 0.2 } } });
  const service = await startTestService(db, sim.url, { ...FAST_SWEEP, BATCHLINE_PROVIDER_CLEANUP: 'after_collect', BATCH_MAX_REQUESTS: '40' });
  try {
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(100, 'CLEANq4') });
    const { id } = (await res.json()) as { id: string };
    const done = await waitForJob(service.url, id, 30_000);
    assert.equal(done.status, 'completed_with_errors');
    await waitFor('every batch to be deleted at the provider', () => sim.stats().batches === 0, { timeoutMs: 10_000, intervalMs: 100 });
    assert.equal(sim.stats().batches, 0, 'no batch is left at the provider');
    assert.equal(sim.stats().callsByRoute.delete, done.batches.length);
    assert.equal((await job(service.url, id)).status, 'completed_with_errors', 'the job itself stays');

    const items = await service.database.db.selectFrom('items').select(['status', 'document']).where('job_id', '=', id).execute();
    for (const item of items) {
      const document = item.document as { text?: string; metadata?: unknown };
      if (item.status === 'succeeded') assert.equal(document.text, undefined, 'a succeeded item is never sent again: its text is dropped');
      else assert.match(document.text ?? '', /CLEANq4/, 'a failed item keeps its text: POST /retry sends it again');
      assert.ok(document.metadata, 'metadata stays: it is delivered with the result');
    }
    assert.ok(items.some((i) => i.status === 'failed') && items.some((i) => i.status === 'succeeded'));
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('bad input: retention_days below 0 and an unknown redaction are 422 naming the field, and change nothing', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const negative = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(2, 'BADq5'), retention_days: -1 });
    assert.equal(negative.status, 422);
    assert.equal(negative.headers.get('content-type'), 'application/problem+json');
    const problem = (await negative.json()) as { errors: Array<{ field: string }>; detail: string };
    assert.equal(problem.errors[0]?.field, 'retention_days');
    assert.match(problem.detail, /^retention_days: /);
    const redact = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(2, 'BADq5'), redact: ['email', 'ssn'] });
    assert.equal(redact.status, 422);
    assert.equal(((await redact.json()) as { errors: Array<{ field: string }> }).errors[0]?.field, 'redact.1');
    const list = (await (await fetch(`${service.url}/v1/jobs`)).json()) as { data: unknown[] };
    assert.equal(list.data.length, 0, 'nothing was created');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a job due for retention but not yet purged refuses a retry: a purge may be removing its text right then', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  // No sweep comes during the test: the job is due, its text still there. A 30 KB document fails (too large).
  const service = await startTestService(db, sim.url, { BATCHLINE_SWEEP_INTERVAL_MS: '3600000', BATCH_MAX_BYTES: '20000' });
  try {
    const withEmpty = (marker: string) => [...docs(5, marker), { id: 'large', text: `${marker} ${'x'.repeat(30_000)}` }];
    const create = async (body: Record<string, unknown>) => {
      const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', ...body });
      assert.equal(res.status, 201, await res.clone().text());
      return ((await res.json()) as { id: string }).id;
    };
    const dueId = await create({ documents: withEmpty('DUEq5'), retention_days: 0 });
    const keptId = await create({ documents: withEmpty('KEPTq6') });
    for (const id of [dueId, keptId]) assert.equal((await waitForJob(service.url, id, 30_000)).counts.failed, 1);
    assert.equal((await job(service.url, dueId)).retention.purged_at, null, 'not purged yet');
    const refused = await fetch(`${service.url}/v1/jobs/${dueId}/retry`, { method: 'POST' });
    assert.equal(refused.status, 409);
    assert.match(((await refused.json()) as { detail: string }).detail, /being purged/);
    assert.equal((await job(service.url, dueId)).counts.failed, 1, 'nothing moved');
    // A job with no retention is not refused; a document refused at ingest is not sent by a retry.
    const kept = await fetch(`${service.url}/v1/jobs/${keptId}/retry`, { method: 'POST' });
    assert.equal(kept.status, 202);
    assert.equal(((await kept.json()) as { requeued: number }).requeued, 0);
    assert.equal((await job(service.url, keptId)).counts.failed, 1);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});
