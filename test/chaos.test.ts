// Acceptance (issue #5): three replicas on one Postgres, one SIGKILLed (and restarted) every few seconds,
// during a 10,000-item job with signed callbacks and polling both active. Each item ends with exactly one
// final result, no request is billed twice, every delivery is made. Prints the figures for bench/RESULTS.md.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../src/db/connect.ts';
import { buildParams } from '../src/engine/documents/request.ts';
import { paramsHash, startSimulator } from '../src/provider/simulator/index.ts';
import { resolveTask } from '../src/tasks/registry.ts';
import { buildService } from './helpers/build.ts';
import { createTestDatabase } from './helpers/database.ts';
import { freePort } from './helpers/ports.ts';
import { postJson, spawnService, testEnv, waitForJob, type ChildService } from './helpers/service.ts';

const N = 10_000;
const onPostgres = Boolean(process.env.DATABASE_URL);

test('three replicas, one killed every few seconds: every item once, nothing billed twice, every delivery made', { skip: onPostgres ? false : 'needs real Postgres (several processes share one database); runs in the DATABASE_URL pass' }, async () => {
  // Replicas run compiled, as the image runs them: restarted every few seconds, they must start in well under that.
  const build = await buildService('chaos');
  const db = await createTestDatabase();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const ports = [await freePort(), await freePort(), await freePort()];
  const sim = await startSimulator({ processingMs: 4000, faults: { items: { overloaded: 0.04, expired: 0.03 } } });
  sim.setNotify({ url: `http://127.0.0.1:${ports[0]}/v1/callbacks/batches`, secret });
  const envFor = (port: number) =>
    testEnv(db, {
      PORT: String(port),
      ANTHROPIC_API_KEY: 'chaos-key',
      ANTHROPIC_BASE_URL: sim.url,
      WEBHOOK_SECRET: secret,
      BATCH_MAX_REQUESTS: '1000',
      POLL_MIN_MS: '1000',
      POLL_MAX_MS: '4000',
      BATCHLINE_LEASE_MS: '2000',
      BATCHLINE_COLLECT_CHUNK: '250',
      // The stored prompts are hashed to check billing: keep them past the end of each item.
      BATCHLINE_TEXT_AT_REST: 'until_retention',
    });
  const spawned = await Promise.allSettled(ports.map((p) => spawnService(envFor(p), 30_000, [], build.main)));
  const failed = spawned.find((s) => s.status === 'rejected');
  if (failed) {
    // One replica that cannot start must not leave the others running (they would keep this file's process alive).
    for (const s of spawned) if (s.status === 'fulfilled') s.value.child.kill('SIGKILL');
    throw failed.reason;
  }
  const replicas: Array<ChildService | undefined> = spawned.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  let kills = 0;
  const started = Date.now();
  try {
    const documents = Array.from({ length: N }, (_, i) => ({ id: `c${i}`, text: `chaos document ${i}` }));
    const res = await postJson(`http://127.0.0.1:${ports[1]}/v1/jobs`, { task: 'review-insights', documents, sinks: [{ plugin: 'file', config: { path: 'chaos.jsonl' } }] });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };

    let finished = false;
    const restarts: Array<Promise<void>> = [];
    const chaos = (async () => {
      while (!finished) {
        await new Promise((r) => setTimeout(r, 1500 + Math.random() * 1000));
        if (finished) break;
        const alive = replicas.map((r, i) => (r ? i : -1)).filter((i) => i >= 0);
        const victim = alive[Math.floor(Math.random() * alive.length)];
        const child = victim === undefined ? undefined : replicas[victim];
        if (victim === undefined || !child) continue;
        replicas[victim] = undefined;
        child.child.kill('SIGKILL');
        await child.exited;
        kills += 1;
        // Restart in the background: the next kill does not wait for this replica to be back.
        restarts.push(
          spawnService(envFor(ports[victim] as number), 30_000, [], build.main).then((svc) => {
            if (finished) svc.child.kill('SIGKILL');
            else replicas[victim] = svc;
          }),
        );
      }
    })();
    // Ask whichever replica answers; the job lives in Postgres, not in any of them.
    const deadline = Date.now() + 240_000;
    let job;
    while (Date.now() < deadline) {
      const alive = replicas.find((r) => r !== undefined);
      if (alive) {
        try {
          job = await waitForJob(alive.url, id, 2000);
          break;
        } catch {
          // not finished yet, or that replica was just killed
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    finished = true;
    await chaos;
    await Promise.allSettled(restarts);
    assert.ok(job, 'the job finished');
    assert.equal(job.status, 'completed', JSON.stringify(job.counts));
    assert.equal(job.counts.succeeded, N);
    assert.ok(kills >= 4, `only ${kills} kills happened`);

    const stats = sim.stats();
    const duplicateSubmissions = Object.values(stats.submissionsByCustomId).filter((n) => n > 1).length;
    assert.equal(duplicateSubmissions, 0, 'no (item, attempt) billed twice');
    const check = await openDatabase({ databaseUrl: db.url, dataDir: db.dataDir });
    try {
      const task = resolveTask('review-insights');
      const items = await check.db.selectFrom('items').select(['id', 'attempts', 'document', 'status']).where('job_id', '=', id).execute();
      assert.equal(items.length, N);
      let overBilled = 0;
      for (const item of items) {
        if (stats.submissionsByParamsHash[paramsHash(buildParams(task, item.document as never))] !== item.attempts) overBilled += 1;
      }
      assert.equal(overBilled, 0, 'each document billed once per recorded attempt');
      const finals = await check.db.selectFrom('results').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', id).where('outcome', '=', 'succeeded').executeTakeFirstOrThrow();
      assert.equal(Number(finals.n), N, 'exactly one succeeded result per item');
      const open = await check.db.selectFrom('deliveries').select('id').where('job_id', '=', id).where('status', '!=', 'delivered').execute();
      assert.equal(open.length, 0, 'every delivery made');
    } finally {
      await check.close();
    }
    const keys = new Set<string>();
    for (const line of fs.readFileSync(path.join(db.dataDir, 'chaos.jsonl'), 'utf8').split('\n')) {
      if (line.trim()) keys.add((JSON.parse(line) as { idempotency_key: string }).idempotency_key);
    }
    assert.equal(keys.size, N, 'the file sink holds every result');
    const callbacks = stats.notificationsSent;
    console.log(`chaos: ${N} items, ${kills} replica kills survived, ${((Date.now() - started) / 1000).toFixed(1)} s, duplicate submissions 0, over-billed documents 0, callbacks sent ${callbacks}, batches ${job.batches.length}`);
  } finally {
    for (const r of replicas) r?.child.kill('SIGKILL');
    await sim.close();
    await db.drop();
    build.remove();
  }
});
