// Acceptance (issue #5): three replicas on one Postgres, one SIGKILLed (and restarted) at random points,
// during a job with signed callbacks and polling both active. Each item ends with exactly one final result,
// no request is billed twice, every delivery is made. Prints the figures for bench/RESULTS.md.
//
// The kill schedule comes from a seeded PRNG, so a run can be replayed (CHAOS_SEED) and always makes its
// KILLS kills: the first HELD_KILLS while the provider holds every batch in progress (the job cannot be
// over then, whatever the machine's speed), the rest after the batches are let go, while results are
// collected, retried and delivered. CHAOS_ITEMS makes the job larger (bench/RESULTS.md ran 10,000).
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
import { postJson, spawnService, testEnv, type ChildService, type JobBody } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const N = Number(process.env.CHAOS_ITEMS ?? 2000);
const SEED = Number(process.env.CHAOS_SEED ?? 0x5eed1e55);
const KILLS = 6;
const HELD_KILLS = 3;
const REPLICAS = 3;
// Long enough that no batch ends by itself during the test: the test releases them.
const HOLD_MS = 3_600_000;
const onPostgres = Boolean(process.env.DATABASE_URL);

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Kill {
  /** Pause before this kill (ms). */
  afterMs: number;
  victim: number;
}

/** The whole schedule, drawn up front: the same seed gives the same gaps and the same victims. */
function killSchedule(seed: number): Kill[] {
  const random = seededRandom(seed);
  return Array.from({ length: KILLS }, () => ({ afterMs: 300 + Math.floor(random() * 900), victim: Math.floor(random() * REPLICAS) }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('three replicas, one killed at random points: every item once, nothing billed twice, every delivery made', { skip: onPostgres ? false : 'needs real Postgres (several processes share one database); runs in the DATABASE_URL pass' }, async () => {
  // Replicas run compiled, as the image runs them: restarted right after a kill, they must start fast.
  const build = await buildService('chaos');
  const db = await createTestDatabase();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const ports = await Promise.all(Array.from({ length: REPLICAS }, () => freePort()));
  const sim = await startSimulator({ processingMs: HOLD_MS, faults: { items: { overloaded: 0.04, expired: 0.03 } } });
  sim.setNotify({ url: `http://127.0.0.1:${ports[0]}/v1/callbacks/batches`, secret });
  const envFor = (port: number) =>
    testEnv(db, {
      PORT: String(port),
      ANTHROPIC_API_KEY: 'chaos-key',
      ANTHROPIC_BASE_URL: sim.url,
      WEBHOOK_SECRET: secret,
      // Several batches, each collected in several chunks: a kill can land between any two.
      BATCH_MAX_REQUESTS: String(Math.ceil(N / 10)),
      BATCHLINE_COLLECT_CHUNK: String(Math.ceil(N / 20)),
      POLL_MIN_MS: '500',
      POLL_MAX_MS: '2000',
      BATCHLINE_LEASE_MS: '2000',
      // A kill during batches.create leaves the batch in doubt for the lease plus this settle time before the
      // orphan search may send it again. The real API can take ~40 s to list a new batch (hence 45 s by
      // default); the simulator lists it at once, so a short window keeps the check and drops the wait.
      BATCHLINE_CREATE_SETTLE_MS: '2000',
      // The stored prompts are hashed to check billing: keep them past the end of each item.
      BATCHLINE_TEXT_AT_REST: 'until_retention',
    });
  const start = (index: number) => spawnService(envFor(ports[index] as number), 30_000, [], build.main);
  const spawned = await Promise.allSettled(ports.map((_, i) => start(i)));
  const failed = spawned.find((s) => s.status === 'rejected');
  if (failed) {
    // One replica that cannot start must not leave the others running (they would keep this file's process alive).
    for (const s of spawned) if (s.status === 'fulfilled') s.value.child.kill('SIGKILL');
    throw failed.reason;
  }
  // Each replica as it is now: a running process, or the restart that will bring it back.
  const replicas: Array<Promise<ChildService>> = spawned.map((s) => Promise.resolve((s as PromiseFulfilledResult<ChildService>).value));
  const up: Array<ChildService | undefined> = spawned.map((s) => (s as PromiseFulfilledResult<ChildService>).value);
  const schedule = killSchedule(SEED);
  let kills = 0;
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  /** When each kill happened and the job finished (s), for the printed figures. */
  const timeline: string[] = [];
  try {
    const documents = Array.from({ length: N }, (_, i) => ({ id: `c${i}`, text: `chaos document ${i}` }));
    const res = await postJson(`${up[1]?.url}/v1/jobs`, { task: 'review-insights', documents, sinks: [{ plugin: 'file', config: { path: 'chaos.jsonl' } }] });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };

    /** SIGKILLs the victim (once its last restart is up, so every kill in the schedule happens) and restarts it in the background. */
    const kill = async (victim: number) => {
      const child = await replicas[victim];
      assert.ok(child);
      up[victim] = undefined;
      child.child.kill('SIGKILL');
      await child.exited;
      kills += 1;
      timeline.push(`kill ${kills} (replica ${victim}) ${seconds()}`);
      const restarted = start(victim);
      replicas[victim] = restarted;
      void restarted.then((svc) => (up[victim] = svc), () => undefined);
    };
    for (const [n, { afterMs, victim }] of schedule.entries()) {
      await sleep(afterMs);
      await kill(victim);
      // Only now can batches end: the kills so far all landed while the job was held at the provider.
      if (n + 1 === HELD_KILLS) {
        sim.setProcessingMs(500);
        timeline.push(`batches released ${seconds()}`);
      }
    }

    // Ask whichever replica answers; the job lives in Postgres, not in any of them.
    const job = await waitFor(
      `job ${id} to finish after ${kills} kills`,
      async () => {
        const alive = up.find((r) => r !== undefined);
        if (!alive) return undefined;
        const body = (await (await fetch(`${alive.url}/v1/jobs/${id}`)).json()) as JobBody;
        return ['completed', 'completed_with_errors', 'canceled', 'failed'].includes(body.status) ? body : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 200 },
    );
    timeline.push(`job finished ${seconds()}`);
    // Every replica's last restart is up (a restart that failed fails the test here).
    await Promise.all(replicas);
    assert.equal(job.status, 'completed', JSON.stringify(job.counts));
    assert.equal(job.counts.succeeded, N);
    assert.equal(kills, KILLS, 'the whole kill schedule ran');

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
    console.log(`chaos: ${N} items, ${kills} replica kills survived (seed ${SEED}), ${((Date.now() - started) / 1000).toFixed(1)} s, duplicate submissions 0, over-billed documents 0, callbacks sent ${callbacks}, batches ${job.batches.length}; ${timeline.join(', ')}`);
  } finally {
    // Restarts still under way are killed as they come up.
    for (const r of replicas) void r.then((svc) => svc.child.kill('SIGKILL'), () => undefined);
    await Promise.allSettled(replicas);
    await sim.close();
    await db.drop();
    build.remove();
  }
});
