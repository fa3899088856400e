// Bad input gets a 4xx problem+json naming the field, and writes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService } from './helpers/service.ts';

let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator();
  service = await startTestService(db, sim.url, { BATCHLINE_MAX_BODY_BYTES: '64KB' });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

async function expectProblem(res: Response, status: number, field?: string): Promise<Record<string, unknown>> {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown> & { errors?: Array<{ field: string }> };
  assert.equal(body.status, status);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  if (field) {
    assert.ok(body.errors?.some((e) => e.field === field), `expected a problem naming ${field}, got ${JSON.stringify(body)}`);
    assert.match(String(body.detail), new RegExp(field.replace(/\./g, '\\.')));
  }
  return body;
}

async function nothingWritten(): Promise<void> {
  const jobs = await service.database.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const items = await service.database.db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(jobs.n), 0);
  assert.equal(Number(items.n), 0);
}

test('malformed JSON is a 400 problem', async () => {
  const res = await fetch(`${service.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task": "review-insights", "documents": [' });
  const body = await expectProblem(res, 400);
  assert.equal(body.code, 'malformed_json');
  await nothingWritten();
});

test('a body that is not JSON is a 415 problem', async () => {
  const res = await fetch(`${service.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
  await expectProblem(res, 415);
  await nothingWritten();
});

test('an unknown task is a 422 naming "task"', async () => {
  const res = await postJson(`${service.url}/v1/jobs`, { task: 'summarize-everything', documents: [{ id: 'a', text: 'x' }] });
  await expectProblem(res, 422, 'task');
  await nothingWritten();
});

test('an empty document list is a 422 naming "documents"', async () => {
  const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [] });
  await expectProblem(res, 422, 'documents');
  await nothingWritten();
});

test('an invalid custom output schema is a 422 naming the schema field', async () => {
  const res = await postJson(`${service.url}/v1/jobs`, {
    task: { name: 'custom', prompt: 'Classify {{text}}', output_schema: { type: 'object', properties: { label: { type: 'text' } } } },
    documents: [{ id: 'a', text: 'x' }],
  });
  await expectProblem(res, 422, 'task.output_schema.properties.label.type');
  await nothingWritten();
});

test('a document without text or attachments is a 422 naming it', async () => {
  const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'ok' }, { id: 'b' }] });
  await expectProblem(res, 422, 'documents.1.text');
  await nothingWritten();
});

test('duplicate document ids are a 422 naming the second one', async () => {
  const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'x' }, { id: 'a', text: 'y' }] });
  await expectProblem(res, 422, 'documents.1.id');
  await nothingWritten();
});

test('an unknown sink plugin and a bad sink config are 422s naming the field', async () => {
  await expectProblem(await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'x' }], sinks: [{ plugin: 'ftp' }] }), 422, 'sinks.0.plugin');
  await expectProblem(await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'x' }], sinks: [{ plugin: 'file', config: {} }] }), 422, 'sinks.0.config.path');
  // Credentials in a webhook URL would be quoted by fetch's error into rows and logs: refused up front.
  const leaky = await expectProblem(await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'x' }], sinks: [{ plugin: 'http', config: { url: 'https://ops:hunter2@hooks.example/in' } }] }), 422, 'sinks.0.config.url');
  assert.ok(!JSON.stringify(leaky).includes('hunter2'), 'the problem does not echo the password');
  await nothingWritten();
});

test('a body over the limit is a 413 problem', async () => {
  const documents = Array.from({ length: 200 }, (_, i) => ({ id: `d${i}`, text: 'x'.repeat(500) }));
  await expectProblem(await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents }), 413);
  await nothingWritten();
});

test('unknown jobs and routes are 404 problems', async () => {
  await expectProblem(await fetch(`${service.url}/v1/jobs/job_nope`), 404);
  await expectProblem(await fetch(`${service.url}/v1/nothing`), 404);
});

test('a reused Idempotency-Key with another body is a 409; the same body returns the same job', async () => {
  const body = { task: 'review-insights', documents: [{ id: 'a', text: 'fine' }] };
  const first = await postJson(`${service.url}/v1/jobs`, body, { 'idempotency-key': 'k1' });
  assert.equal(first.status, 201);
  assert.match(first.headers.get('location') ?? '', /^\/v1\/jobs\/job_/);
  const firstJob = (await first.json()) as { id: string };
  const again = await postJson(`${service.url}/v1/jobs`, body, { 'idempotency-key': 'k1' });
  assert.equal(again.status, 200);
  assert.equal(((await again.json()) as { id: string }).id, firstJob.id);
  await expectProblem(await postJson(`${service.url}/v1/jobs`, { ...body, name: 'other' }, { 'idempotency-key': 'k1' }), 409);
  const jobs = await service.database.db.selectFrom('jobs').select('id').execute();
  assert.equal(jobs.length, 1);
});

// Last: it creates a job, which the "nothing written" checks above would count.
test('a form post with an empty body (a cross-site request from a web page) is refused and cancels nothing', async () => {
  const created = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'fine' }] });
  const { id } = (await created.json()) as { id: string };
  const res = await fetch(`${service.url}/v1/jobs/${id}/cancel`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  await expectProblem(res, 415);
  const job = await service.database.db.selectFrom('jobs').select('cancel_requested_at').where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(job.cancel_requested_at, null);
});
