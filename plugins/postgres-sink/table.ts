// The sink's target table: its quoted name, and making sure it exists with the columns the upsert writes.
// Checked once per (connection, table) in this process; a table dropped or altered later is noticed by
// the upsert failing (42P01/42703), which clears the check so the next attempt repeats it.
import type { SqlExecutor } from '../../src/plugins/contract.ts';

export interface TableName {
  /** null = the first schema on the search path (current_schema()). */
  schema: string | null;
  name: string;
  /** The name as SQL, every part quoted. */
  sql: string;
}

export const COLUMNS = ['idempotency_key', 'job_id', 'item_id', 'external_id', 'status', 'output', 'error', 'attempts', 'usage', 'metadata', 'delivered_at'] as const;

/** Quoting keeps case and reserved words intact; the config regex already rules out quotes, this doubles them anyway. */
export function quoteIdent(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

export function tableName(table: string): TableName {
  const dot = table.indexOf('.');
  const schema = dot === -1 ? null : table.slice(0, dot);
  const name = dot === -1 ? table : table.slice(dot + 1);
  return { schema, name, sql: schema === null ? quoteIdent(name) : `${quoteIdent(schema)}.${quoteIdent(name)}` };
}

function createTableSql(table: TableName): string {
  return `CREATE TABLE IF NOT EXISTS ${table.sql} (
    idempotency_key text PRIMARY KEY,
    job_id text NOT NULL,
    item_id text NOT NULL,
    external_id text NOT NULL,
    status text NOT NULL,
    output jsonb,
    error jsonb,
    attempts integer NOT NULL,
    usage jsonb,
    metadata jsonb,
    delivered_at timestamptz NOT NULL DEFAULT now()
  )`;
}

async function existingColumns(db: SqlExecutor, table: TableName): Promise<Set<string>> {
  const { rows } = await db.query(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = coalesce($1::text, current_schema()) AND table_name = $2::text`,
    [table.schema, table.name],
  );
  return new Set(rows.map((r) => String(r.column_name)));
}

/**
 * Creates the table when absent (and its schema, when named and absent); returns the required columns
 * an existing table lacks. Existence is looked up first because CREATE … IF NOT EXISTS still demands
 * CREATE privilege, which a role that may only write into an existing table does not have.
 */
export async function prepareTable(db: SqlExecutor, table: TableName): Promise<string[]> {
  let columns = await existingColumns(db, table);
  if (columns.size === 0) {
    if (table.schema !== null) {
      const { rows } = await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1::text`, [table.schema]);
      if (rows.length === 0) await ignoreRace(db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(table.schema)}`, []));
    }
    await ignoreRace(db.query(createTableSql(table), []));
    columns = await existingColumns(db, table);
  }
  return COLUMNS.filter((c) => !columns.has(c));
}

/** Another process creating the same object at the same moment is success, not failure (23505 on pg_type, 42P06/42P07). */
async function ignoreRace(query: Promise<unknown>): Promise<void> {
  try {
    await query;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06' && code !== '42P07') throw error;
  }
}

const prepared = new Map<string, Promise<string[]>>();

/**
 * Runs prepareTable once per key in this process; concurrent first deliveries share one check.
 * Only success is remembered, so a table fixed by hand is picked up on the next delivery.
 */
export function ensureTable(key: string, db: SqlExecutor, table: TableName): Promise<string[]> {
  const known = prepared.get(key);
  if (known) return known;
  const run = prepareTable(db, table);
  prepared.set(key, run);
  const forget = () => {
    if (prepared.get(key) === run) prepared.delete(key);
  };
  run.then((missing) => missing.length > 0 && forget(), forget);
  return run;
}

export function forgetTable(key: string): void {
  prepared.delete(key);
}
