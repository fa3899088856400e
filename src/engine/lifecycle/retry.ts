// Re-queues a job's failed items on request (POST /v1/jobs/{id}/retry): each gets MAX_ATTEMPTS more tries.
// Items refused at ingest stay failed: nothing about them changes by asking again.
import { sql } from 'kysely';
import { AppError } from '../../errors.ts';
import type { EngineContext } from '../context.ts';

export async function retryFailedItems(ctx: Pick<EngineContext, 'db' | 'wake' | 'config'>, jobId: string): Promise<number> {
  const requeued = await ctx.db.transaction().execute(async (trx) => {
    const job = await trx
      .selectFrom('jobs')
      .select(['status', 'cancel_requested_at', 'purged_at'])
      // Due for retention: a purge may be removing its text right now (retention.ts), so nothing is sent again.
      .select(sql<boolean>`coalesce(finished_at <= now() - coalesce(retention_days, ${ctx.config.BATCHLINE_RETENTION_DAYS ?? null}::float8) * interval '1 day', false)`.as('purge_due'))
      .where('id', '=', jobId)
      .forUpdate()
      .executeTakeFirst();
    if (!job) throw new AppError('not_found', `job ${jobId} does not exist`);
    if (job.status === 'deleting') throw new AppError('conflict', `job ${jobId} is being deleted`);
    if (job.cancel_requested_at !== null) throw new AppError('conflict', `job ${jobId} was canceled`);
    // The prompts are gone: a retry would send documents without their text.
    if (job.purged_at !== null || job.purge_due) throw new AppError('conflict', `job ${jobId}: its text was purged by retention (or is being purged), so its items cannot be sent again`);
    // Attempts keep counting (custom_ids and stored results stay unique per attempt); attempt_base
    // makes MAX_ATTEMPTS apply afresh. The new final result gets deliveries (and keys) of its own.
    const moved = await sql<{ id: number }>`
      UPDATE items SET status = 'queued', attempt_base = attempts, next_run_at = NULL, last_error = NULL, updated_at = now()
      -- Only items that were sent: one refused at ingest (too large, empty, a PDF under redact) never
      -- had a request that could go, and a retry would send a broken one.
      WHERE job_id = ${jobId} AND status = 'failed' AND attempts > 0 RETURNING id`.execute(trx);
    if (moved.rows.length > 0) {
      await trx.updateTable('jobs').set({ status: 'running', finished_at: null, updated_at: new Date() }).where('id', '=', jobId).execute();
    }
    return moved.rows.length;
  });
  ctx.wake();
  return requeued;
}
