// Cancels a job: queued items end at once; open provider batches get a cancel, and their items end
// when the batch does (finished ones are kept and delivered, the rest become `canceled`).
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import type { EngineContext } from '../context.ts';
import { pokeJob } from '../transitions.ts';

// A job being deleted has had its cancel already.
const FINAL = new Set(['completed', 'completed_with_errors', 'canceled', 'failed', 'deleting']);

/** Ends an open source (watched folder, webhook stream): the job finishes once the work it has is done. */
export async function closeJobSource(ctx: Pick<EngineContext, 'db' | 'wake'>, jobId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const job = await trx.selectFrom('jobs').select(['status', 'source_open']).where('id', '=', jobId).forUpdate().executeTakeFirst();
    if (!job) throw new AppError('not_found', `job ${jobId} does not exist`);
    if (job.status === 'ingesting') throw new AppError('conflict', `job ${jobId} is still reading its source; close it once it is running`);
    if (!job.source_open) throw new AppError('conflict', `job ${jobId} has no open source`);
    await trx.updateTable('jobs').set({ source_open: false, ingest_due_at: null, updated_at: new Date() }).where('id', '=', jobId).execute();
    await pokeJob(trx, jobId);
  });
  ctx.wake();
}

export async function cancelJob(ctx: Pick<EngineContext, 'db' | 'wake'>, jobId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const job = await trx.selectFrom('jobs').select(['status']).where('id', '=', jobId).forUpdate().executeTakeFirst();
    if (!job) throw new AppError('not_found', `job ${jobId} does not exist`);
    if (FINAL.has(job.status)) throw new AppError('conflict', `job ${jobId} is already ${job.status}`);
    // A job still reading its source stops reading (the read sees the cancel at its next chunk) and
    // runs, so that finalize can close it; an open source takes nothing more.
    await trx
      .updateTable('jobs')
      .set({
        cancel_requested_at: sql<Date>`coalesce(cancel_requested_at, now())` as unknown as Date,
        status: 'running',
        source_open: false,
        ingest_due_at: null,
        updated_at: new Date(),
      })
      .where('id', '=', jobId)
      .execute();
    await cancelOpenWork(trx, jobId);
    await pokeJob(trx, jobId);
  });
  ctx.wake();
}

/** Ends a job's waiting items and asks for a cancel of its open batches (a cancel, and a delete, do this). */
export async function cancelOpenWork(trx: Transaction<DB>, jobId: string): Promise<void> {
  await trx
    .updateTable('items')
    .set({ status: 'canceled', next_run_at: null, updated_at: new Date() })
    .where('job_id', '=', jobId)
    .where('status', 'in', ['queued', 'retry_wait'])
    .execute();
  await trx
    .updateTable('batches')
    .set({ cancel_requested: true, next_run_at: sql<Date>`now()` as unknown as Date, updated_at: new Date() })
    .where('job_id', '=', jobId)
    .where('status', 'in', ['submitting', 'in_progress', 'canceling'])
    .execute();
}
