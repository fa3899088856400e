import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenBuckets } from './rate-limit.ts';

function bucketsWithClock(rate: number, burst: number) {
  let now = 0;
  const buckets = tokenBuckets({ rate, burst, now: () => now });
  return { buckets, advance: (ms: number) => (now += ms) };
}

test('a caller gets its burst, then the seconds to wait, then tokens back over time', () => {
  const { buckets, advance } = bucketsWithClock(2, 3);
  for (let i = 0; i < 3; i++) assert.equal(buckets.take('a'), 0);
  assert.equal(buckets.take('a'), 1);
  advance(500);
  assert.equal(buckets.take('a'), 0, 'one token back after half a second at 2/s');
  assert.equal(buckets.take('a'), 1);
});

test('callers are limited separately, by the key they are given', () => {
  const { buckets } = bucketsWithClock(1, 1);
  assert.equal(buckets.take('a'), 0);
  assert.ok(buckets.take('a') > 0);
  assert.equal(buckets.take('b'), 0);
});

test('a refund gives a token back, never above the burst', () => {
  const { buckets } = bucketsWithClock(1 / 90, 2);
  assert.equal(buckets.take('a'), 0);
  assert.equal(buckets.take('a'), 0);
  assert.equal(buckets.take('a'), 90, 'a slow bucket says how long until its next token');
  buckets.refund('a');
  buckets.refund('a');
  buckets.refund('a');
  assert.equal(buckets.take('a'), 0);
  assert.equal(buckets.take('a'), 0);
  assert.ok(buckets.take('a') > 0);
});

test('rate 0 turns the buckets off', () => {
  const { buckets } = bucketsWithClock(0, 1);
  for (let i = 0; i < 20; i++) assert.equal(buckets.take('a'), 0);
});
