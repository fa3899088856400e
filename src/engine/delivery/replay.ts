// Re-drives a job's deliveries (POST /v1/jobs/{id}/deliveries/replay): dead ones, or all of them.
// Keys stay the same, so a receiver that already has a result recognizes it.
import { sql } from 'kysely';
import { AppError } from '../../errors.ts';
import type { EngineContext } from '../context.ts';

export type ReplayScope = 'dead' | 'all';

export async function replayDeliveries(ctx: Pick<EngineContext, 'db' | 'wake'>, jobId: string, scope: ReplayScope): Promise<number> {
  const replayed = await ctx.db.transaction().execute(async (trx) => {
    const job = await trx.selectFrom('jobs').select(['status']).where('id', '=', jobId).forUpdate().executeTakeFirst();
    if (!job) throw new AppError('not_found', `job ${jobId} does not exist`);
    const moved = await sql<{ id: number }>`
      UPDATE deliveries SET status = 'pending', attempts = 0, next_run_at = now(), lease_owner = NULL, lease_until = NULL, updated_at = now()
      WHERE job_id = ${jobId} AND ${scope === 'all' ? sql`status IN ('dead','delivered')` : sql`status = 'dead'`}
      RETURNING id`.execute(trx);
    if (moved.rows.length > 0) {
      // A finished job reopens until the replayed deliveries are made.
      await trx.updateTable('jobs').set({ status: 'running', finished_at: null, next_run_at: new Date(), updated_at: new Date() }).where('id', '=', jobId).where('status', 'in', ['completed', 'completed_with_errors']).execute();
    }
    return moved.rows.length;
  });
  ctx.wake();
  return replayed;
}
