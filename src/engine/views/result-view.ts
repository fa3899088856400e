// The public shape of a result (CONTRACT.md), built from an item row and its final result row.
import type { ErrorInfo, ItemStatus } from '../../db/types.ts';
import type { DeliveredResult } from '../../plugins/contract.ts';

export interface ResultRow {
  item_id: number;
  job_id: string;
  external_id: string;
  status: ItemStatus;
  attempts: number;
  last_error: ErrorInfo | null;
  metadata: Record<string, unknown> | null;
  output: unknown;
  error: ErrorInfo | null;
  outcome: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_creation_input_tokens: number | null;
  cache_read_input_tokens: number | null;
}

export type PublicResult = Omit<DeliveredResult, 'idempotency_key'>;

export function toDeliveredResult(row: ResultRow): PublicResult {
  const status = row.status === 'succeeded' || row.status === 'canceled' ? row.status : 'failed';
  return {
    job_id: row.job_id,
    item_id: String(row.item_id),
    external_id: row.external_id,
    status,
    output: status === 'succeeded' ? row.output : null,
    error: status === 'succeeded' ? null : (row.error ?? row.last_error ?? null),
    attempts: row.attempts,
    usage:
      row.input_tokens === null
        ? null
        : {
            input_tokens: row.input_tokens,
            output_tokens: row.output_tokens ?? 0,
            cache_creation_input_tokens: row.cache_creation_input_tokens ?? 0,
            cache_read_input_tokens: row.cache_read_input_tokens ?? 0,
          },
    metadata: row.metadata,
  };
}
