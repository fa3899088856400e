// Result usage summed by model and origin (billed to this job, or reused from the result cache), as the
// job view and the dashboard's job list both read it, turned into money.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/types.ts';
import { moneyOf, type Money, type Usage, type UsageByOrigin } from './cost.ts';

/** One row of `SELECT model, from_cache, count(*) AS n, sum(<usage>)… GROUP BY model, from_cache` (sums may come back as strings). */
export interface UsageRow {
  model: string | null;
  from_cache: boolean;
  n: number | string;
  input_tokens: number | string;
  output_tokens: number | string;
  cache_creation_input_tokens: number | string;
  cache_read_input_tokens: number | string;
}

/** A job's results summed by model and origin: what jobMoneyOf reads. */
export async function usageRowsOf(db: Transaction<DB> | Kysely<DB>, jobId: string): Promise<UsageRow[]> {
  const rows = await sql<UsageRow>`
    SELECT model, from_cache, count(*)::int AS n, sum(input_tokens)::int8 AS input_tokens, sum(output_tokens)::int8 AS output_tokens,
      sum(cache_creation_input_tokens)::int8 AS cache_creation_input_tokens, sum(cache_read_input_tokens)::int8 AS cache_read_input_tokens
    FROM results WHERE job_id = ${jobId} GROUP BY model, from_cache`.execute(db);
  return rows.rows;
}

export interface JobMoney {
  /** Tokens this job was billed for (answers reused from the result cache were billed to an earlier job). */
  usage: Usage;
  cost: Money;
  /** Items answered from the result cache. */
  hits: number;
}

export function zeroUsage(): Usage {
  return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

function addUsage(into: Usage, u: Usage): void {
  into.input_tokens += u.input_tokens;
  into.output_tokens += u.output_tokens;
  into.cache_creation_input_tokens += u.cache_creation_input_tokens;
  into.cache_read_input_tokens += u.cache_read_input_tokens;
}

export function jobMoneyOf(rows: readonly UsageRow[], fallbackModel: string): JobMoney {
  const usage = zeroUsage();
  const byModel = new Map<string, UsageByOrigin>();
  let hits = 0;
  for (const row of rows) {
    const u = {
      input_tokens: Number(row.input_tokens),
      output_tokens: Number(row.output_tokens),
      cache_creation_input_tokens: Number(row.cache_creation_input_tokens),
      cache_read_input_tokens: Number(row.cache_read_input_tokens),
    };
    const model = row.model ?? fallbackModel;
    const entry = byModel.get(model) ?? { model, paid: zeroUsage(), reused: zeroUsage() };
    byModel.set(model, entry);
    if (row.from_cache) {
      hits += Number(row.n);
      addUsage(entry.reused, u);
    } else {
      addUsage(entry.paid, u);
      addUsage(usage, u);
    }
  }
  return { usage, cost: moneyOf([...byModel.values()]), hits };
}
