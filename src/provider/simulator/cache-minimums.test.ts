// The simulator's minimum cacheable prompt lengths against the API reference (§14), figure by figure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minCacheableTokens, UNKNOWN_MODEL_MIN_TOKENS } from './cache-minimums.ts';

test('the published minimums of reference §14, for whole model ids with or without a date suffix', () => {
  const expected: Array<[string, number]> = [
    ['claude-opus-4-5', 4096],
    ['claude-opus-4-6', 4096],
    ['claude-haiku-4-5-20251001', 4096],
    ['claude-sonnet-4-5', 1024],
    ['claude-sonnet-4-5-20250929', 1024],
    // Published 1,024; caches only from 2,048 in practice (anthropic-sdk-python#1194).
    ['claude-sonnet-4-6', 2048],
    ['claude-opus-4', 1024],
    ['claude-opus-4-1-20250805', 1024],
    ['claude-sonnet-4-20250514', 1024],
    ['claude-3-7-sonnet', 1024],
    ['claude-3-5-haiku-latest', 2048],
    ['claude-3-haiku', 2048],
  ];
  for (const [model, tokens] of expected) assert.equal(minCacheableTokens(model), tokens, model);
});

test('a model not in the table (a later one of a known family too) gets the conservative default, or what is configured', () => {
  assert.equal(UNKNOWN_MODEL_MIN_TOKENS, 4096);
  for (const model of ['claude-haiku-5-5', 'claude-sonnet-5-5', 'claude-opus-4-7', 'claude-sonnet-4-8-20260901']) {
    assert.equal(minCacheableTokens(model), UNKNOWN_MODEL_MIN_TOKENS, model);
  }
  assert.equal(minCacheableTokens('claude-sonnet-5-5', [['claude-sonnet-5-5', 1024]]), 1024);
  assert.equal(minCacheableTokens('claude-sonnet-5-5', [['claude-sonnet-5*', 2048]]), 2048);
  assert.equal(minCacheableTokens('claude-opus-4-7', [['*', 1]]), 1);
  assert.equal(minCacheableTokens('claude-sonnet-4-5', [['*', 1]]), 1024, '`*` does not override a published minimum');
  assert.equal(minCacheableTokens('claude-sonnet-4-5', [['claude-sonnet-4-5', 4096]]), 4096, 'a named model does');
});
