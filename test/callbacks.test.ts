// POST /v1/callbacks/batches: Standard Webhooks verification, replay protection, rotation, and the
// guarantee that an event only makes its batch due for a provider check.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
const OLD = secret();
const NEW = secret();
let db: TestDatabase;
let sim: Simulator;
let service: Service;
let providerBatchId: string;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 600_000 });
  service = await startTestService(db, sim.url, { WEBHOOK_SECRET: `${OLD} ${NEW}`, POLL_MIN_MS: '600000', POLL_MAX_MS: '600000' });
  const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'ok' }] })).json()) as { id: string };
  providerBatchId = await waitFor('the job\'s batch to be submitted to the provider', async () => {
    const b = await service.database.db.selectFrom('batches').select('provider_id').where('job_id', '=', id).executeTakeFirst();
    return b?.provider_id ?? undefined;
  }, { timeoutMs: 15_000 });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

function signed(body: unknown, key: string, options: { id?: string; at?: Date } = {}): RequestInit {
  const raw = JSON.stringify(body);
  const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const at = options.at ?? new Date();
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(key).sign(id, at, raw) },
    body: raw,
  };
}

async function nextRunAt(): Promise<number> {
  const b = await service.database.db.selectFrom('batches').select('next_run_at').where('provider_id', '=', providerBatchId).executeTakeFirstOrThrow();
  return b.next_run_at?.getTime() ?? 0;
}

async function callbackRows(): Promise<number> {
  return (await service.database.db.selectFrom('callback_events').select('webhook_id').execute()).length;
}

test('forged, stale and foreign-secret events are 401 and change nothing', async () => {
  const before = await nextRunAt();
  assert.ok(before > Date.now() + 60_000, 'the batch is not due for a long time');
  const body = { type: 'message_batch.ended', batch_id: providerBatchId };
  const forged = signed(body, OLD);
  (forged.headers as Record<string, string>)['webhook-signature'] = `v1,${randomBytes(32).toString('base64')}`;
  const cases: Array<[string, RequestInit]> = [
    ['forged signature', forged],
    ['stale timestamp (1 h)', signed(body, OLD, { at: new Date(Date.now() - 3600_000) })],
    ['another secret', signed(body, secret())],
    ['no signature headers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }],
  ];
  for (const [name, init] of cases) {
    const res = await fetch(`${service.url}/v1/callbacks/batches`, init);
    assert.equal(res.status, 401, name);
    assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    const text = await res.text();
    assert.ok(!text.includes(OLD) && !text.includes(NEW), 'no secret in the answer');
  }
  assert.equal(await nextRunAt(), before);
  assert.equal(await callbackRows(), 0);
  assert.equal(service.counters.callbacks.stale, 1);
  assert.equal(service.counters.callbacks.bad_signature, 3);
});

async function pollCount(): Promise<number> {
  const b = await service.database.db.selectFrom('batches').select('poll_count').where('provider_id', '=', providerBatchId).executeTakeFirstOrThrow();
  return b.poll_count;
}

test('a valid event makes the provider be asked now; its replay is accepted and changes nothing', async () => {
  const init = signed({ type: 'message_batch.ended', batch_id: providerBatchId }, NEW, { id: 'msg_replayed_once' });
  const polls = await pollCount();
  const res = await fetch(`${service.url}/v1/callbacks/batches`, init);
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), { status: 'accepted' });
  // POLL_MIN_MS is 10 minutes: only the callback can explain a provider check.
  await waitFor('the provider check the callback asked for', async () => (await pollCount()) > polls);
  assert.equal(await pollCount(), polls + 1, 'the provider was asked once, right away');
  assert.equal((await sim.stats()).callsByRoute.retrieve, polls + 1);
  const afterCheck = await nextRunAt();

  const replay = await fetch(`${service.url}/v1/callbacks/batches`, { ...init, headers: init.headers });
  assert.equal(replay.status, 202);
  assert.deepEqual(await replay.json(), { status: 'replayed' });
  assert.equal(await callbackRows(), 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await nextRunAt(), afterCheck, 'the replay scheduled nothing');
  assert.equal(await pollCount(), polls + 1);
});

test('the older secret still verifies during rotation; { data: { id } } bodies are accepted', async () => {
  const refusedBefore = service.counters.callbacks.bad_signature;
  const res = await fetch(`${service.url}/v1/callbacks/batches`, signed({ type: 'message_batch.ended', data: { id: providerBatchId } }, OLD, { id: 'msg_old_secret_data_id' }));
  assert.equal(res.status, 202);
  // 'accepted', not 'unknown_batch': the batch was found from data.id and made due.
  assert.deepEqual(await res.json(), { status: 'accepted' });
  assert.equal(service.counters.callbacks.bad_signature, refusedBefore, 'the signature verified');
  const event = await service.database.db.selectFrom('callback_events').select(['provider_batch_id', 'outcome']).where('webhook_id', '=', 'msg_old_secret_data_id').executeTakeFirst();
  assert.deepEqual(event, { provider_batch_id: providerBatchId, outcome: 'accepted' });
});

test('an unknown batch id is accepted and changes nothing', async () => {
  const res = await fetch(`${service.url}/v1/callbacks/batches`, signed({ type: 'message_batch.ended', batch_id: 'msgbatch_unknown' }, NEW));
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), { status: 'unknown_batch' });
});

test('a signed body of the wrong shape is a 422 naming the field', async () => {
  const res = await fetch(`${service.url}/v1/callbacks/batches`, signed({ type: 'message_batch.ended' }, NEW));
  assert.equal(res.status, 422);
});
