// Claiming due rows with a lease: the one place that decides who works on what.
// FOR UPDATE SKIP LOCKED lets replicas claim disjoint rows; an expired lease means its owner died.
import { sql } from 'kysely';
import type { Batch, BatchStatus } from '../db/types.ts';
import type { EngineContext } from './context.ts';

export async function claimBatches(ctx: EngineContext, statuses: BatchStatus[], limit: number): Promise<Batch[]> {
  const leaseMs = ctx.config.BATCHLINE_LEASE_MS;
  const result = await sql<Batch>`
    UPDATE batches SET lease_owner = ${ctx.owner}, lease_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
    WHERE id IN (
      SELECT id FROM batches
      WHERE status = ANY(${statuses}::text[]) AND next_run_at <= now()
        AND (lease_until IS NULL OR lease_until < now())
      ORDER BY next_run_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING *`.execute(ctx.db);
  return result.rows;
}

/** Extends this worker's lease on a batch; false means another worker took it over (stop working on it). */
export async function renewBatchLease(ctx: EngineContext, batchId: number): Promise<boolean> {
  const leaseMs = ctx.config.BATCHLINE_LEASE_MS;
  const result = await sql`
    UPDATE batches SET lease_until = now() + ${leaseMs} * interval '1 millisecond'
    WHERE id = ${batchId} AND lease_owner = ${ctx.owner}`.execute(ctx.db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Leaves a batch for later (or for anyone), recording when it is next due. */
export async function releaseBatch(ctx: EngineContext, batchId: number, nextRunInMs: number, lastError?: { type: string; message: string }): Promise<void> {
  await sql`
    UPDATE batches SET lease_owner = NULL, lease_until = NULL, updated_at = now(),
      next_run_at = now() + ${Math.max(0, Math.round(nextRunInMs))} * interval '1 millisecond'
      ${lastError ? sql`, last_error = ${JSON.stringify(lastError)}::jsonb` : sql``}
    WHERE id = ${batchId} AND lease_owner = ${ctx.owner}`.execute(ctx.db);
}

/** On shutdown: hand every lease this process holds back at once, so another replica need not wait. */
export async function releaseAllLeases(ctx: Pick<EngineContext, 'db' | 'owner'>): Promise<void> {
  // A create still in flight keeps its lease: handing it over now could let another replica send it again.
  await sql`UPDATE batches SET lease_owner = NULL, lease_until = NULL
    WHERE lease_owner = ${ctx.owner} AND NOT (status = 'submitting' AND create_in_doubt_until > now())`.execute(ctx.db);
  await ctx.db.updateTable('deliveries').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', ctx.owner).execute();
}

/**
 * Keeps this worker's lease on a batch alive while `work` runs (a 256 MB upload or a long results
 * stream can outlast one lease). If the lease is lost anyway, the signal aborts the work: another
 * replica owns the batch now, and two owners could submit it twice.
 */
export async function withBatchLease<T>(ctx: EngineContext, batchId: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const lost = new AbortController();
  const timer = setInterval(() => {
    renewBatchLease(ctx, batchId).then(
      (held) => {
        if (!held) lost.abort(new Error(`lease on batch ${batchId} lost`));
      },
      (error: unknown) => ctx.log.warn({ batch_id: batchId, err: error }, 'lease renewal failed'),
    );
  }, Math.max(250, Math.floor(ctx.config.BATCHLINE_LEASE_MS / 3)));
  try {
    return await work(lost.signal);
  } finally {
    clearInterval(timer);
  }
}
