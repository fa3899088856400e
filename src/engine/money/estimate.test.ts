import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveTask } from '../../tasks/registry.ts';
import { fitBudget, worstCaseUsd } from './budget.ts';
import { batchCounter, budgetTokensPerByte, composeEstimate } from './estimate.ts';
import { schemaOutputTokens } from './estimate-output.ts';

const task = resolveTask('review-insights', { max_tokens: 1000 });
const tally = { items: 1000, rejected: 2, batches: 1, bytes: 1_000_000, cacheHits: 0, cacheSavedUsd: 0, cacheEnabled: false };
const output = { basis: 'schema' as const, perItem: 50, observedResults: 0 };
const unmarked = { promptCache: { marked: false, prefix_tokens: 200, min_prefix_tokens: 4096, basis: 'count_tokens' as const }, hitRate: { rate: 1, basis: 'assumed' as const } };
const marked = (rate: number) => ({ promptCache: { marked: true, prefix_tokens: 200, min_prefix_tokens: 100, basis: 'count_tokens' as const }, hitRate: { rate, basis: 'observed' as const } });

test('input tokens: the sample is exact, the rest extrapolated by bytes, with a bound that shrinks with the spread', () => {
  const even = Array.from({ length: 20 }, (_, i) => ({ bytes: 1000 + i * 10, tokens: (1000 + i * 10) / 4 }));
  const e = composeEstimate({ task, tally, measured: even, ...unmarked, output });
  assert.equal(e.input_tokens.method, 'count_tokens_sample');
  assert.equal(e.input_tokens.estimate, 250_000);
  assert.equal(e.input_tokens.error_bound, 0, 'a perfectly proportional sample has no spread');
  const noisy = even.map((s, i) => ({ ...s, tokens: s.tokens + (i % 2 === 0 ? 30 : -30) }));
  const n = composeEstimate({ task, tally, measured: noisy, ...unmarked, output });
  assert.ok(n.input_tokens.error_bound > 0 && n.input_tokens.error_bound < 0.1 * n.input_tokens.estimate, JSON.stringify(n.input_tokens));
  const none = composeEstimate({ task, tally, measured: [], ...unmarked, output });
  assert.equal(none.input_tokens.method, 'bytes');
  assert.equal(none.input_tokens.estimate, 500_000);
});

test('cost: prompt-cache reads priced at 10%, one write per batch; worst case assumes max_tokens answers', () => {
  const measured = [{ bytes: 1000, tokens: 250 }];
  const plain = composeEstimate({ task, tally, measured, ...unmarked, output });
  const cached = composeEstimate({ task, tally, measured, ...marked(1), output });
  assert.deepEqual(cached.prompt_cache, { prefix_tokens: 200, min_prefix_tokens: 100, cacheable: true, hit_rate: 1, hit_rate_basis: 'observed', writes: 1, reads: 999 });
  assert.ok(cached.cost.usd < plain.cost.usd);
  assert.equal(cached.cost.standard_usd, plain.cost.standard_usd, 'the standard price knows no cache');
  // Haiku, 1000 items × (250 in + 50 out): $0.25 + $0.25 standard, half at batch price.
  assert.equal(plain.cost.standard_usd, 0.5);
  assert.equal(plain.cost.usd, 0.25);
  assert.equal(plain.cost.worst_case_usd, 1000 * worstCaseUsd(task, 1000, 0.25));
  assert.ok(plain.cost.worst_case_usd > plain.cost.usd * 5);
});

test('a prefix below the model minimum is priced as plain input; hits are expected only at the hit rate', () => {
  const measured = [{ bytes: 1000, tokens: 250 }];
  const plain = composeEstimate({ task, tally, measured, ...unmarked, output });
  assert.equal(plain.prompt_cache.cacheable, false);
  assert.deepEqual([plain.prompt_cache.writes, plain.prompt_cache.reads], [0, 0]);
  assert.equal(plain.cost.no_cache_hit_usd, plain.cost.usd, 'nothing marked: no hit to miss');

  const half = composeEstimate({ task, tally, measured, ...marked(0.5), output });
  assert.deepEqual([half.prompt_cache.writes, half.prompt_cache.reads], [500, 500]);
  const none = composeEstimate({ task, tally, measured, ...marked(0), output });
  assert.equal(none.cost.usd, none.cost.no_cache_hit_usd);
  // No hit at all: every request writes its 200-token prefix at 1.25×, which costs more than not marking.
  assert.ok(half.cost.usd < plain.cost.usd && plain.cost.usd < none.cost.usd, `${half.cost.usd} < ${plain.cost.usd} < ${none.cost.usd}`);
  assert.ok(half.cost.no_cache_hit_usd === none.cost.usd, 'the no-hit figure bounds the expected cost from above');
});

test('budget: requests are taken in order while their worst case fits', () => {
  const one = worstCaseUsd(task, 1000, 0.25);
  assert.deepEqual(fitBudget(task, [1000, 1000, 1000], 0.25, one * 2.5).count, 2);
  assert.equal(fitBudget(task, [1000], 0.25, one * 0.9).count, 0);
  assert.ok(budgetTokensPerByte(null) >= 0.5, 'no measurement: a safe ratio');
});

test('batches are counted as the planner packs them, by requests and by bytes', () => {
  const c = batchCounter(3, 1000, 16);
  for (let i = 0; i < 7; i++) c.add(100);
  assert.equal(c.count(), 3);
  const b = batchCounter(100, 1000, 16);
  for (let i = 0; i < 4; i++) c.add(0), b.add(400);
  assert.equal(b.count(), 2);
});

test('a typical answer of a schema: enums, short strings, three list items, capped by max_tokens', () => {
  const small = resolveTask({ name: 't', prompt: '{{text}}', output_schema: { type: 'object', properties: { ok: { type: 'boolean' } } } }, {});
  assert.ok(schemaOutputTokens(small) < 40);
  assert.ok(schemaOutputTokens(task) > schemaOutputTokens(small));
  const capped = resolveTask('review-insights', { max_tokens: 10 });
  assert.equal(schemaOutputTokens(capped), 10);
});
