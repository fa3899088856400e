// Budgets: a job never sends a batch whose worst case would take its spend over max_usd. Spend is what
// stored results cost plus what batches still out may cost at most (reserved until their results are in).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import { priceOf, BATCH_DISCOUNT } from './cost.ts';
import { jobMoneyOf, usageRowsOf } from './usage-rows.ts';

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
  const [rows, reserved] = await Promise.all([usageRowsOf(db, jobId), reservedUsd(db, jobId)]);
  return { spent_usd: jobMoneyOf(rows, fallbackModel).cost.usd, reserved_usd: reserved };
}

/** The worst case of a job's batches whose results are not all stored yet. */
export async function reservedUsd(db: Tx, jobId: string): Promise<number> {
  const reserved = await sql<{ usd: string | null }>`
    SELECT sum(worst_case_usd) AS usd FROM batches WHERE job_id = ${jobId} AND status NOT IN ('collected','failed')`.execute(db);
  return Number(reserved.rows[0]?.usd ?? 0);
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
