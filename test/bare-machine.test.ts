// Acceptance: on a bare machine (no DATABASE_URL, no API key) `npm start` runs on PGlite with the built-in
// simulator, and a job of 3 inline reviews with a file sink ends completed with 3 validated results.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { reviewInsightsOutput } from '../src/tasks/review-insights.ts';
import { postJson, spawnService, waitForJob, type ChildService } from './helpers/service.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-bare-'));
let service: ChildService | undefined;

after(async () => {
  service?.child.kill('SIGTERM');
  await service?.exited;
  fs.rmSync(dir, { recursive: true, force: true });
});

test('npm start on a bare machine processes a 3-review job into the file sink', async () => {
  service = await spawnService({
    PORT: '0',
    BATCHLINE_DATA_DIR: path.join(dir, 'data'),
    BATCHLINE_FILE_ROOTS: dir,
    POLL_MIN_MS: '100',
    POLL_MAX_MS: '500',
    BATCHLINE_SIMULATOR_PROCESSING_MS: '300',
  });
  assert.match(service.output(), /ANTHROPIC_API_KEY is not set: using the built-in batch SIMULATOR/);

  const res = await postJson(`${service.url}/v1/jobs`, {
    name: 'three reviews',
    task: 'review-insights',
    documents: [
      { id: 'r1', text: 'Love it. Battery lasts two days and the screen is gorgeous.', metadata: { rating: 5 } },
      { id: 'r2', text: 'Strap broke after a week and support never answered.', title: 'Cheap strap', metadata: { rating: 1 } },
      { id: 'r3', text: 'Does the job. Setup was confusing but works fine now.', metadata: { rating: 3 } },
    ],
    sinks: [{ plugin: 'file', config: { path: 'out/reviews.jsonl' } }],
  });
  assert.equal(res.status, 201);
  const { id } = (await res.json()) as { id: string };

  const job = await waitForJob(service.url, id, 60_000);
  assert.equal(job.status, 'completed');
  assert.equal(job.counts.succeeded, 3);
  assert.ok(job.cost.usd > 0 && job.cost.saved_usd > 0, 'the job reports cost and savings');

  const lines = fs.readFileSync(path.join(dir, 'out/reviews.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 3);
  const results = lines.map((l) => JSON.parse(l) as { external_id: string; status: string; output: unknown; idempotency_key: string });
  assert.deepEqual(results.map((r) => r.external_id).sort(), ['r1', 'r2', 'r3']);
  for (const r of results) {
    assert.equal(r.status, 'succeeded');
    assert.ok(reviewInsightsOutput.safeParse(r.output).success, `valid output: ${JSON.stringify(r.output)}`);
    assert.match(r.idempotency_key, /^bl[a-z0-9]+-\d+-\d+-0$/);
  }
});
