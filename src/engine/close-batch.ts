// Closes a batch whose results will not (or need not) be read any further: the items it still holds,
// never answered, are treated like expired requests — re-submitted while attempts remain, else failed.
import { sql } from 'kysely';
import type { Batch, ErrorInfo } from '../db/types.ts';
import type { EngineContext } from './context.ts';
import { enqueueDeliveries, pokeJob } from './transitions.ts';

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
    // Items whose record changed while they were at the provider go out again in the later version, with
    // attempts afresh: whatever this batch answered for them (stored, billed) is not their answer.
    const superseded = await sql`
      UPDATE items SET status = 'queued', document = newer_version->'document', request_bytes = (newer_version->>'request_bytes')::int,
        request_hash = newer_version->>'request_hash', newer_version = NULL, attempt_base = attempts, next_run_at = NULL, last_error = NULL, updated_at = now()
      WHERE batch_id = ${batch.id} AND status = 'submitted' AND newer_version IS NOT NULL`.execute(trx);
    if (Number(superseded.numAffectedRows ?? 0) > 0) ctx.log.info({ batch_id: batch.id, items: Number(superseded.numAffectedRows) }, 'items sent again in the later version of their record');
    const moved = await sql<{ id: number; status: string }>`
      UPDATE items SET status = ${retryOrFail(ctx)}, next_run_at = now(), updated_at = now(),
        last_error = ${JSON.stringify(error)}::jsonb
      WHERE batch_id = ${batch.id} AND status = 'submitted'
      RETURNING id, status`.execute(trx);
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
        last_error: moved.rows.length > 0 || options.gone ? JSON.stringify(error) : null,
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
