// Acceptance: a 2,000-item job against a faulty provider (errored and expired first attempts, a 429 on the
// first create, 5xx on retrieves, a cut results stream) ends with every item succeeded, exactly once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { paramsHash, startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import { buildParams } from '../src/engine/documents/request.ts';
import { resolveTask } from '../src/tasks/registry.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

const N = 2000;
let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({
    processingMs: 150,
    faults: {
      items: { overloaded: 0.1, expired: 0.05 },
      http: [
        { route: 'create', status: 429, times: 1, retryAfterSeconds: 1 },
        { route: 'retrieve', status: 500, times: 3 },
        { route: 'retrieve', status: 529, times: 2 },
      ],
      cutResults: 1,
    },
  });
  // The stored prompts are hashed to check billing: keep them past the end of each item.
  service = await startTestService(db, sim.url, { BATCH_MAX_REQUESTS: '500', BATCHLINE_TEXT_AT_REST: 'until_retention' });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

test('every item of a 2,000-item job succeeds despite provider faults, billed once per attempt', async () => {
  const documents = Array.from({ length: N }, (_, i) => ({ id: `rev-${i}`, text: `Review number ${i}: ${i % 3 === 0 ? 'great' : 'meh'} product.`, metadata: { rating: (i % 5) + 1 } }));
  const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents });
  assert.equal(res.status, 201);
  const { id } = (await res.json()) as { id: string };
  const job = await waitForJob(service.url, id, 120_000);

  assert.equal(job.status, 'completed');
  assert.equal(job.counts.succeeded, N);
  assert.equal(job.counts.failed, 0);
  for (const b of job.batches) assert.ok(b.request_count <= 500, `batch of ${b.request_count} requests`);

  const stats = sim.stats();
  // No custom_id (= item × attempt) was ever sent twice.
  for (const [customId, n] of Object.entries(stats.submissionsByCustomId)) assert.equal(n, 1, `${customId} submitted ${n} times`);
  // Each document's request went out once, or twice if its first attempt errored or expired: never more.
  const task = resolveTask('review-insights');
  const items = await service.database.db.selectFrom('items').select(['external_id', 'attempts', 'document']).where('job_id', '=', id).execute();
  let retried = 0;
  for (const item of items) {
    const hash = paramsHash(buildParams(task, item.document as never));
    assert.equal(stats.submissionsByParamsHash[hash], item.attempts, `${item.external_id}: ${stats.submissionsByParamsHash[hash]} submissions, ${item.attempts} attempts`);
    assert.ok(item.attempts === 1 || item.attempts === 2);
    if (item.attempts === 2) retried += 1;
  }
  assert.ok(retried > N * 0.1 && retried < N * 0.2, `${retried} retried items (~15% expected)`);
  // Retries went out in batches holding only them.
  const retryRequests = job.batches.filter((b) => b.is_retry).reduce((a, b) => a + b.request_count, 0);
  assert.equal(retryRequests, retried);
  assert.equal(stats.requestsSubmitted, N + retried);

  // Exactly 2,000 results, one per document.
  const ndjson = await fetch(`${service.url}/v1/jobs/${id}/results`, { headers: { accept: 'application/x-ndjson' } });
  assert.match(ndjson.headers.get('content-type') ?? '', /application\/x-ndjson/);
  const lines = (await ndjson.text()).trim().split('\n').map((l) => JSON.parse(l) as { external_id: string; status: string });
  assert.equal(lines.length, N);
  assert.equal(new Set(lines.map((l) => l.external_id)).size, N);
  assert.ok(lines.every((l) => l.status === 'succeeded'));

  // Cursor pages walk the same set.
  let cursor: string | null = null;
  let paged = 0;
  do {
    const page = (await (await fetch(`${service.url}/v1/jobs/${id}/results?limit=700${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { data: unknown[]; next_cursor: string | null };
    paged += page.data.length;
    cursor = page.next_cursor;
  } while (cursor);
  assert.equal(paged, N);

  assert.ok(job.usage.input_tokens > 0 && job.usage.output_tokens > 0);
  const { savings } = job.cost;
  assert.ok(Math.abs(savings.batch_discount_usd - job.cost.standard_usd / 2) < 1e-5, 'batch price is half the standard price');
  assert.ok(Math.abs(savings.batch_discount_usd + savings.prompt_cache_usd + savings.result_cache_usd - job.cost.saved_usd) < 1e-5, 'the savings split adds up');
});
