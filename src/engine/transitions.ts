// The item and batch state transitions that touch several rows at once, each in one transaction,
// set-based (one statement per target state), so a chunk of 1,000 results costs a handful of queries.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, ErrorInfo } from '../db/types.ts';
import type { EngineContext } from './context.ts';

type Tx = Transaction<DB> | Kysely<DB>;

/** Marks the job as needing a look (finalize); cheap and idempotent. */
export async function pokeJob(db: Tx, jobId: string): Promise<void> {
  await db.updateTable('jobs').set({ next_run_at: sql<Date>`now()` as unknown as Date }).where('id', '=', jobId).where('status', '=', 'running').execute();
}

/**
 * One outbox row per final item × sink of the job. The idempotency key names (installation, item,
 * attempt, sink): the same for every delivery try, restart and replay of that result.
 */
export async function enqueueDeliveries(db: Tx, tag: string, jobId: string, itemIds: number[]): Promise<void> {
  if (itemIds.length === 0) return;
  const job = await db.selectFrom('jobs').select(['sinks', 'status']).where('id', '=', jobId).executeTakeFirstOrThrow();
  // A job being deleted delivers nothing more (its rows are on their way out).
  if (job.status === 'deleting') return;
  const sinkCount = (job.sinks as unknown[]).length;
  if (sinkCount === 0) return;
  await sql`
    INSERT INTO deliveries (job_id, item_id, attempt, sink_index, idempotency_key, status, next_run_at)
    SELECT i.job_id, i.id, i.attempts, s.idx, 'bl' || ${tag}::text || '-' || i.id || '-' || i.attempts || '-' || s.idx, 'pending', now()
    FROM items i CROSS JOIN generate_series(0, ${sinkCount - 1}::int) AS s(idx)
    WHERE i.id = ANY(${itemIds}::bigint[])
    ON CONFLICT DO NOTHING`.execute(db);
}

/**
 * Moves the items of a batch that are still `submitted` to one final state at once and closes the
 * batch: used when the whole batch was refused by the API, or its job was canceled before sending.
 */
export async function failBatchItems(ctx: EngineContext, batchId: number, to: 'failed' | 'canceled', error: ErrorInfo | null): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const batch = await trx.selectFrom('batches').select(['job_id']).where('id', '=', batchId).executeTakeFirstOrThrow();
    const moved = await trx
      .updateTable('items')
      .set({ status: to, last_error: error ? JSON.stringify(error) : null, newer_version: null, updated_at: new Date() })
      .where('batch_id', '=', batchId)
      .where('status', '=', 'submitted')
      .returning('id')
      .execute();
    if (to === 'failed') await enqueueDeliveries(trx, ctx.tag, batch.job_id, moved.map((m) => m.id));
    await trx
      .updateTable('batches')
      .set({ status: to === 'failed' ? 'failed' : 'collected', last_error: error ? JSON.stringify(error) : null, next_run_at: null, lease_owner: null, lease_until: null, updated_at: new Date() })
      .where('id', '=', batchId)
      .execute();
    await pokeJob(trx, batch.job_id);
  });
}
