import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toJsonSchema } from '../tasks/registry.ts';
import { invoiceExtractionOutput } from '../tasks/invoice-extraction.ts';
import { insightFieldsOf } from './fields.ts';
import { normalizePhrase } from './filters.ts';
import { mondayOf } from './compute.ts';

test('each field of the invoice schema gets the aggregate its type calls for, nested fields as dotted paths', () => {
  const fields = insightFieldsOf(toJsonSchema(invoiceExtractionOutput));
  assert.deepEqual(
    fields.map((f) => [f.path, f.kind, f.currency ?? null]),
    [
      ['invoice_number', 'text', null],
      ['issue_date', 'date', null],
      ['due_date', 'date', null],
      ['vendor.name', 'text', null],
      ['vendor.vat_id', 'text', null],
      ['vendor.address', 'text', null],
      ['customer.name', 'text', null],
      ['customer.vat_id', 'text', null],
      ['customer.address', 'text', null],
      ['currency', 'code', null],
      ['subtotal', 'number', 'currency'],
      ['tax', 'number', 'currency'],
      ['total', 'number', 'currency'],
      ['line_items', 'list', null],
    ],
  );
});

test('a stored (jsonb-ordered) schema reads in the order of its required list', () => {
  const fields = insightFieldsOf({ type: 'object', properties: { b: { type: 'boolean' }, long_name: { type: 'string', enum: ['x', 'y'] } }, required: ['long_name', 'b'] });
  assert.deepEqual(fields.map((f) => [f.path, f.kind, f.values]), [['long_name', 'values', ['x', 'y']], ['b', 'values', [false, true]]]);
});

test('phrases are normalised by case, inner whitespace and surrounding punctuation only', () => {
  assert.equal(normalizePhrase('  Battery   DRAIN!! '), 'battery drain');
  assert.equal(normalizePhrase('"app crashes on start."'), 'app crashes on start');
  assert.equal(normalizePhrase('wi-fi drops'), 'wi-fi drops');
  assert.equal(normalizePhrase('...'), '');
});

test('a week is named by its Monday', () => {
  assert.equal(mondayOf('2026-12-07'), '2026-12-07');
  assert.equal(mondayOf('2026-12-13'), '2026-12-07');
  assert.equal(mondayOf('2026-12-14'), '2026-12-14');
  assert.equal(mondayOf('2026-02-31'), '2026-03-02');
});
