// With BATCHLINE_API_KEYS set, /v1/* needs one of the bearer tokens; health endpoints stay open.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startTestService } from './helpers/service.ts';

let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator();
  service = await startTestService(db, sim.url, { BATCHLINE_API_KEYS: `${KEY_ONE},${KEY_TWO}` });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

const KEY_ONE = 'key-one-0123456789abcdef0123456789';
const KEY_TWO = 'key-two-0123456789abcdef0123456789';

test('no token or a wrong token is a 401 problem that does not echo the token', async () => {
  const none = await fetch(`${service.url}/v1/tasks`);
  assert.equal(none.status, 401);
  assert.match(none.headers.get('content-type') ?? '', /problem\+json/);
  const wrong = await fetch(`${service.url}/v1/tasks`, { headers: { authorization: 'Bearer key-three' } });
  assert.equal(wrong.status, 401);
  assert.doesNotMatch(await wrong.text(), /key-three/);
});

test('any configured token is accepted', async () => {
  for (const key of [KEY_ONE, KEY_TWO]) {
    const res = await fetch(`${service.url}/v1/tasks`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: Array<{ name: string }> };
    assert.deepEqual(body.data.map((t) => t.name).sort(), ['invoice-extraction', 'review-insights', 'ticket-triage']);
  }
});

test('health and readiness need no token', async () => {
  assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
  const ready = await fetch(`${service.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });
});
