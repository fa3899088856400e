// Writes a whole delivery in one statement: one array parameter per column, unnested into rows, upserted
// by idempotency key so a redelivery overwrites its earlier copy instead of failing or duplicating it.
import type { DeliveredResult, SqlExecutor } from '../../src/plugins/contract.ts';
import type { TableName } from './table.ts';

const WRITTEN = ['idempotency_key', 'job_id', 'item_id', 'external_id', 'status', 'output', 'error', 'attempts', 'usage', 'metadata'] as const;

/**
 * JSON columns travel as text[] and are cast in SQL: drivers disagree on how they serialize jsonb[]
 * elements (PGlite JSON-encodes a string again), but all pass text[] the same way.
 */
function upsertSql(table: TableName): string {
  const updates = WRITTEN.filter((c) => c !== 'idempotency_key').map((c) => `${c} = EXCLUDED.${c}`);
  return `INSERT INTO ${table.sql} (${WRITTEN.join(', ')})
    SELECT k, j, i, e, s, o::jsonb, er::jsonb, a, u::jsonb, m::jsonb
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::text[])
      AS r(k, j, i, e, s, o, er, a, u, m)
    ON CONFLICT (idempotency_key) DO UPDATE SET ${updates.join(', ')}, delivered_at = now()`;
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : (JSON.stringify(value) ?? null);
}

/** A key twice in one statement would make ON CONFLICT fail ("cannot affect row a second time"): the last copy wins. */
function lastPerKey(results: readonly DeliveredResult[]): DeliveredResult[] {
  const byKey = new Map<string, DeliveredResult>();
  for (const r of results) byKey.set(r.idempotency_key, r);
  return [...byKey.values()];
}

export async function upsertResults(db: SqlExecutor, table: TableName, results: readonly DeliveredResult[]): Promise<void> {
  const rows = lastPerKey(results);
  await db.query(upsertSql(table), [
    rows.map((r) => r.idempotency_key),
    rows.map((r) => r.job_id),
    rows.map((r) => r.item_id),
    rows.map((r) => r.external_id),
    rows.map((r) => r.status),
    rows.map((r) => json(r.output)),
    rows.map((r) => json(r.error)),
    rows.map((r) => r.attempts),
    rows.map((r) => json(r.usage)),
    rows.map((r) => json(r.metadata)),
  ]);
}
