import assert from 'node:assert/strict';
import { test } from 'node:test';
import { costOf, moneyOf, priceOf } from './cost.ts';

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

test('moneyOf: the standard equivalent has no cache at all, and the savings split adds up to saved_usd', () => {
  const none = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  // Haiku: $1 in, $5 out per million; writes 1.25×, reads 0.1×.
  const paid = { input_tokens: 1_000_000, output_tokens: 200_000, cache_creation_input_tokens: 100_000, cache_read_input_tokens: 900_000 };
  const reused = { input_tokens: 500_000, output_tokens: 100_000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const m = moneyOf([{ model: 'claude-haiku-5-5', paid, reused }]);
  // Paid: plain 2.0M input + 0.2M output = $3.00; actual 1.0 + 0.125 + 0.09 + 1.0 = $2.215; billed half.
  assert.equal(m.usd, 1.1075);
  // Reused: 0.5M in + 0.1M out = $1.00 plain (and actual).
  assert.equal(m.standard_usd, 4);
  assert.equal(m.savings.batch_discount_usd, 2);
  assert.equal(m.savings.prompt_cache_usd, 0.3925);
  assert.equal(m.savings.result_cache_usd, 0.5);
  assert.ok(Math.abs(m.savings.batch_discount_usd + m.savings.prompt_cache_usd + m.savings.result_cache_usd - m.saved_usd) < 1e-9);
  assert.deepEqual(moneyOf([{ model: 'claude-haiku-5-5', paid: none, reused: none }]), { usd: 0, standard_usd: 0, saved_usd: 0, savings: { batch_discount_usd: 0, prompt_cache_usd: 0, result_cache_usd: 0 } });
});
