// Deleting a job (issue #17), through the real HTTP API against the simulator: a completed job leaves no
// text anywhere in the database and no batch at the provider, only its tombstone; a running job's batches
// are canceled, then deleted once ended, and nothing is delivered after the delete answered; a SIGKILL half
// way through the sweep is resumed after a restart; bad input changes nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/connect.ts';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { rowsHolding } from './helpers/marker-search.ts';
import { postJson, spawnService, startTestService, testEnv, waitForJob, type JobBody } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const FAST_SWEEP = { BATCHLINE_SWEEP_INTERVAL_MS: '100', BATCHLINE_SWEEP_CHUNK: '400' };

interface Tombstone {
  id: string;
  name: string | null;
  counts: Record<string, number>;
  cost: { usd: number; standard_usd: number; saved_usd: number };
  deleted_by: string;
  provider_batches: number;
}

async function waitGone(url: string, id: string, timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/v1/jobs/${id}`, { headers });
    if (res.status === 404) return;
    last = (await res.text()).slice(0, 500);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} was not gone after ${timeoutMs} ms; last: ${last}`);
}

/** The job finished and every delivery of it made. */
async function settled(url: string, id: string, headers: Record<string, string> = {}): Promise<JobBody> {
  await waitForJob(url, id, 60_000, headers);
  return waitFor(`the deliveries of ${id} to finish`, async () => {
    const job = (await (await fetch(`${url}/v1/jobs/${id}`, { headers })).json()) as JobBody;
    return job.deliveries.pending === 0 ? job : undefined;
  }, { timeoutMs: 30_000, intervalMs: 50 });
}

const DELETE_KEY = 'delete-test-key-0123456789abcdef0123';

const documents = (n: number, marker: string) =>
  Array.from({ length: n }, (_, i) => ({ id: `d${i}`, title: `Review ${marker}`, text: `${marker} the battery of unit ${i} lasts two days, the strap broke`, metadata: { note: `${marker}-${i}` } }));

