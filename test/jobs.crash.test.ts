// Acceptance: SIGKILL of the service while submitting, while batches are in progress and while collecting;
// after a restart the job completes with nothing lost and nothing billed twice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { paramsHash, startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import { buildParams } from '../src/engine/documents/request.ts';
import { resolveTask } from '../src/tasks/registry.ts';
import { openDatabase } from '../src/db/connect.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, spawnService, testEnv, waitForJob } from './helpers/service.ts';

const N = 2000;
const SECRET_KEY = 'sk-ant-test-secret-8c1f2e';
let sim: Simulator;

before(async () => {
  sim = await startSimulator({ processingMs: 400 });
});
after(async () => {
  await sim.close();
});

for (const crashAt of ['after_batch_create', 'in_progress', 'after_collect_chunk'] as const) {
  test(`a SIGKILL at ${crashAt} loses nothing and bills nothing twice`, async () => {
    const db: TestDatabase = await createTestDatabase();
    try {
      sim.setFaults({ items: { overloaded: 0.1, expired: 0.05 } });
      const before = sim.stats();
      const env = testEnv(db, { ANTHROPIC_API_KEY: SECRET_KEY, ANTHROPIC_BASE_URL: sim.url, BATCH_MAX_REQUESTS: '500', BATCHLINE_LEASE_MS: '1500', BATCHLINE_COLLECT_CHUNK: '200',
        // The stored prompts are hashed below to check what was billed: keep them (they are dropped once final by default).
        BATCHLINE_TEXT_AT_REST: 'until_retention' });

      const first = await spawnService({ ...env, BATCHLINE_CRASH_AT: crashAt });
      const documents = Array.from({ length: N }, (_, i) => ({ id: `d${i}`, text: `${crashAt} document ${i}` }));
      const res = await postJson(`${first.url}/v1/jobs`, { task: 'review-insights', documents, sinks: [{ plugin: 'file', config: { path: 'out.jsonl' } }] });
      assert.equal(res.status, 201);
      const { id } = (await res.json()) as { id: string };
      const exit = await Promise.race([first.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no crash at ${crashAt}:\n${first.output().slice(-2000)}`)), 60_000).unref())]).finally(() => first.child.kill('SIGKILL'));
      assert.equal(exit.signal, 'SIGKILL', `the service died at ${crashAt}:\n${first.output().slice(-2000)}`);

      const second = await spawnService(env);
      try {
        const job = await waitForJob(second.url, id, 120_000);
        assert.equal(job.status, 'completed', JSON.stringify(job.counts));
        assert.equal(job.counts.succeeded, N);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
      assert.ok(!first.output().includes(SECRET_KEY) && !second.output().includes(SECRET_KEY), 'the API key never reaches the logs');

      const stats = sim.stats();
      const newIds = Object.entries(stats.submissionsByCustomId).filter(([cid]) => !(cid in before.submissionsByCustomId));
      for (const [cid, n] of newIds) assert.equal(n, 1, `${cid} submitted ${n} times`);
      const check = await openDatabase({ databaseUrl: db.url, dataDir: db.dataDir });
      try {
        const items = await check.db.selectFrom('items').select(['external_id', 'attempts', 'document', 'status']).where('job_id', '=', id).execute();
        assert.equal(items.length, N);
        const task = resolveTask('review-insights');
        let attempts = 0;
        for (const item of items) {
          assert.equal(item.status, 'succeeded');
          const hash = paramsHash(buildParams(task, item.document as never));
          assert.equal(stats.submissionsByParamsHash[hash], item.attempts, `${item.external_id} billed ${stats.submissionsByParamsHash[hash]} times for ${item.attempts} attempts`);
          attempts += item.attempts;
        }
        assert.equal(newIds.length, attempts, 'every submission belongs to one recorded attempt');
        const results = await check.db.selectFrom('results').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', id).where('outcome', '=', 'succeeded').executeTakeFirstOrThrow();
        assert.equal(Number(results.n), N);
      } finally {
        await check.close();
      }
    } finally {
      await db.drop();
    }
  });
}
