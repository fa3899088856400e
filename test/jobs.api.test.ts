// The read side of the API: job lists with cursors, result pages, tasks, and the OpenAPI document.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

let db: TestDatabase;
let sim: Simulator;
let service: Service;
const jobIds: string[] = [];

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 20 });
  service = await startTestService(db, sim.url);
  for (let i = 0; i < 5; i++) {
    const res = await postJson(`${service.url}/v1/jobs`, { name: `job ${i}`, task: 'ticket-triage', documents: [{ id: `t${i}`, text: 'My invoice is wrong', title: 'Billing' }] });
    jobIds.push(((await res.json()) as { id: string }).id);
  }
  for (const id of jobIds) await waitForJob(service.url, id, 30_000);
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

test('GET /v1/jobs pages newest first with a cursor, and filters by status', async () => {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (await fetch(`${service.url}/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { data: Array<{ id: string; status: string; task: string }>; next_cursor: string | null };
    assert.ok(page.data.length <= 2);
    seen.push(...page.data.map((j) => j.id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, [...jobIds].reverse());
  const completed = (await (await fetch(`${service.url}/v1/jobs?status=completed`)).json()) as { data: unknown[] };
  assert.equal(completed.data.length, 5);
  const failed = (await (await fetch(`${service.url}/v1/jobs?status=failed`)).json()) as { data: unknown[] };
  assert.equal(failed.data.length, 0);
});

test('bad query values are 422 problems naming the parameter', async () => {
  for (const [query, field] of [['limit=0', 'query.limit'], ['status=done', 'query.status'], ['cursor=garbage', 'query.cursor']] as const) {
    const res = await fetch(`${service.url}/v1/jobs?${query}`);
    assert.equal(res.status, 422, query);
    const body = (await res.json()) as { errors: Array<{ field: string }> };
    assert.equal(body.errors[0]?.field, field);
  }
  assert.equal((await fetch(`${service.url}/v1/jobs/${jobIds[0]}/results?cursor=-4`)).status, 422);
});

test('a job shows counts, batches with provider ids, usage and cost', async () => {
  const job = (await (await fetch(`${service.url}/v1/jobs/${jobIds[0]}`)).json()) as Record<string, unknown> & { batches: Array<{ provider_id: string }>; task: { name: string } };
  for (const key of ['id', 'name', 'status', 'counts', 'batches', 'usage', 'cost', 'created_at', 'updated_at']) assert.ok(key in job, key);
  assert.match(job.batches[0]?.provider_id ?? '', /^msgbatch_/);
  assert.equal(job.task.name, 'ticket-triage');
});

test('results carry the contract fields', async () => {
  const page = (await (await fetch(`${service.url}/v1/jobs/${jobIds[0]}/results`)).json()) as { data: Array<Record<string, unknown>> };
  const r = page.data[0];
  assert.ok(r);
  for (const key of ['item_id', 'external_id', 'status', 'output', 'error', 'attempts', 'usage']) assert.ok(key in r, key);
  assert.equal(r.external_id, 't0');
  assert.equal(r.status, 'succeeded');
});

test('the OpenAPI document and the task list are served', async () => {
  const doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/v1/jobs']);
  const tasks = (await (await fetch(`${service.url}/v1/tasks`)).json()) as { data: Array<{ name: string; output_schema: { type: string } }> };
  assert.ok(tasks.data.every((t) => t.output_schema.type === 'object'));
});
