// Acceptance: Postgres itself restarts mid-job; the same service process reconnects and finishes, billing nothing twice.
// The test brings its own cluster (helpers/private-postgres.ts), so it runs in both passes and never disturbs the shared one.
// It needs the PostgreSQL server binaries (Debian: /usr/lib/postgresql/<version>/bin); without them it is skipped on a
// developer's machine, but fails in CI (CI set), where .ci/run installs them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startSimulator } from '../src/provider/simulator/index.ts';
import type { TestDatabase } from './helpers/database.ts';
import { privatePostgresUnavailable, startPrivatePostgres } from './helpers/private-postgres.ts';
import { postJson, spawnService, testEnv, waitForJob, type ChildService, type JobBody } from './helpers/service.ts';

const N = 1000;

const unavailable = privatePostgresUnavailable();
const skip = unavailable && !process.env.CI ? `${unavailable}; .ci/run installs them and CI always runs this test` : false;

/** GET /readyz's status, or 0 when no answer came in time (a hung probe is not a pass). */
async function readyStatus(baseUrl: string): Promise<number> {
  try {
    const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0;
  }
}

test('Postgres restarts mid-job: the same service process reconnects and completes, nothing billed twice', { skip, timeout: 180_000 }, async () => {
  assert.equal(unavailable, undefined, `CI must run this test: ${unavailable} (apt-get install --no-install-recommends postgresql)`);
  const pg = await startPrivatePostgres();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-test-'));
  const db: TestDatabase = { url: pg.url, dataDir, kind: 'postgres', drop: async () => {} };
  const sim = await startSimulator({ processingMs: 1500 });
  let service: ChildService | undefined;
  try {
    service = await spawnService(testEnv(db, { DATABASE_URL: pg.url, ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: sim.url, BATCH_MAX_REQUESTS: '200' }));
    const { url, child } = service;
    const documents = Array.from({ length: N }, (_, i) => ({ id: `r${i}`, text: `restart document ${i}` }));
    const res = await postJson(`${url}/v1/jobs`, { task: 'review-insights', documents, sinks: [{ plugin: 'file', config: { path: 'out.jsonl' } }] });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };

    // Restart only once a batch is at the provider, so the outage falls between submit and collect.
    const deadline = Date.now() + 30_000;
    let job: JobBody | undefined;
    while (!job?.batches.some((b) => b.provider_id !== null)) {
      if (Date.now() > deadline) throw new Error(`no batch submitted in 30 s: ${JSON.stringify(job)?.slice(0, 1000)}\n${service.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
      job = (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as JobBody;
    }

    const whileDown: number[] = [];
    await pg.restart({
      downMs: 2000,
      whileDown: async () => {
        await new Promise((r) => setTimeout(r, 300));
        whileDown.push(await readyStatus(url));
        await new Promise((r) => setTimeout(r, 500));
        whileDown.push(await readyStatus(url));
      },
    });
    const alive = () => child.exitCode === null && child.signalCode === null;
    assert.ok(alive(), `the service died while Postgres restarted (exit ${child.exitCode ?? child.signalCode}):\n${service.output().slice(-3000)}`);
    // whileDown runs after the stop has finished and before the start begins, so the probes cannot miss the outage.
    assert.ok(whileDown.includes(503), `/readyz answered ${whileDown.join(', ')} while Postgres was down (expected 503)`);

    let ready = 0;
    for (const until = Date.now() + 15_000; ready !== 200 && alive() && Date.now() < until; ) {
      ready = await readyStatus(url);
      if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(ready, 200, `/readyz is ready again after the restart:\n${service.output().slice(-2000)}`);

    const done = await waitForJob(url, id, 120_000);
    assert.equal(done.status, 'completed', `${JSON.stringify(done.counts)}\n${service.output().slice(-2000)}`);
    assert.equal(done.counts.succeeded, N);
    assert.ok(alive(), `the service kept running through the restart:\n${service.output().slice(-2000)}`);

    assert.equal(sim.stats().requestsSubmitted, N, 'each document submitted once: nothing billed twice');
    const externalIds = new Set<string>();
    for (const line of fs.readFileSync(path.join(dataDir, 'out.jsonl'), 'utf8').split('\n')) {
      if (line.trim()) externalIds.add((JSON.parse(line) as { external_id: string }).external_id);
    }
    assert.equal(externalIds.size, N, 'the file sink holds every document');
    console.log(`pg-restart: /readyz while down ${whileDown.join(', ')}; ${N} items completed by pid ${child.pid} across the restart`);

    child.kill('SIGTERM');
    const exit = await service.exited;
    assert.equal(exit.code, 0, `graceful shutdown after the restart:\n${service.output().slice(-2000)}`);
  } finally {
    if (service && service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    await sim.close();
    await pg.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
