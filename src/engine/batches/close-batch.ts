// Closes a batch whose results will not (or need not) be read any further: the items it still holds,
// never answered, are treated like expired requests — re-submitted while attempts remain, else failed.
import { sql } from 'kysely';
import type { Batch, ErrorInfo } from '../../db/types.ts';
import type { EngineContext } from '../context.ts';
import { enqueueDeliveries, pokeJob } from '../transitions.ts';

/** A retryable outcome re-queues the item while it has attempts left (counted since its last manual retry). */
export function retryOrFail(ctx: Pick<EngineContext, 'config'>) {
  return sql`CASE WHEN items.attempts - items.attempt_base < ${ctx.config.MAX_ATTEMPTS} THEN 'retry_wait' ELSE 'failed' END`;
}

export interface ClosedBatch {
  requeued: number;
  failed: number;
}

/**
 * Marks a batch collected, moving the items it still holds (status `submitted`: no stored answer, so
 * nothing of theirs was delivered) back to the queue or to failed with `error`. With `gone`, the batch is
 * also recorded as declared gone, with the count of items sent again.
 *
 * Fenced by the lease: only the worker that still holds the batch, open, may close it. One whose lease
 * lapsed while it looked (a long batches.list, a stalled process) changes nothing and returns null, since
 * another worker may meanwhile have seen the batch end and be storing its answers: re-queuing its items
 * then would send them again.
 */
export async function closeBatch(ctx: EngineContext, batch: Batch, error: ErrorInfo, options: { gone?: boolean } = {}): Promise<ClosedBatch | null> {
  return ctx.db.transaction().execute(async (trx) => {
    const held = await trx
      .selectFrom('batches')
      .select('id')
      .where('id', '=', batch.id)
      .where('lease_owner', '=', ctx.owner)
      .where('status', 'not in', ['collected', 'failed'])
      .forUpdate()
      .executeTakeFirst();
    if (!held) {
      ctx.log.warn({ batch_id: batch.id, error: error.type }, 'batch not closed: this worker no longer holds it');
      return null;
    }
    // One statement, so a later version stored meanwhile (item-rows.ts) is seen on the row it waited for.
    // Items whose record changed while they were at the provider go out again in the later version, with
    // attempts afresh: whatever this batch answered for them (stored, billed) is not their answer.
    const moved = await sql<{ id: number; status: string; superseded: boolean }>`
      UPDATE items SET status = CASE WHEN newer_version IS NOT NULL THEN 'queued' ELSE ${retryOrFail(ctx)} END,
        document = coalesce(newer_version->'document', document),
        request_bytes = CASE WHEN newer_version IS NOT NULL THEN (newer_version->>'request_bytes')::int ELSE request_bytes END,
        request_hash = CASE WHEN newer_version IS NOT NULL THEN newer_version->>'request_hash' ELSE request_hash END,
        attempt_base = CASE WHEN newer_version IS NOT NULL THEN attempts ELSE attempt_base END,
        next_run_at = CASE WHEN newer_version IS NOT NULL THEN NULL ELSE now() END,
        last_error = CASE WHEN newer_version IS NOT NULL THEN NULL ELSE ${JSON.stringify(error)}::jsonb END,
        newer_version = NULL, updated_at = now()
      WHERE batch_id = ${batch.id} AND status = 'submitted'
      RETURNING id, status, last_error IS NULL AS superseded`.execute(trx);
    const superseded = moved.rows.filter((r) => r.superseded).length;
    if (superseded > 0) ctx.log.info({ batch_id: batch.id, items: superseded }, 'items sent again in the later version of their record');
    const failed = moved.rows.filter((r) => r.status === 'failed').map((r) => r.id);
    const requeued = moved.rows.length - failed.length;
    await enqueueDeliveries(trx, ctx.tag, batch.job_id, failed);
    await trx
      .updateTable('batches')
      .set({
        status: 'collected',
        collected_at: new Date(),
        next_run_at: null,
        lease_owner: null,
        lease_until: null,
        last_error: moved.rows.length > superseded || options.gone ? JSON.stringify(error) : null,
        // A gone batch keeps its run of 404s (since when, how many looks) for the record.
        ...(options.gone ? { gone_at: new Date(), gone_reason: JSON.stringify({ ...error, requeued }) } : { unconfirmed_since: null, unconfirmed_looks: 0 }),
        updated_at: new Date(),
      })
      .where('id', '=', batch.id)
      .execute();
    await pokeJob(trx, batch.job_id);
    return { requeued, failed: failed.length };
  });
}
