import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { rateLimit } from './rate-limit.ts';

function appWithClock(rps: number, burst: number) {
  let now = 0;
  const app = new Hono();
  app.use('*', rateLimit({ rps, burst, now: () => now }));
  app.get('/', (c) => c.text('ok'));
  return { app, advance: (ms: number) => (now += ms) };
}

test('a client gets its burst, then 429 problems with Retry-After, then tokens back over time', async () => {
  const { app, advance } = appWithClock(2, 3);
  const hit = () => app.request('/', { headers: { authorization: 'Bearer a' } });
  for (let i = 0; i < 3; i++) assert.equal((await hit()).status, 200);
  const limited = await hit();
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '1');
  assert.match(limited.headers.get('content-type') ?? '', /problem\+json/);
  advance(500);
  assert.equal((await hit()).status, 200, 'one token back after half a second at 2/s');
  assert.equal((await hit()).status, 429);
});

test('clients are limited separately, by token', async () => {
  const { app } = appWithClock(1, 1);
  assert.equal((await app.request('/', { headers: { authorization: 'Bearer a' } })).status, 200);
  assert.equal((await app.request('/', { headers: { authorization: 'Bearer a' } })).status, 429);
  assert.equal((await app.request('/', { headers: { authorization: 'Bearer b' } })).status, 200);
});

test('rps 0 turns the limiter off', async () => {
  const { app } = appWithClock(0, 1);
  for (let i = 0; i < 20; i++) assert.equal((await app.request('/')).status, 200);
});
