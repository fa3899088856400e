// Decides when a job is over: no item left to process, no delivery left to make.
import { sql, type Transaction } from 'kysely';
import type { DB, JobStatus } from '../../db/types.ts';
import type { EngineContext } from '../context.ts';

/**
 * Looks at jobs that were poked (next_run_at due) and closes those with nothing left to do.
 * The claim pushes next_run_at one lease ahead instead of clearing it, so a crash here leaves the job
 * due again later rather than forgotten.
 */
export async function finalizeJobs(ctx: EngineContext): Promise<number> {
  const leaseMs = ctx.config.BATCHLINE_LEASE_MS;
  const claimed = await sql<{ id: string; claimed: string }>`
    UPDATE jobs SET next_run_at = now() + ${leaseMs} * interval '1 millisecond'
    WHERE id IN (
      SELECT id FROM jobs WHERE status = 'running' AND next_run_at <= now()
      ORDER BY next_run_at LIMIT 20 FOR UPDATE SKIP LOCKED)
    RETURNING id, next_run_at::text AS claimed`.execute(ctx.db);
  let finished = 0;
  for (const job of claimed.rows) {
    try {
      const status = await ctx.db.transaction().execute((trx) => finalizeOne(trx, job.id, job.claimed));
      if (status) {
        ctx.log.info({ job_id: job.id, status }, 'job finished');
        finished += 1;
      }
    } catch (error) {
      ctx.log.error({ job_id: job.id, err: error }, 'finalize failed; will look again');
    }
  }
  return finished;
}

/** Under the job row's lock (retry and cancel take it too), so no state change slips between count and close. */
async function finalizeOne(trx: Transaction<DB>, jobId: string, claimedNextRun: string): Promise<JobStatus | undefined> {
  const job = await trx.selectFrom('jobs').select(['status', 'cancel_requested_at', 'source_open', 'error']).where('id', '=', jobId).forUpdate().executeTakeFirst();
  if (!job || job.status !== 'running') return undefined;
  if (job.cancel_requested_at !== null) {
    // Items that came back for a retry after the cancel will not be sent again.
    await trx.updateTable('items').set({ status: 'canceled', next_run_at: null, updated_at: new Date() }).where('job_id', '=', jobId).where('status', 'in', ['queued', 'retry_wait']).execute();
  }
  const open = await sql<{ open: boolean }>`
    SELECT EXISTS (SELECT 1 FROM items WHERE job_id = ${jobId} AND status IN ('queued','submitted','retry_wait'))
        OR EXISTS (SELECT 1 FROM deliveries WHERE job_id = ${jobId} AND status IN ('pending','retry_wait'))
        OR EXISTS (SELECT 1 FROM batches WHERE job_id = ${jobId} AND status NOT IN ('collected','failed')) AS open`.execute(trx);
  // A job whose source is open (watched folder, webhook stream) may get more documents: not over yet.
  if (open.rows[0]?.open || job.source_open) {
    // Not done: wait for the next poke, unless one arrived while we looked (then next_run_at moved).
    // Compared as text: a JS Date would drop the microseconds and never match.
    await sql`UPDATE jobs SET next_run_at = NULL WHERE id = ${jobId} AND next_run_at = ${claimedNextRun}::timestamptz`.execute(trx);
    return undefined;
  }
  const errors = await sql<{ errors: boolean }>`
    SELECT EXISTS (SELECT 1 FROM items WHERE job_id = ${jobId} AND status = 'failed')
        OR EXISTS (SELECT 1 FROM deliveries WHERE job_id = ${jobId} AND status = 'dead') AS errors`.execute(trx);
  // A job with an error of its own (its source failed part way) did not process everything it should have.
  const status: JobStatus = job.cancel_requested_at !== null ? 'canceled' : errors.rows[0]?.errors || job.error !== null ? 'completed_with_errors' : 'completed';
  await trx.updateTable('jobs').set({ status, next_run_at: null, finished_at: new Date(), updated_at: new Date() }).where('id', '=', jobId).execute();
  return status;
}
