import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minCacheablePrefixTokens, UNKNOWN_MODEL_MIN_PREFIX_TOKENS } from './prompt-cache-rules.ts';

test('published minimums match whole model ids, with or without a date suffix', () => {
  assert.equal(minCacheablePrefixTokens('claude-opus-4-5'), 4096);
  assert.equal(minCacheablePrefixTokens('claude-haiku-4-5-20251001'), 4096);
  assert.equal(minCacheablePrefixTokens('claude-sonnet-4-6'), 2048);
  assert.equal(minCacheablePrefixTokens('claude-opus-4-1-20250805'), 1024);
  assert.equal(minCacheablePrefixTokens('claude-sonnet-4-20250514'), 1024);
  assert.equal(minCacheablePrefixTokens('claude-3-5-haiku-latest'), 2048);
});

test('a later model of a known family is unknown: the conservative default, or what is configured', () => {
  assert.equal(minCacheablePrefixTokens('claude-opus-4-7'), UNKNOWN_MODEL_MIN_PREFIX_TOKENS);
  assert.equal(minCacheablePrefixTokens('claude-sonnet-4-8-20260901'), UNKNOWN_MODEL_MIN_PREFIX_TOKENS);
  assert.equal(minCacheablePrefixTokens('claude-sonnet-5-5'), UNKNOWN_MODEL_MIN_PREFIX_TOKENS);
  assert.equal(minCacheablePrefixTokens('claude-sonnet-5-5', [['claude-sonnet-5*', 1024]]), 1024);
  assert.equal(minCacheablePrefixTokens('claude-opus-4-7', [['*', 2048]]), 2048);
});
