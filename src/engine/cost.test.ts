import assert from 'node:assert/strict';
import { test } from 'node:test';
import { costOf, priceOf } from './cost.ts';

test('batch cost is half the standard price, with savings the difference', () => {
  const c = costOf('claude-haiku-5-5', { input_tokens: 1_000_000, output_tokens: 1_000_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  assert.deepEqual(c, { usd: 3, standard_usd: 6, saved_usd: 3 });
});

test('cache reads and writes are priced apart from plain input', () => {
  const write = costOf('claude-sonnet-5-5', { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 1_000_000, cache_read_input_tokens: 0 });
  const read = costOf('claude-sonnet-5-5', { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 1_000_000 });
  assert.equal(write.standard_usd, 3.75);
  assert.equal(read.standard_usd, 0.3);
});

test('unknown models are priced as a fallback and flagged', () => {
  assert.equal(priceOf('some-future-model').known, false);
  assert.equal(priceOf('claude-opus-5-5').known, true);
});