test('deleting a completed 2,000-item job leaves no text in any table and no batch at the provider; its tombstone keeps the cost', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url, { ...FAST_SWEEP, BATCH_MAX_REQUESTS: '500', BATCHLINE_API_KEYS: DELETE_KEY });
  const auth = { authorization: `Bearer ${DELETE_KEY}` };
  const marker = 'MRK7f3q9zz';
  try {
    // A second job stays: its rows must be untouched.
    const keep = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: documents(20, 'KEEPx81'), cache: 'on' }, auth);
    const res = await postJson(`${service.url}/v1/jobs`, { name: 'to-delete', task: 'review-insights', documents: documents(2000, marker), cache: 'on', sinks: [{ plugin: 'file', config: { path: 'out.jsonl' } }] }, auth);
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const keptId = ((await keep.json()) as { id: string }).id;
    const done = await settled(service.url, id, auth);
    await waitForJob(service.url, keptId, 60_000, auth);
    assert.equal(done.status, 'completed');
    assert.equal(done.counts.succeeded, 2000);
    assert.ok(done.cost.usd > 0);
    const batchIds = done.batches.map((b) => b.provider_id);
    assert.equal(batchIds.length, 4);
    const before = await rowsHolding(service.database.db, marker);
    assert.ok((before.items ?? 0) > 0 && (before.result_cache ?? 0) + (before.results ?? 0) > 0, `the marker is stored before the delete: ${JSON.stringify(before)}`);

    const del = await fetch(`${service.url}/v1/jobs/${id}`, { method: 'DELETE', headers: auth });
    assert.equal(del.status, 202, await del.clone().text());
    const deleting = (await del.json()) as { status: string; deletion: { by: string } | null };
    assert.equal(deleting.status, 'deleting');
    assert.match(deleting.deletion?.by ?? '', /^api:key-[\da-f]{12}$/);
    assert.ok(!JSON.stringify(deleting).includes('delete-test-key'), 'the token is never shown');
    // Deleting twice is harmless.
    const again = await fetch(`${service.url}/v1/jobs/${id}`, { method: 'DELETE', headers: auth });
    assert.ok(again.status === 202 || again.status === 404, String(again.status));

    await waitGone(service.url, id, 30_000, auth);
    assert.equal((await fetch(`${service.url}/v1/jobs/${id}`, { headers: auth })).status, 404);
    assert.deepEqual(await rowsHolding(service.database.db, marker), {}, 'no row in any table holds its text or its answers');
    // At the provider: none of its batches is left.
    const held = new Set([...sim.submitted()].map((r) => r.custom_id));
    assert.equal(sim.stats().callsByRoute.delete, 4);
    for (const batch of batchIds) assert.ok(batch);
    const kept = (await (await fetch(`${service.url}/v1/jobs/${keptId}`, { headers: auth })).json()) as JobBody;
    assert.equal(sim.stats().batches, kept.batches.length, 'only the other job\'s batch is still at the provider');
    assert.ok(held.size === 20, `the provider holds only the kept job's requests (${held.size})`);
    assert.ok((await rowsHolding(service.database.db, 'KEEPx81')).items === 20, 'the other job is untouched');

    const list = (await (await fetch(`${service.url}/v1/deleted-jobs`, { headers: auth })).json()) as { data: Tombstone[] };
    const tomb = list.data.find((t) => t.id === id);
    assert.ok(tomb, 'the tombstone is listed');
    assert.equal(tomb.name, 'to-delete');
    assert.equal(tomb.counts.succeeded, 2000);
    assert.equal(tomb.cost.usd, done.cost.usd);
    assert.equal(tomb.provider_batches, 4);
    assert.equal(tomb.deleted_by, deleting.deletion?.by);

    // Once gone: a delete is a 404, as for an id that never existed.
    const gone = await fetch(`${service.url}/v1/jobs/${id}`, { method: 'DELETE', headers: auth });
    assert.equal(gone.status, 404);
    assert.equal(gone.headers.get('content-type'), 'application/problem+json');
    const unknown = await fetch(`${service.url}/v1/jobs/job_doesnotexist00`, { method: 'DELETE', headers: auth });
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { detail: string }).detail, /job_doesnotexist00 does not exist/);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('deleting a running job cancels its batches, deletes them once ended, and delivers nothing after the delete answered', async () => {
  const db = await createTestDatabase();
  // Batches run long; a cancel ends them shortly, with some requests finished as in the real API.
  const sim = await startSimulator({ processingMs: 60_000, faults: { cancelSucceedFraction: 0.3 } });
  const service = await startTestService(db, sim.url, { ...FAST_SWEEP, BATCH_MAX_REQUESTS: '100' });
  const marker = 'RUNx55qk';
  try {
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', documents: documents(300, marker), sinks: [{ plugin: 'file', config: { path: 'running.jsonl' } }] });
    const { id } = (await res.json()) as { id: string };
    await waitFor('all three batches to be with the provider', async () => {
      const job = (await (await fetch(`${service.url}/v1/jobs/${id}`)).json()) as JobBody;
      return job.batches.length === 3 && job.batches.every((b) => b.provider_id);
    }, { timeoutMs: 20_000 });
    const del = await fetch(`${service.url}/v1/jobs/${id}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    const out = path.join(db.dataDir, 'running.jsonl');
    const deliveredAtDelete = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';

    await waitGone(service.url, id, 40_000);
    const calls = sim.stats().callsByRoute;
    assert.equal(calls.cancel, 3, 'each running batch was canceled first');
    assert.equal(calls.delete, 3, 'then deleted once it had ended');
    assert.equal(sim.stats().batches, 0, 'no batch of it is left at the provider');
    assert.equal(fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '', deliveredAtDelete, 'nothing was delivered after the delete answered');
    assert.deepEqual(await rowsHolding(service.database.db, marker), {});
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a SIGKILL in the middle of a delete: after a restart the delete completes', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const marker = 'KILLz0q4';
  try {
    const env = testEnv(db, { ANTHROPIC_API_KEY: 'sk-ant-delete-crash', ANTHROPIC_BASE_URL: sim.url, ...FAST_SWEEP, BATCHLINE_SWEEP_CHUNK: '100', BATCH_MAX_REQUESTS: '300', BATCHLINE_LEASE_MS: '1500' });
    const first = await spawnService({ ...env, BATCHLINE_CRASH_AT: 'in_delete_sweep' });
    let id = '';
    try {
      const res = await postJson(`${first.url}/v1/jobs`, { task: 'review-insights', documents: documents(600, marker), sinks: [{ plugin: 'file', config: { path: 'crash.jsonl' } }] });
      assert.equal(res.status, 201);
      id = ((await res.json()) as { id: string }).id;
      await settled(first.url, id);
      assert.equal((await fetch(`${first.url}/v1/jobs/${id}`, { method: 'DELETE' })).status, 202);
      const exit = await Promise.race([first.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no crash:\n${first.output().slice(-2000)}`)), 30_000).unref())]);
      assert.equal(exit.signal, 'SIGKILL', first.output().slice(-2000));
    } finally {
      first.child.kill('SIGKILL');
    }
    // Killed after its first chunk: part of the job's rows are gone, the job is still there, deleting.
    const half = await openDatabase({ databaseUrl: db.url, dataDir: db.dataDir });
    try {
      const job = await half.db.selectFrom('jobs').select('status').where('id', '=', id).executeTakeFirst();
      assert.equal(job?.status, 'deleting');
    } finally {
      await half.close();
    }

    const second = await spawnService(env);
    try {
      await waitGone(second.url, id, 30_000);
      const list = (await (await fetch(`${second.url}/v1/deleted-jobs`)).json()) as { data: Tombstone[] };
      const tomb = list.data.find((t) => t.id === id);
      assert.equal(tomb?.counts.succeeded, 600, 'the tombstone was written before any row went, and kept');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    const check = await openDatabase({ databaseUrl: db.url, dataDir: db.dataDir });
    try {
      assert.deepEqual(await rowsHolding(check.db, marker), {});
    } finally {
      await check.close();
    }
    assert.equal(sim.stats().batches, 0);
  } finally {
    await sim.close();
    await db.drop();
  }
});
