// A job's results as CSV for the explorer's export: one row per result, one column per field of the task's
// answer (lists joined with "; ", objects as compact JSON), then the error and the metadata as JSON.
import { stringify } from 'csv-stringify/sync';
import type { PublicResult } from '../engine/views/result-view.ts';
import type { InsightField } from './fields.ts';
import { valueAt } from '../tasks/answer-schema.ts';

/**
 * A text cell that a spreadsheet would run as a formula (= + @, or a tab or carriage return first) gets a
 * leading apostrophe: an answer quoting "=HYPERLINK(…)" must stay text when the file is opened.
 */
function safeCell(value: string): string {
  return /^[=+@\t\r]/.test(value) ? `'${value}` : value;
}

function cellOf(value: unknown): string | number | boolean {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return safeCell(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return safeCell(value.join('; '));
  return safeCell(JSON.stringify(value));
}

export function csvHeaderOf(fields: readonly InsightField[]): string {
  return stringify([['external_id', 'item_id', 'status', ...fields.map((f) => f.path), 'error_type', 'error_message', 'metadata']]);
}

export function csvLineOf(fields: readonly InsightField[], r: PublicResult): string {
  return stringify([
    [
      safeCell(r.external_id),
      r.item_id,
      r.status,
      ...fields.map((f) => cellOf(r.output === null ? undefined : valueAt(r.output, f.path))),
      r.error?.type ?? '',
      safeCell((r.error?.message ?? '').replace(/[\r\n]+/g, ' ')),
      r.metadata ? safeCell(JSON.stringify(r.metadata)) : '',
    ],
  ]);
}
