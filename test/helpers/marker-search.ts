// Searches every table of the database for a string: each row cast to text (`t::text`, all its columns,
// jsonb included) is matched against it. What "no row in any table holds it" means, checked literally.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/types.ts';

/** Tables (of the public schema) with at least one row holding `marker`, and how many such rows. */
export async function rowsHolding(db: Kysely<DB>, marker: string): Promise<Record<string, number>> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
  const found: Record<string, number> = {};
  for (const { table_name } of tables.rows) {
    const hit = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table_name)} AS t WHERE strpos(t::text, ${marker}) > 0`.execute(db);
    const n = Number(hit.rows[0]?.n ?? 0);
    if (n > 0) found[table_name] = n;
  }
  return found;
}
