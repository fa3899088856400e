import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstPollDelayMs, nextPollDelayMs, recheckDelayMs, unconfirmedDelayMs } from './poll-schedule.ts';

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

const recheck = { ...config, POLL_MIN_MS: 30_000, POLL_MAX_MS: 600_000, BATCHLINE_RECHECK_MIN_MS: 2000, BATCHLINE_RECHECK_MAX_MS: 60_000 };

test('rechecks start at seconds and double up to BATCHLINE_RECHECK_MAX_MS, whatever the poll interval', () => {
  const callbackFirst = { ...recheck, POLL_MIN_MS: 600_000, POLL_MAX_MS: 600_000 };
  const first = recheckDelayMs(callbackFirst, 1);
  assert.ok(first >= 1600 && first <= 2400, `${first}`);
  const third = recheckDelayMs(callbackFirst, 3);
  assert.ok(third >= 6400 && third <= 9600, `${third}`);
  const late = recheckDelayMs(callbackFirst, 30);
  assert.ok(late >= 48_000 && late <= 72_000, `${late}`);
});

test('a recheck is never slower than a poll would be, and a retry-after still wins', () => {
  const fastPolls = { ...recheck, POLL_MIN_MS: 50, POLL_MAX_MS: 200 };
  for (let attempt = 1; attempt < 10; attempt++) assert.ok(recheckDelayMs(fastPolls, attempt) <= 240);
  assert.ok(recheckDelayMs(recheck, 1, 45_000) >= 45_000);
});

test('after a 404 the looks follow the recheck schedule, capped so the window holds its minimum looks', () => {
  const callbackFirst = { ...recheck, POLL_MIN_MS: 600_000, POLL_MAX_MS: 600_000, BATCHLINE_UNCONFIRMED_WINDOW_MS: 30 * 60_000, BATCHLINE_UNCONFIRMED_MIN_LOOKS: 5 };
  const first = unconfirmedDelayMs(callbackFirst, 1);
  assert.ok(first >= 1600 && first <= 2400, `the look after the first 404 waits ${first} ms, not a poll interval`);
  const shortWindow = { ...callbackFirst, BATCHLINE_UNCONFIRMED_WINDOW_MS: 20_000, BATCHLINE_UNCONFIRMED_MIN_LOOKS: 5 };
  let elapsed = 0;
  let looks = 0;
  while (elapsed < shortWindow.BATCHLINE_UNCONFIRMED_WINDOW_MS) elapsed += unconfirmedDelayMs(shortWindow, ++looks);
  assert.ok(looks >= 5, `${looks} looks in the window`);
});
