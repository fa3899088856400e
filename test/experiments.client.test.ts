// The typed client (`batchline/client`) with experiments: create one, wait for its comparison, read its
// documents page by page, promote an arm; a bad request comes back as a typed problem naming the field.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BatchlineError, createBatchlineClient, experimentDocumentsOf, waitForComparison, type BatchlineClient, type CreateExperiment } from 'batchline/client';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { labeledReviews } from './fixtures/labeled-reviews.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startTestService } from './helpers/service.ts';

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let client: BatchlineClient;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 20, modelErrorRates: { 'claude-haiku-5-5': 0.3 } });
  service = await startTestService(db, sim.url);
  client = createBatchlineClient({ baseUrl: service.url });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

test('create, wait for the comparison, page through the disagreements and promote, with typed answers', async () => {
  const reviews = labeledReviews(30, 21);
  const body: CreateExperiment = {
    name: 'client-experiment',
    task: 'review-insights',
    documents: reviews.map((r) => ({ id: r.id, text: r.text, metadata: { rating: r.rating } })),
    sample: { size: 20, seed: 'client' },
    arms: [{ name: 'opus', model: 'claude-opus-5-5' }, { name: 'haiku', model: 'claude-haiku-5-5' }],
    labels: { values: Object.fromEntries(reviews.map((r) => [r.id, { sentiment: r.sentiment }])) },
  };
  const created = await client.POST('/v1/experiments', { body });
  assert.equal(created.response.status, 201, JSON.stringify(created.error));
  assert.ok(created.data);
  const done = await waitForComparison(client, created.data.id, { intervalMs: 50 });
  const opus = done.comparison.accuracy?.find((a) => a.arm === 'opus' && a.field === 'sentiment');
  assert.equal(opus?.rate, 1, 'a model without an error rate matches every label');
  const disagreements = [];
  for await (const doc of experimentDocumentsOf(client, done.id, { filter: 'disagreements', limit: 3 })) disagreements.push(doc);
  assert.equal(disagreements.length, done.comparison.disagreements.documents);
  assert.ok(disagreements.length > 3, 'more than one page');
  const promoted = await client.POST('/v1/experiments/{id}/promote', { params: { path: { id: done.id } }, body: { arm: 'opus' } });
  assert.equal(promoted.response.status, 201);
  assert.equal(promoted.data?.counts.total, 30);
  assert.equal(promoted.data?.result_cache.hits, 20);
});

test('a bad experiment is a typed problem naming the field', async () => {
  const { error, response } = await client.POST('/v1/experiments', { body: { task: 'review-insights', documents: [{ id: 'a', text: 'fine' }], sample: { size: 2 }, arms: [{}, {}] } });
  assert.equal(response.status, 422);
  assert.equal(error?.errors?.[0]?.field, 'sample.size');
  await assert.rejects(waitForComparison(client, 'exp_nope'), (e: unknown) => e instanceof BatchlineError && e.problem.code === 'not_found');
});
