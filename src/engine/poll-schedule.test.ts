import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstPollDelayMs, nextPollDelayMs } from './poll-schedule.ts';

const config = { POLL_MIN_MS: 1000, POLL_MAX_MS: 60_000 };

test('the first look waits longer for bigger batches, within ±20% jitter', () => {
  for (let i = 0; i < 200; i++) {
    const one = firstPollDelayMs(config, 1);
    const big = firstPollDelayMs(config, 100_000);
    assert.ok(one >= 800 && one <= 1200, `${one}`);
    assert.ok(big >= 3500 * 0.8 && big <= 3500 * 1.2, `${big}`);
  }
});

test('intervals double up to POLL_MAX_MS and never go below POLL_MIN_MS', () => {
  let interval: number | null = null;
  const seen: number[] = [];
  for (let i = 0; i < 20; i++) {
    interval = nextPollDelayMs(config, interval);
    seen.push(interval);
  }
  assert.ok(seen.every((ms) => ms >= 800 && ms <= 72_000));
  assert.ok((seen.at(-1) ?? 0) >= 48_000, 'reaches the ceiling');
});

test('a retry-after longer than the backoff wins', () => {
  assert.ok(nextPollDelayMs(config, 1000, 30_000) >= 30_000);
});

test('jitter spreads replicas apart', () => {
  const values = new Set(Array.from({ length: 50 }, () => nextPollDelayMs(config, 10_000)));
  assert.ok(values.size > 10);
});
