// The typed client (`batchline/client`) against a running service: a job is created, followed and read
// with typed answers; errors come back as typed problems; the bearer token is sent for the caller.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BatchlineError, createBatchlineClient, deleteJobAndWait, isDryRun, resultsOf, type BatchlineClient, type Insights, type ItemCorrections, type Job, type Problem, type Result } from 'batchline/client';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startTestService } from './helpers/service.ts';

const TOKEN = 'client-test-token-5b1f-0123456789abcdef';
const FINAL: ReadonlySet<Job['status']> = new Set(['completed', 'completed_with_errors', 'canceled', 'failed']);

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let client: BatchlineClient;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 50 });
  service = await startTestService(db, sim.url, { BATCHLINE_API_KEYS: TOKEN, BATCHLINE_SWEEP_INTERVAL_MS: '100' });
  client = createBatchlineClient({ baseUrl: `${service.url}/`, token: TOKEN });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

async function followJob(id: string): Promise<Job> {
  for (let i = 0; i < 600; i++) {
    const { data, error } = await client.GET('/v1/jobs/{id}', { params: { path: { id } } });
    if (error) throw new BatchlineError(error);
    if (FINAL.has(data.status)) return data;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} did not finish`);
}

test('creates a job, follows it and reads its results, with typed answers', async () => {
  const created = await client.POST('/v1/jobs', {
    headers: { 'idempotency-key': 'client-test-1' },
    body: {
      name: 'client-test',
      task: 'review-insights',
      documents: [
        { id: 'a', text: 'Battery lasts two days, but the strap broke in a week.', metadata: { rating: 3 } },
        { id: 'b', text: 'Pairs instantly and the app is clear.' },
      ],
    },
  });
  assert.equal(created.response.status, 201, JSON.stringify(created.error));
  assert.ok(created.data && !isDryRun(created.data));
  const job: Job = created.data;
  assert.match(job.id, /^job_[0-9a-z]{16}$/);
  assert.equal(created.response.headers.get('location'), `/v1/jobs/${job.id}`);
  assert.equal(job.counts.total, 2);
  assert.equal(job.task.name, 'review-insights');

  const done = await followJob(job.id);
  assert.equal(done.status, 'completed');
  assert.equal(done.counts.succeeded, 2);
  assert.match(done.batches[0]?.provider_id ?? '', /^msgbatch_/);
  assert.ok(done.cost.saved_usd > 0 && done.cost.usd < done.cost.standard_usd);

  const results: Result[] = [];
  for await (const result of resultsOf(client, job.id, { limit: 1 })) results.push(result);
  assert.deepEqual(results.map((r) => [r.external_id, r.status]), [['a', 'succeeded'], ['b', 'succeeded']]);
  assert.deepEqual(results[0]?.metadata, { rating: 3 });
  assert.equal(typeof (results[0]?.output as { summary?: unknown } | null)?.summary, 'string');

  const replay = await client.POST('/v1/jobs', {
    headers: { 'idempotency-key': 'client-test-1' },
    body: { name: 'client-test', task: 'review-insights', documents: [{ id: 'a', text: 'Battery lasts two days, but the strap broke in a week.', metadata: { rating: 3 } }, { id: 'b', text: 'Pairs instantly and the app is clear.' }] },
  });
  assert.equal(replay.response.status, 200);
  assert.ok(replay.data && !isDryRun(replay.data));
  assert.equal(replay.data.id, job.id);

  const dry = await client.POST('/v1/jobs', { params: { query: { dry_run: 'true' } }, body: { task: 'review-insights', documents: [{ id: 'c', text: 'Fine.' }] } });
  assert.equal(dry.response.status, 200);
  assert.ok(dry.data && isDryRun(dry.data));
  assert.equal(dry.data.estimate.items, 1);

  const list = await client.GET('/v1/jobs', { params: { query: { status: 'completed', limit: 10 } } });
  assert.ok(list.data?.data.some((j) => j.id === job.id));
});

test('insights and corrections, typed: the answer per field, a correction of it, and the share corrected', async () => {
  const created = await client.POST('/v1/jobs', { body: { task: 'review-insights', documents: [{ id: 'x', text: 'Crashes on start, every time.' }, { id: 'y', text: 'Lovely app.' }] } });
  assert.ok(created.data && !isDryRun(created.data));
  const job = await followJob(created.data.id);
  const read = await client.GET('/v1/jobs/{id}/insights', { params: { path: { id: job.id }, query: { filter: ['score>=1'] } } });
  assert.ok(read.data, JSON.stringify(read.error));
  const insights: Insights = read.data;
  assert.equal(insights.answered, 2);
  const sentiment = insights.fields.find((f) => f.path === 'sentiment');
  const answered = sentiment?.values?.find((v) => v.count > 0)?.value;
  const other = ['positive', 'negative', 'neutral', 'mixed'].find((v) => v !== answered && sentiment?.values?.find((x) => x.value === v)?.count === 0);
  assert.ok(other);
  const { data: results } = await client.GET('/v1/jobs/{id}/results', { params: { path: { id: job.id }, query: { filter: `sentiment=${String(answered)}` } } });
  const target = results?.data[0]?.external_id;
  assert.ok(target);
  const corrected = await client.PUT('/v1/jobs/{id}/items/{external_id}/correction', { params: { path: { id: job.id, external_id: target } }, body: { fields: { sentiment: other } } });
  assert.ok(corrected.data, JSON.stringify(corrected.error));
  const item: ItemCorrections = corrected.data;
  assert.equal(item.fields.sentiment?.value, other);
  const bad = await client.PUT('/v1/jobs/{id}/items/{external_id}/correction', { params: { path: { id: job.id, external_id: target } }, body: { fields: { sentiment: 'furious' } } });
  assert.equal(bad.response.status, 422);
  assert.equal(bad.error?.errors?.[0]?.field, 'fields.sentiment');
  const after = await client.GET('/v1/jobs/{id}/insights', { params: { path: { id: job.id } } });
  assert.equal(after.data?.fields.find((f) => f.path === 'sentiment')?.corrected.count, 1);
});

test('errors are typed RFC 9457 problems', async () => {
  const missing = await client.GET('/v1/jobs/{id}', { params: { path: { id: 'job_doesnotexist0000' } } });
  assert.equal(missing.response.status, 404);
  const problem: Problem | undefined = missing.error;
  assert.equal(problem?.code, 'not_found');
  assert.equal(problem?.status, 404);
  assert.match(missing.response.headers.get('content-type') ?? '', /^application\/problem\+json/);

  const invalid = await client.POST('/v1/jobs', { body: { task: 'no-such-task', documents: [{ id: 'x', text: 'hi' }] } });
  assert.equal(invalid.error?.code, 'validation_failed');
  assert.equal(invalid.error?.errors?.[0]?.field, 'task');

  await assert.rejects(async () => {
    for await (const _ of resultsOf(client, 'job_doesnotexist0000')) assert.fail('no results expected');
  }, (e: unknown) => e instanceof BatchlineError && e.problem.code === 'not_found' && /Not found/.test(e.message));
});

test('the token is what authenticates: without it, or with another, the answer is a 401 problem', async () => {
  for (const token of [undefined, 'not-the-token']) {
    const anonymous = createBatchlineClient({ baseUrl: service.url, token });
    const { error, response } = await anonymous.GET('/v1/tasks');
    assert.equal(response.status, 401);
    assert.equal(error?.code, 'unauthorized');
    assert.ok(!JSON.stringify(error).includes(TOKEN), 'the token is never echoed');
  }
  const health = await createBatchlineClient({ baseUrl: service.url }).GET('/healthz');
  assert.deepEqual(health.data, { status: 'ok' });
});

test('deletes a job and waits until it is gone, answering its tombstone', async () => {
  const created = await client.POST('/v1/jobs', { body: { name: 'client-delete', task: 'review-insights', documents: [{ id: 'a', text: 'Fine.' }], retention_days: 30 } });
  assert.ok(created.data && !isDryRun(created.data));
  assert.equal(created.data.retention.days, 30);
  const job = await followJob(created.data.id);
  const tombstone = await deleteJobAndWait(client, job.id, { intervalMs: 50 });
  assert.equal(tombstone.id, job.id);
  assert.equal(tombstone.name, 'client-delete');
  assert.equal(tombstone.cost.usd, job.cost.usd);
  assert.match(tombstone.deleted_by, /^api:key-/);
  const { response } = await client.GET('/v1/jobs/{id}', { params: { path: { id: job.id } } });
  assert.equal(response.status, 404);
  await assert.rejects(deleteJobAndWait(client, job.id), (e: unknown) => e instanceof BatchlineError && e.problem.status === 404);
});

/** Never called: the compiler checks these calls against the document (`npm run typecheck`). */
function typeChecks(c: BatchlineClient): void {
  // @ts-expect-error: a path the API does not have
  void c.GET('/v1/job');
  // @ts-expect-error: `task` is required
  void c.POST('/v1/jobs', { body: { documents: [{ id: 'x', text: 'y' }] } });
  // @ts-expect-error: the job id is a required path parameter
  void c.GET('/v1/jobs/{id}', {});
  // @ts-expect-error: not a job status
  void c.GET('/v1/jobs', { params: { query: { status: 'done' } } });
}
