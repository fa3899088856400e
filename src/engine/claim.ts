// Claiming due rows with a lease: the one place that decides who works on what.
// FOR UPDATE SKIP LOCKED lets replicas claim disjoint rows; an expired lease means its owner died.
import { sql, type RawBuilder } from 'kysely';
import type { Batch, BatchStatus, Job } from '../db/types.ts';
import type { EngineContext } from './context.ts';

export async function claimBatches(ctx: EngineContext, statuses: BatchStatus[], limit: number): Promise<Batch[]> {
  const leaseMs = ctx.config.BATCHLINE_LEASE_MS;
  const result = await sql<Batch>`
    UPDATE batches SET lease_owner = ${ctx.owner}, lease_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now(),
      -- This claim is the look a callback asked for; one arriving from now on asks for another.
      recheck_requested = false
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

/**
 * Extends this worker's lease on a batch; false means another worker took it over (stop working on it).
 * While a create call is in flight (create_in_doubt_until set), its window of doubt moves with the lease:
 * the call can be sending only while the lease holds (withBatchLease aborts it otherwise), so once the
 * lease has lapsed the doubt ends BATCHLINE_CREATE_SETTLE_MS later, not at the call's own timeout.
 */
export async function renewBatchLease(ctx: EngineContext, batchId: number): Promise<boolean> {
  const leaseMs = ctx.config.BATCHLINE_LEASE_MS;
  const result = await sql`
    UPDATE batches SET lease_until = now() + ${leaseMs} * interval '1 millisecond',
      create_in_doubt_until = CASE WHEN create_in_doubt_until IS NULL THEN NULL
        ELSE greatest(create_in_doubt_until, now() + ${leaseMs + ctx.config.BATCHLINE_CREATE_SETTLE_MS} * interval '1 millisecond') END
    WHERE id = ${batchId} AND lease_owner = ${ctx.owner}`.execute(ctx.db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/**
 * When a batch released now is next due: in `ms`, or at once when a callback arrived while this worker held
 * it (engine/batches/callback.ts), since the look in progress may have been made before the batch ended.
 */
export function dueIn(ms: number): RawBuilder<Date> {
  return sql<Date>`CASE WHEN recheck_requested THEN now() ELSE now() + ${Math.max(0, Math.round(ms))} * interval '1 millisecond' END`;
}

/** Leaves a batch for later (or for anyone), recording when it is next due. */
export async function releaseBatch(ctx: EngineContext, batchId: number, nextRunInMs: number, lastError?: { type: string; message: string }): Promise<void> {
  await sql`
    UPDATE batches SET lease_owner = NULL, lease_until = NULL, updated_at = now(),
      next_run_at = ${dueIn(nextRunInMs)}
      ${lastError ? sql`, last_error = ${JSON.stringify(lastError)}::jsonb` : sql``}
    WHERE id = ${batchId} AND lease_owner = ${ctx.owner}`.execute(ctx.db);
}

/** On shutdown: hand every lease this process holds back at once, so another replica need not wait. */
export async function releaseAllLeases(ctx: Pick<EngineContext, 'db' | 'owner'>): Promise<void> {
  // A create still in flight keeps its lease: handing it over now could let another replica send it again.
  await sql`UPDATE batches SET lease_owner = NULL, lease_until = NULL
    WHERE lease_owner = ${ctx.owner} AND NOT (status = 'submitting' AND create_in_doubt_until > now())`.execute(ctx.db);
  await ctx.db.updateTable('deliveries').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', ctx.owner).execute();
  // A source read stopped mid-way resumes from its last checkpoint on whichever replica claims it.
  await ctx.db.updateTable('jobs').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', ctx.owner).execute();
}

/**
 * Keeps this worker's lease on a batch alive while `work` runs (a 256 MB upload or a long results
 * stream can outlast one lease). If the lease is lost anyway, the signal aborts the work: another
 * replica owns the batch now, and two owners could submit it twice.
 */
export async function withBatchLease<T>(ctx: EngineContext, batchId: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const leaseMs = ctx.config.BATCHLINE_LEASE_MS;
  const lost = new AbortController();
  // The claim just set the lease; from then on it is only as fresh as the last renewal that landed.
  let heldSince = Date.now();
  const timer = setInterval(() => {
    // Fenced: a worker that could not renew (Postgres unreachable, the loop stalled) stops on its own
    // before its lease runs out, since another replica may then take the batch over.
    if (Date.now() - heldSince > leaseMs * 0.8) lost.abort(new Error(`lease on batch ${batchId} could not be renewed in time`));
    const asked = Date.now();
    renewBatchLease(ctx, batchId).then(
      (held) => {
        if (held) heldSince = asked;
        else lost.abort(new Error(`lease on batch ${batchId} lost`));
      },
      (error: unknown) => ctx.log.warn({ batch_id: batchId, err: error }, 'lease renewal failed'),
    );
  }, Math.max(250, Math.floor(leaseMs / 4)));
  try {
    return await work(lost.signal);
  } finally {
    clearInterval(timer);
  }
}

/**
 * Jobs whose source must be read (a new job, a crashed read, a watched folder's rescan). A job waits
 * while an older job on the same connection is still reading: the cursor it starts from is where
 * that one ends, so two jobs never read the same part of a stream.
 */
export async function claimSourceReads(ctx: EngineContext, limit: number): Promise<Job[]> {
  const leaseMs = ctx.config.BATCHLINE_LEASE_MS;
  const result = await sql<Job>`
    UPDATE jobs SET lease_owner = ${ctx.owner}, lease_until = now() + ${leaseMs} * interval '1 millisecond'
    WHERE id IN (
      SELECT j.id FROM jobs j
      WHERE j.ingest_due_at <= now() AND j.cancel_requested_at IS NULL
        AND (j.status = 'ingesting' OR (j.status = 'running' AND j.source_open))
        AND (j.lease_until IS NULL OR j.lease_until < now())
        AND NOT EXISTS (SELECT 1 FROM jobs o WHERE o.status = 'ingesting' AND o.id <> j.id
          AND o.source->>'connection' = j.source->>'connection' AND o.created_at < j.created_at)
      ORDER BY j.ingest_due_at LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING *`.execute(ctx.db);
  return result.rows;
}

/** Keeps the lease on a job's source read alive; aborts the read when the lease is lost. */
export async function withJobLease<T>(ctx: EngineContext, jobId: string, controller: AbortController, work: () => Promise<T>): Promise<T> {
  const leaseMs = ctx.config.BATCHLINE_LEASE_MS;
  const timer = setInterval(() => {
    sql`UPDATE jobs SET lease_until = now() + ${leaseMs} * interval '1 millisecond' WHERE id = ${jobId} AND lease_owner = ${ctx.owner}`.execute(ctx.db).then(
      (renewed) => {
        if (Number(renewed.numAffectedRows ?? 0) === 0) controller.abort(new Error(`lease on job ${jobId} lost`));
      },
      (error: unknown) => ctx.log.warn({ job_id: jobId, err: error }, 'job lease renewal failed'),
    );
  }, Math.max(250, Math.floor(leaseMs / 3)));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
