// Issue #29, rate limits: they key on the accepted key, or on the client address where there is none,
// never on an unchecked header. Random bearer tokens from one address run out of guesses (401, then 429,
// never 2xx), and so do dashboard logins, from the same budget; a key flooding does not slow another key
// or the signed callback route. Other addresses are simulated through a trusted proxy (X-Forwarded-For).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../src/config.ts';
import { GUESSES } from '../src/http/auth.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startTestService } from './helpers/service.ts';

const KEY = 'rate-key-one-5f2a9c-0123456789abcdef';
const OTHER = 'rate-key-two-81d0e3-0123456789abcdef';
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator();
  service = await startTestService(db, sim.url, {
    BATCHLINE_API_KEYS: `${KEY},${OTHER}`,
    BATCHLINE_RATE_LIMIT_RPS: '2',
    BATCHLINE_RATE_LIMIT_BURST: '5',
    WEBHOOK_SECRET,
    // The test talks to the service from 127.0.0.1; as a trusted proxy, it can speak for other clients.
    BATCHLINE_TRUSTED_PROXIES: '127.0.0.1',
  });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

function tasks(token: string, from?: string): Promise<Response> {
  return fetch(`${service.url}/v1/tasks`, { headers: { authorization: `Bearer ${token}`, ...(from ? { 'x-forwarded-for': from } : {}) } });
}

function callback(): Promise<Response> {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const at = new Date();
  const body = JSON.stringify({ type: 'message_batch.ended', batch_id: 'msgbatch_not_ours' });
  return fetch(`${service.url}/v1/callbacks/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(WEBHOOK_SECRET).sign(id, at, body) },
    body,
  });
}

function login(token: string, from: string): Promise<Response> {
  return fetch(`${service.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: service.url, 'x-forwarded-for': from },
    body: new URLSearchParams({ token, next: '/' }).toString(),
  });
}

test('1,000 random bearer tokens from one address: a few 401s, then 429s, never a 2xx; keys elsewhere and the notifier carry on', async () => {
  const counts = new Map<number, number>();
  for (let i = 0; i < 1000; i++) {
    const res = await tasks(randomBytes(16).toString('base64url'));
    await res.arrayBuffer();
    counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), [401, 429], JSON.stringify([...counts]));
  assert.ok((counts.get(401) ?? 0) <= GUESSES + 1, `at most the guess budget is answered 401 (${counts.get(401)})`);
  assert.ok((counts.get(429) ?? 0) >= 1000 - GUESSES - 1);

  // The address that guessed is not told whether a token is right: a real key from it waits too.
  const same = await tasks(KEY);
  assert.equal(same.status, 429);
  assert.ok(Number(same.headers.get('retry-after')) > 0);
  assert.equal((await tasks(KEY, '198.51.100.20')).status, 200, 'the key from another address is served');
  assert.equal((await callback()).status, 202, 'the signed callback route is not held up by the guessing');
});

test('a key over its limit is refused 429 with Retry-After; another key and the signed callback route are served', async () => {
  const from = '198.51.100.30';
  const statuses: number[] = [];
  for (let i = 0; i < 20; i++) statuses.push((await tasks(KEY, from)).status);
  const served = statuses.filter((s) => s === 200).length;
  assert.ok(served >= 3 && served <= 8, `about the burst of 5 is served (${served})`);
  const limited = await tasks(KEY, from);
  assert.equal(limited.status, 429);
  assert.match(limited.headers.get('content-type') ?? '', /problem\+json/);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  assert.equal((await tasks(OTHER, from)).status, 200, 'another key from the same address has its own bucket');
  assert.equal((await callback()).status, 202);
});

test('dashboard logins: GUESSES wrong tokens per address, then 429 with Retry-After for any token, the right one too', async () => {
  const from = '198.51.100.40';
  for (let i = 0; i < GUESSES; i++) assert.equal((await login(`wrong-${i}`, from)).status, 401, `guess ${i + 1}`);
  const refused = await login('wrong-again', from);
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  const right = await login(KEY, from);
  assert.equal(right.status, 429, 'a right token is not looked at either');
  assert.equal(right.headers.get('set-cookie'), null);
  const elsewhere = await login(KEY, '198.51.100.41');
  assert.equal(elsewhere.status, 303);
  assert.match(elsewhere.headers.get('set-cookie') ?? '', /batchline_session=/);
});

test('API bearer guesses and login guesses spend the same budget', async () => {
  const from = '198.51.100.50';
  for (let i = 0; i < GUESSES; i++) assert.equal((await tasks(`wrong-${i}`, from)).status, 401);
  assert.equal((await login(KEY, from)).status, 429);
});

test('BATCHLINE_TRUSTED_PROXIES takes addresses and CIDRs, and refuses anything else naming the variable', () => {
  const env = (value: string) => ({ HOST: '127.0.0.1', BATCHLINE_DATA_DIR: db.dataDir, BATCHLINE_TRUSTED_PROXIES: value });
  assert.deepEqual(loadConfig(env('10.0.0.0/8, 192.0.2.1,2001:db8::/32')).BATCHLINE_TRUSTED_PROXIES, ['10.0.0.0/8', '192.0.2.1', '2001:db8::/32']);
  for (const bad of ['ingress', '10.0.0.0/33', '10.0.0.1/8/1', '2001:db8::/129']) {
    assert.throws(() => loadConfig(env(bad)), /BATCHLINE_TRUSTED_PROXIES: each entry must be an IP address or a CIDR/, bad);
  }
});
