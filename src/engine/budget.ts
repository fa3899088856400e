// Budgets: a job never sends a batch whose worst case would take its spend over max_usd. Spend is what
// stored results cost plus what batches still out may cost at most (reserved until their results are in).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/types.ts';
import type { ResolvedTask } from '../tasks/types.ts';
import { batchCostUsd, priceOf, BATCH_DISCOUNT, type Usage } from './cost.ts';

type Tx = Transaction<DB> | Kysely<DB>;

/**
 * Tokens per request byte assumed when a job has no measured ratio: a serialized request is JSON, and
 * even text that tokenizes badly stays under one token per two bytes.
 */
export const FALLBACK_TOKENS_PER_BYTE = 0.5;

/**
 * The most one request can cost at batch price: every input token written to the prompt cache (the
 * dearest way to read input) and an answer as long as max_tokens allows.
 */
export function worstCaseUsd(task: ResolvedTask, requestBytes: number, tokensPerByte: number): number {
  const p = priceOf(task.model).price;
  const inputTokens = Math.ceil(requestBytes * tokensPerByte);
  return ((inputTokens * p.cacheWrite + task.max_tokens * p.output) / 1e6) * BATCH_DISCOUNT;
}

export interface Spend {
  /** What the job's stored results cost (answers reused from the result cache cost nothing). */
  spent_usd: number;
  /** The worst case of its batches whose results are not all stored yet. */
  reserved_usd: number;
}

export async function spendOf(db: Tx, jobId: string, fallbackModel: string): Promise<Spend> {
  const [byModel, reserved] = await Promise.all([
    sql<Usage & { model: string | null }>`
      SELECT model, sum(input_tokens)::int8 AS input_tokens, sum(output_tokens)::int8 AS output_tokens,
        sum(cache_creation_input_tokens)::int8 AS cache_creation_input_tokens, sum(cache_read_input_tokens)::int8 AS cache_read_input_tokens
      FROM results WHERE job_id = ${jobId} AND NOT from_cache GROUP BY model`.execute(db),
    sql<{ usd: string | null }>`
      SELECT sum(worst_case_usd) AS usd FROM batches WHERE job_id = ${jobId} AND status NOT IN ('collected','failed')`.execute(db),
  ]);
  let spent = 0;
  for (const row of byModel.rows) {
    spent += batchCostUsd(row.model ?? fallbackModel, {
      input_tokens: Number(row.input_tokens),
      output_tokens: Number(row.output_tokens),
      cache_creation_input_tokens: Number(row.cache_creation_input_tokens),
      cache_read_input_tokens: Number(row.cache_read_input_tokens),
    });
  }
  return { spent_usd: spent, reserved_usd: Number(reserved.rows[0]?.usd ?? 0) };
}

export interface BudgetFit {
  /** How many of the candidate requests, in order, fit. */
  count: number;
  worst_case_usd: number;
}

/** The longest prefix of `requestBytes` whose worst case stays within `remainingUsd`. */
export function fitBudget(task: ResolvedTask, requestBytes: readonly number[], tokensPerByte: number, remainingUsd: number): BudgetFit {
  let total = 0;
  let count = 0;
  for (const bytes of requestBytes) {
    const next = worstCaseUsd(task, bytes, tokensPerByte);
    if (total + next > remainingUsd) break;
    total += next;
    count += 1;
  }
  return { count, worst_case_usd: total };
}
