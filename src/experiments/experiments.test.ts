// The experiment's statistics, sampling and field comparisons, as plain functions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveTask } from '../tasks/registry.ts';
import { fieldsOf, overlap, sameValue } from './fields.ts';
import { allocate, createSampler } from './sample.ts';
import { mcnemarExact, wilson } from './stats.ts';

test('Wilson intervals match the reference values (statsmodels proportion_confint, method="wilson")', () => {
  assert.deepEqual(wilson(190, 200), { low: 0.9104, high: 0.9726, confidence: 0.95, method: 'wilson' });
  assert.deepEqual(wilson(160, 200), { low: 0.7391, high: 0.8495, confidence: 0.95, method: 'wilson' });
  assert.deepEqual(wilson(0, 10), { low: 0, high: 0.2775, confidence: 0.95, method: 'wilson' });
  assert.deepEqual(wilson(10, 10), { low: 0.7225, high: 1, confidence: 0.95, method: 'wilson' });
  assert.equal(wilson(0, 0), null);
});

test("McNemar's exact test: two-sided binomial on the discordant documents", () => {
  assert.equal(mcnemarExact(10, 2), 0.0386);
  assert.equal(mcnemarExact(5, 5), 1);
  assert.equal(mcnemarExact(0, 0), 1);
});

test('bottom-k sampling: the same seed gives the same sample whatever the order; another seed another; duplicates count once', () => {
  const ids = Array.from({ length: 500 }, (_, i) => `doc-${i}`);
  const draw = (seed: string, order: string[]) => {
    const s = createSampler<string>(seed, 50, { stratified: false, maxStrata: 10 });
    for (const id of order) s.offer(id, null, id);
    s.offer('doc-1', null, 'again');
    return s.finish(50);
  };
  const a = draw('x', ids);
  const b = draw('x', [...ids].reverse());
  assert.equal(a.population, 500);
  assert.deepEqual(b.picked.map((p) => p.id), a.picked.map((p) => p.id));
  assert.notDeepEqual(draw('y', ids).picked.map((p) => p.id).sort(), a.picked.map((p) => p.id).sort());
  assert.equal(new Set(a.picked.map((p) => p.id)).size, 50);
});

test('stratified allocation is proportional and adds up to the size', () => {
  const shares = allocate(10, [{ value: 'a', population: 50 }, { value: 'b', population: 30 }, { value: 'c', population: 20 }]);
  assert.deepEqual([...shares.values()], [5, 3, 2]);
  const ties = allocate(2, [{ value: '1', population: 1 }, { value: '2', population: 1 }, { value: '3', population: 1 }]);
  assert.equal([...ties.values()].reduce((a, b) => a + b, 0), 2);
  assert.deepEqual([...allocate(7, [{ value: 'x', population: 7 }, { value: null, population: 0 }]).values()], [7, 0]);
});

test('fields by kind: enums and booleans exactly, numbers within their tolerance, tag lists as sets, free text by emptiness', () => {
  const triage = fieldsOf(resolveTask('ticket-triage').output_schema, { tolerance: {} });
  assert.deepEqual(triage.map((f) => [f.path, f.kind]), [['category', 'enum'], ['priority', 'enum'], ['sentiment', 'enum'], ['summary', 'text'], ['suggested_tags', 'set'], ['needs_human', 'boolean']]);
  const invoice = fieldsOf(resolveTask('invoice-extraction').output_schema, { tolerance: { total: 0.5 }, exact: ['invoice_number'] });
  const kind = (p: string) => invoice.find((f) => f.path === p);
  assert.deepEqual([kind('invoice_number')?.kind, kind('issue_date')?.kind, kind('vendor.name')?.kind, kind('subtotal')?.kind, kind('line_items')?.kind], ['exact', 'exact', 'text', 'number', 'set']);
  const total = kind('total');
  assert.ok(total && sameValue(total, 119, 119.4) && !sameValue(total, 119, 119.6));
  const subtotal = kind('subtotal');
  assert.ok(subtotal && sameValue(subtotal, null, null) && !sameValue(subtotal, 100, null) && sameValue(subtotal, 100, 100.01) && !sameValue(subtotal, 100, 100.02));
  const tags = triage.find((f) => f.path === 'suggested_tags');
  assert.ok(tags && sameValue(tags, ['Refund', 'billing'], ['billing', 'refund ']) && !sameValue(tags, ['a'], ['a', 'b']));
  assert.equal(overlap(['a', 'b'], ['b', 'c']), 1 / 3);
  const summary = triage.find((f) => f.path === 'summary');
  assert.ok(summary && sameValue(summary, 'one text', 'a quite different text') && !sameValue(summary, '', 'text'));
});
