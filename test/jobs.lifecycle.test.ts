// Cancel, retry, schema-invalid answers and graceful shutdown, through the real HTTP API.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { postJson, spawnService, startTestService, testEnv, waitForJob } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const docs = (n: number, prefix = 'doc') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, text: `${prefix} text number ${i}` }));

test('canceling a job cancels its provider batches; finished items are kept and delivered, the rest canceled', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 60_000, faults: { cancelSucceedFraction: 0.3 } });
  const service = await startTestService(db, sim.url, { BATCH_MAX_REQUESTS: '100' });
  try {
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', documents: docs(300), sinks: [{ plugin: 'file', config: { path: 'cancel.jsonl' } }] });
    const { id } = (await res.json()) as { id: string };
    await waitFor('all three batches to be with the provider', async () => {
      const job = (await (await fetch(`${service.url}/v1/jobs/${id}`)).json()) as { batches: Array<{ provider_id: string | null }> };
      return job.batches.length === 3 && job.batches.every((b) => b.provider_id);
    }, { timeoutMs: 20_000 });
    const cancel = await fetch(`${service.url}/v1/jobs/${id}/cancel`, { method: 'POST' });
    assert.equal(cancel.status, 202);
    assert.equal(((await cancel.json()) as { cancel_requested: boolean }).cancel_requested, true);

    const job = await waitForJob(service.url, id, 30_000);
    assert.equal(job.status, 'canceled');
    assert.equal(sim.stats().callsByRoute.cancel, 3);
    assert.equal(job.counts.succeeded + job.counts.canceled, 300);
    assert.ok(job.counts.succeeded > 30 && job.counts.canceled > 100, JSON.stringify(job.counts));
    const lines = fs.readFileSync(path.join(db.dataDir, 'cancel.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, job.counts.succeeded, 'the finished items were delivered');
    // Canceling again is a conflict; nothing is submitted after a cancel.
    assert.equal((await fetch(`${service.url}/v1/jobs/${id}/cancel`, { method: 'POST' })).status, 409);
    assert.equal(sim.stats().requestsSubmitted, 300);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('schema-invalid answers and invalid requests fail with their reason; retry re-queues only those', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50, faults: { items: { offSchema: 0.1, invalidRequest: 0.1 } } });
  const service = await startTestService(db, sim.url);
  try {
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(200) });
    const { id } = (await res.json()) as { id: string };
    const job = await waitForJob(service.url, id, 30_000);
    assert.equal(job.status, 'completed_with_errors');
    assert.ok(job.counts.failed > 10, JSON.stringify(job.counts));
    assert.equal(job.counts.succeeded + job.counts.failed, 200);

    const failed = (await (await fetch(`${service.url}/v1/jobs/${id}/results?status=failed&limit=1000`)).json()) as {
      data: Array<{ status: string; output: unknown; error: { type: string; message: string }; attempts: number }>;
    };
    assert.equal(failed.data.length, job.counts.failed);
    const types = new Set(failed.data.map((r) => r.error.type));
    assert.deepEqual([...types].sort(), ['invalid_output', 'invalid_request_error']);
    for (const r of failed.data) {
      assert.equal(r.output, null);
      assert.equal(r.attempts, 1, 'terminal errors are not retried automatically');
      if (r.error.type === 'invalid_output') assert.match(r.error.message, /sentiment|score|summary/);
    }

    const submittedBefore = sim.stats().requestsSubmitted;
    const retry = await fetch(`${service.url}/v1/jobs/${id}/retry`, { method: 'POST' });
    assert.equal(retry.status, 202);
    assert.equal(((await retry.json()) as { requeued: number }).requeued, job.counts.failed);
    const after = await waitForJob(service.url, id, 30_000);
    assert.equal(after.status, 'completed');
    assert.equal(after.counts.succeeded, 200);
    assert.equal(sim.stats().requestsSubmitted - submittedBefore, job.counts.failed, 'only the failed items were sent again');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('SIGTERM stops claiming work, hands leases back and exits 0; another process finishes the job', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 1500 });
  try {
    const env = testEnv(db, { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: sim.url, BATCH_MAX_REQUESTS: '50' });
    const first = await spawnService(env);
    const { id } = (await (await postJson(`${first.url}/v1/jobs`, { task: 'review-insights', documents: docs(200) })).json()) as { id: string };
    // Stopped mid-work: once it has a batch at the provider (and leases on the rest of its work).
    await waitFor('the first process to submit a batch', () => sim.stats().creates > 0, { timeoutMs: 20_000 });
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    assert.equal(exit.code, 0, first.output().slice(-2000));
    assert.match(first.output(), /shutting down/);

    const second = await spawnService(env);
    try {
      const job = await waitForJob(second.url, id, 30_000);
      assert.equal(job.status, 'completed');
      assert.equal(job.counts.succeeded, 200);
      assert.equal(sim.stats().requestsSubmitted, 200, 'nothing submitted twice across the restart');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  } finally {
    await sim.close();
    await db.drop();
  }
});
