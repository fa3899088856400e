// The result cache across jobs: a schema-valid answer stored under the hash of its exact request, so an
// identical request in a later job (same model, parameters, prompt and document) is answered from it
// without being submitted. Opt-in per job (`cache: "on"`, or BATCHLINE_RESULT_CACHE=on); entries expire.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { Usage } from './cost.ts';
import { TEXT_DROP } from '../documents/text-at-rest.ts';

type Tx = Transaction<DB> | Kysely<DB>;

/**
 * Items of a job that uses the cache whose request has a live entry become `succeeded` at once, with the
 * stored answer as their first result (`from_cache`, the original usage kept to show the money saved).
 * Returns their ids. A job with the cache off gets nothing from it.
 */
export async function reuseCachedResults(trx: Tx, jobId: string, itemIds: readonly number[]): Promise<number[]> {
  if (itemIds.length === 0) return [];
  const reused = await sql<{ id: number }>`
    WITH hits AS (
      SELECT i.id, j.keep_text, c.model, c.output, c.input_tokens, c.output_tokens, c.cache_creation_input_tokens, c.cache_read_input_tokens
      FROM items i
      JOIN jobs j ON j.id = i.job_id AND j.result_cache
      JOIN result_cache c ON c.request_hash = i.request_hash AND c.expires_at > now()
      -- Never sent: one sent before (a retry replaced by a later version) holds results of its own.
      WHERE i.id = ANY(${itemIds}::bigint[]) AND i.status = 'queued' AND i.attempts = 0 AND i.job_id = ${jobId}),
    stored AS (
      INSERT INTO results (item_id, attempt, job_id, batch_id, outcome, output, model, input_tokens, output_tokens,
        cache_creation_input_tokens, cache_read_input_tokens, from_cache)
      SELECT id, 1, ${jobId}, NULL, 'succeeded', output, model, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens, true
      FROM hits
      ON CONFLICT (item_id, attempt) DO NOTHING)
    UPDATE items SET status = 'succeeded', attempts = 1, next_run_at = NULL, updated_at = now(),
      -- Answered without being sent, and never sent later: its text is not needed (text-at-rest.ts).
      document = CASE WHEN hits.keep_text THEN items.document ELSE ${TEXT_DROP} END
    FROM hits WHERE items.id = hits.id
    RETURNING items.id`.execute(trx);
  return reused.rows.map((r) => Number(r.id));
}

/**
 * Stores the schema-valid answers of a collected chunk for later jobs, when the batch's job uses the
 * cache. A later answer to the same request replaces the entry and restarts its lifetime.
 */
export async function storeAnswers(trx: Tx, batchId: number, itemIds: readonly number[], ttlMs: number): Promise<void> {
  if (itemIds.length === 0) return;
  await sql`
    INSERT INTO result_cache (request_hash, model, output, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens, expires_at)
    SELECT DISTINCT ON (i.request_hash) i.request_hash, r.model, r.output, r.input_tokens, r.output_tokens,
      r.cache_creation_input_tokens, r.cache_read_input_tokens, now() + ${ttlMs} * interval '1 millisecond'
    FROM results r
    JOIN items i ON i.id = r.item_id AND r.attempt = i.attempts
    JOIN jobs j ON j.id = i.job_id AND j.result_cache
    WHERE r.item_id = ANY(${itemIds}::bigint[]) AND r.batch_id = ${batchId} AND r.outcome = 'succeeded'
      AND r.model IS NOT NULL AND r.output IS NOT NULL AND i.request_hash IS NOT NULL
    ORDER BY i.request_hash, i.id
    ON CONFLICT (request_hash) DO UPDATE SET model = excluded.model, output = excluded.output,
      input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
      cache_creation_input_tokens = excluded.cache_creation_input_tokens, cache_read_input_tokens = excluded.cache_read_input_tokens,
      created_at = now(), expires_at = excluded.expires_at`.execute(trx);
}

/** Deletes expired entries, a bounded number at a time (called now and then by the worker). */
export async function sweepResultCache(db: Kysely<DB>, limit = 5000): Promise<number> {
  const deleted = await sql`
    DELETE FROM result_cache WHERE request_hash IN (
      SELECT request_hash FROM result_cache WHERE expires_at <= now() ORDER BY expires_at LIMIT ${limit})`.execute(db);
  return Number(deleted.numAffectedRows ?? 0);
}

/** Live entries for these request hashes, with what each answer cost first (a dry run prices the hits). */
export async function cachedUsage(db: Kysely<DB>, hashes: readonly string[]): Promise<Map<string, { model: string; usage: Usage }>> {
  const found = new Map<string, { model: string; usage: Usage }>();
  if (hashes.length === 0) return found;
  const rows = await db
    .selectFrom('result_cache')
    .select(['request_hash', 'model', 'input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'])
    .where('request_hash', 'in', [...new Set(hashes)])
    .where('expires_at', '>', new Date())
    .execute();
  for (const r of rows) {
    const { request_hash, model, ...usage } = r;
    found.set(request_hash, { model, usage });
  }
  return found;
}
