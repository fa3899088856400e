// Decides when a job is over: no item left to process, no delivery left to make.
import { sql } from 'kysely';
import type { JobStatus } from '../db/types.ts';
import type { EngineContext } from './context.ts';

/** Looks at jobs that were poked (next_run_at due) and closes those with nothing left to do. */
export async function finalizeJobs(ctx: EngineContext): Promise<number> {
  const leaseMs = ctx.config.BATCHLINE_LEASE_MS;
  const claimed = await sql<{ id: string; cancel_requested_at: Date | null }>`
    UPDATE jobs SET lease_owner = ${ctx.owner}, lease_until = now() + ${leaseMs} * interval '1 millisecond', next_run_at = NULL
    WHERE id IN (
      SELECT id FROM jobs WHERE status = 'running' AND next_run_at <= now()
        AND (lease_until IS NULL OR lease_until < now())
      ORDER BY next_run_at LIMIT 20 FOR UPDATE SKIP LOCKED)
    RETURNING id, cancel_requested_at`.execute(ctx.db);
  let finished = 0;
  for (const job of claimed.rows) {
    const status = await finalStatus(ctx, job.id, job.cancel_requested_at !== null);
    if (status) {
      await ctx.db
        .updateTable('jobs')
        .set({ status, finished_at: new Date(), updated_at: new Date(), lease_owner: null, lease_until: null })
        .where('id', '=', job.id)
        .where('status', '=', 'running')
        .execute();
      ctx.log.info({ job_id: job.id, status }, 'job finished');
      finished += 1;
    } else {
      await ctx.db.updateTable('jobs').set({ lease_owner: null, lease_until: null }).where('id', '=', job.id).execute();
    }
  }
  return finished;
}

async function finalStatus(ctx: EngineContext, jobId: string, canceled: boolean): Promise<JobStatus | undefined> {
  const row = await sql<{ open_items: number; failed_items: number; open_deliveries: number; dead_deliveries: number; open_batches: number }>`
    SELECT
      (SELECT count(*) FROM items WHERE job_id = ${jobId} AND status IN ('queued','submitted','retry_wait'))::int AS open_items,
      (SELECT count(*) FROM items WHERE job_id = ${jobId} AND status = 'failed')::int AS failed_items,
      (SELECT count(*) FROM deliveries WHERE job_id = ${jobId} AND status IN ('pending','retry_wait'))::int AS open_deliveries,
      (SELECT count(*) FROM deliveries WHERE job_id = ${jobId} AND status = 'dead')::int AS dead_deliveries,
      (SELECT count(*) FROM batches WHERE job_id = ${jobId} AND status NOT IN ('collected','failed'))::int AS open_batches`.execute(ctx.db);
  const c = row.rows[0];
  if (!c || c.open_items > 0 || c.open_deliveries > 0 || c.open_batches > 0) return undefined;
  if (canceled) return 'canceled';
  return c.failed_items > 0 || c.dead_deliveries > 0 ? 'completed_with_errors' : 'completed';
}
