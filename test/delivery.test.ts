// Acceptance (issue #4): every result reaches every sink at least once with a stable idempotency key,
// through a flaky receiver, a SIGKILL mid-delivery, and a receiver that refuses until it is fixed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { payloadsByKey, startReceiver } from './helpers/receiver.ts';
import { postJson, spawnService, startTestService, testEnv, waitForJob } from './helpers/service.ts';

const docs = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, text: `delivery document ${i}` }));

test('a flaky receiver (every 7th call 503, slow calls, one 429) ends with every result, each key once in content', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 100 });
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  let rateLimited = false;
  const receiver = await startReceiver((call, request) => {
    // Every request must carry a valid Standard Webhooks signature.
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    if (call % 7 === 0) return { status: 503, body: 'try later' };
    if (!rateLimited && call === 5) {
      rateLimited = true;
      return { status: 429, headers: { 'retry-after': '1' } };
    }
    return { status: 200, delayMs: call % 5 === 0 ? 300 : 0 };
  });
  const service = await startTestService(db, sim.url, { BATCH_MAX_REQUESTS: '500', BATCHLINE_DELIVERY_BATCH: '200' });
  try {
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(2000, 'f'), sinks: [{ plugin: 'http', config: { url: receiver.url, secret, batch_size: 100 } }] });
    const { id } = (await res.json()) as { id: string };
    const job = await waitForJob(service.url, id, 120_000);
    assert.equal(job.status, 'completed');
    assert.equal(job.deliveries.delivered, 2000);
    const byKey = payloadsByKey(receiver.requests);
    assert.equal(byKey.size, 2000, 'every key seen');
    for (const [key, payloads] of byKey) assert.equal(payloads.size, 1, `${key} arrived with ${payloads.size} different payloads`);
    assert.ok(rateLimited);
    // The secret is write-only: it is not stored in clear.
    const stored = await service.database.db.selectFrom('jobs').select('sinks').where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(stored.sinks).includes(secret.slice(6)), 'the webhook secret is sealed at rest');
  } finally {
    await service.close();
    await receiver.close();
    await sim.close();
    await db.drop();
  }
});

test('a SIGKILL during delivery: after a restart every result is delivered, repeats carry the same key, the file holds each once', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 100 });
  const receiver = await startReceiver();
  try {
    const env = testEnv(db, { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: sim.url, BATCH_MAX_REQUESTS: '500', BATCHLINE_DELIVERY_BATCH: '300' });
    const first = await spawnService({ ...env, BATCHLINE_CRASH_AT: 'after_delivery_write' });
    const sinks = [{ plugin: 'file', config: { path: 'out/results.jsonl' } }, { plugin: 'http', config: { url: receiver.url, batch_size: 100 } }];
    const { id } = (await (await postJson(`${first.url}/v1/jobs`, { task: 'review-insights', documents: docs(1000, 'k'), sinks })).json()) as { id: string };
    const exit = await first.exited;
    assert.equal(exit.signal, 'SIGKILL');
    const second = await spawnService(env);
    try {
      const job = await waitForJob(second.url, id, 60_000);
      assert.equal(job.status, 'completed');
      assert.equal(job.deliveries.delivered, 2000);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    const lines = fs.readFileSync(path.join(db.dataDir, 'out/results.jsonl'), 'utf8').trim().split('\n');
    const fileKeys = lines.map((l) => (JSON.parse(l) as { idempotency_key: string }).idempotency_key);
    assert.equal(fileKeys.length, 1000, 'no result written twice');
    assert.equal(new Set(fileKeys).size, 1000);
    const byKey = payloadsByKey(receiver.requests);
    assert.equal(byKey.size, 1000);
    for (const payloads of byKey.values()) assert.equal(payloads.size, 1, 'a repeated delivery carries the same key and payload');
  } finally {
    await receiver.close();
    await sim.close();
    await db.drop();
  }
});

test('a receiver answering 400 dead-letters with its answer kept; after a fix, replay completes the job', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  let broken = true;
  const receiver = await startReceiver(() => (broken ? { status: 400, body: 'schema mismatch: field "output" unexpected' } : { status: 204 }));
  const service = await startTestService(db, sim.url);
  try {
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(30, 'b'), sinks: [{ plugin: 'http', config: { url: receiver.url, batch_size: 10 } }] })).json()) as { id: string };
    const job = await waitForJob(service.url, id, 30_000);
    assert.equal(job.status, 'completed_with_errors');
    assert.equal(job.counts.succeeded, 30);
    assert.equal(job.deliveries.dead, 30);
    const dead = (await (await fetch(`${service.url}/v1/jobs/${id}/deliveries?status=dead&limit=100`)).json()) as { data: Array<{ attempts: number; last_error: { message: string }; sink: string }> };
    assert.equal(dead.data.length, 30);
    for (const d of dead.data) {
      assert.equal(d.attempts, 1, '4xx is final at once');
      assert.match(d.last_error.message, /HTTP 400: schema mismatch/);
      assert.equal(d.sink, 'http');
    }
    broken = false;
    const replay = await postJson(`${service.url}/v1/jobs/${id}/deliveries/replay`, { which: 'dead' });
    assert.equal(replay.status, 202);
    assert.deepEqual(await replay.json(), { replayed: 30 });
    const after = await waitForJob(service.url, id, 30_000);
    assert.equal(after.status, 'completed');
    assert.equal(after.deliveries.delivered, 30);
    assert.equal(payloadsByKey(receiver.requests).size, 30);
  } finally {
    await service.close();
    await receiver.close();
    await sim.close();
    await db.drop();
  }
});

test('the postgres sink writes every result into a table of the service database, upserted by key', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs(120, 'p'), sinks: [{ plugin: 'postgres', config: { table: 'review_results' } }] })).json()) as { id: string };
    const job = await waitForJob(service.url, id, 30_000);
    assert.equal(job.status, 'completed');
    const replay = await postJson(`${service.url}/v1/jobs/${id}/deliveries/replay`, { which: 'all' });
    assert.deepEqual(await replay.json(), { replayed: 120 });
    await waitForJob(service.url, id, 30_000);
    const rows = await sql<{ n: number; keys: number }>`SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM review_results WHERE job_id = ${id}`.execute(service.database.db);
    assert.deepEqual(rows.rows[0], { n: 120, keys: 120 });
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});
