import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Hono } from 'hono';
import { guessBudget, GUESSES } from '../auth.ts';
import { apiAccess } from './api-access.ts';

const KEY = 'key-one-0123456789abcdef0123456789';
const OTHER = 'key-two-0123456789';

/** The /v1 gate in front of two routes; the client address comes from a test header, the clock is ours. */
function gate(options: { keys?: string[]; rps?: number; burst?: number } = {}) {
  let now = 0;
  const app = new Hono();
  const clock = () => now;
  app.use('/v1/*', apiAccess({ keys: options.keys ?? [KEY, OTHER], rps: options.rps ?? 1, burst: options.burst ?? 3, guesses: guessBudget(clock), clientAddress: (c) => c.req.header('x-test-address') ?? '192.0.2.1', now: clock }));
  app.get('/v1/tasks', (c) => c.text('ok'));
  app.post('/v1/callbacks/batches', (c) => c.text('signed ok'));
  const get = (token?: string, address?: string) =>
    app.request('/v1/tasks', { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(address ? { 'x-test-address': address } : {}) } });
  return { app, get, advance: (ms: number) => (now += ms) };
}

test('random bearer tokens are not fresh buckets: after the guess budget they are 429, none passes', async () => {
  const { get } = gate({ rps: 1000, burst: 1000 });
  const statuses: number[] = [];
  for (let i = 0; i < 1000; i++) statuses.push((await get(randomBytes(12).toString('hex'))).status);
  assert.equal(statuses.filter((s) => s === 401).length, GUESSES);
  assert.equal(statuses.filter((s) => s === 429).length, 1000 - GUESSES);
  assert.equal(statuses.filter((s) => s < 300).length, 0);
});

test('an address out of guesses is not asked for its token, a right one included; other addresses are not affected', async () => {
  const { get, advance } = gate({ rps: 1000, burst: 1000 });
  for (let i = 0; i < GUESSES; i++) assert.equal((await get(`wrong-${i}`)).status, 401);
  const locked = await get(KEY);
  assert.equal(locked.status, 429, 'answering 200 here would tell a guesser its guess was right');
  assert.equal(locked.headers.get('retry-after'), '90');
  assert.equal((await get(KEY, '198.51.100.7')).status, 200, 'the key works from anywhere else');
  advance(90_000);
  assert.equal((await get(KEY)).status, 200, 'one guess earned back after 90 s, and a right key gives it back');
  assert.equal((await get(KEY)).status, 200);
  assert.equal((await get('wrong-again')).status, 401);
  assert.equal((await get('wrong-again')).status, 429);
});

test('a missing token is refused 401 without spending a guess', async () => {
  const { get } = gate({ rps: 1000, burst: 1000 });
  for (let i = 0; i < GUESSES * 3; i++) assert.equal((await get()).status, 401);
  assert.equal((await get(KEY)).status, 200);
  for (let i = 0; i < GUESSES; i++) assert.equal((await get('wrong')).status, 401);
  assert.equal((await get()).status, 401, 'nothing to look at, so nothing to tell: still 401');
});

test('each key has its own bucket: one key flooding does not slow another, nor the signed routes', async () => {
  const { app, get } = gate({ rps: 1, burst: 3 });
  for (let i = 0; i < 3; i++) assert.equal((await get(KEY)).status, 200);
  const limited = await get(KEY);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '1');
  assert.match(limited.headers.get('content-type') ?? '', /problem\+json/);
  assert.equal((await get(OTHER)).status, 200);
  assert.equal((await app.request('/v1/callbacks/batches', { method: 'POST' })).status, 200);
});

test('the signed routes are limited by address, apart from the bearer routes of that address', async () => {
  const { app, get } = gate({ rps: 1, burst: 2 });
  for (let i = 0; i < GUESSES + 5; i++) await get('wrong');
  const signed = () => app.request('/v1/callbacks/batches', { method: 'POST' });
  assert.equal((await signed()).status, 200, 'wrong bearer tokens from the same address do not hold up the notifier');
  assert.equal((await signed()).status, 200);
  assert.equal((await signed()).status, 429);
});

test('without keys every caller is its address', async () => {
  const { get } = gate({ keys: [], rps: 1, burst: 2 });
  assert.equal((await get('anything')).status, 200);
  assert.equal((await get('something-else')).status, 200);
  assert.equal((await get('a-third-one')).status, 429, 'a new bearer value is not a new bucket');
  assert.equal((await get(undefined, '198.51.100.7')).status, 200);
});
