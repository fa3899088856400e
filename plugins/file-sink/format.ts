// How a result becomes one line of the file sink: JSONL, or CSV with one record per line (JSON-valued
// fields are serialized compactly and free-text newlines are folded, so a line is always a whole record).
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { DeliveredResult } from '../../src/plugins/contract.ts';

export type FileFormat = 'jsonl' | 'csv';

export const CSV_COLUMNS = ['idempotency_key', 'job_id', 'item_id', 'external_id', 'status', 'attempts', 'output', 'error_type', 'error_message', 'input_tokens', 'output_tokens', 'metadata'] as const;

export function csvHeader(): string {
  return stringify([[...CSV_COLUMNS]]);
}

export function formatLine(format: FileFormat, r: DeliveredResult): string {
  if (format === 'jsonl') return `${JSON.stringify(r)}\n`;
  const oneLine = (s: string | undefined) => (s ?? '').replace(/[\r\n]+/g, ' ');
  return stringify([
    [
      r.idempotency_key,
      r.job_id,
      r.item_id,
      r.external_id,
      r.status,
      r.attempts,
      r.output === null || r.output === undefined ? '' : JSON.stringify(r.output),
      r.error?.type ?? '',
      oneLine(r.error?.message),
      r.usage?.input_tokens ?? '',
      r.usage?.output_tokens ?? '',
      r.metadata ? JSON.stringify(r.metadata) : '',
    ],
  ]);
}

/** The idempotency key a complete line carries, or undefined (header, blank or foreign line). */
export function keyOfLine(format: FileFormat, line: string): string | undefined {
  if (!line.trim()) return undefined;
  try {
    if (format === 'jsonl') {
      const key = (JSON.parse(line) as { idempotency_key?: unknown }).idempotency_key;
      return typeof key === 'string' ? key : undefined;
    }
    const [record] = parse(line) as string[][];
    const key = record?.[0];
    return key && key !== 'idempotency_key' ? key : undefined;
  } catch {
    return undefined;
  }
}
