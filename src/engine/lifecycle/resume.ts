// POST /v1/jobs/{id}/resume: continues a job paused for its budget (optionally with a new max_usd) or
// after a failed pilot (only when told to send the rest anyway). A running job may have its budget changed.
import { AppError, invalidField } from '../../errors.ts';
import type { EngineContext } from '../context.ts';
import { pokeJob } from '../transitions.ts';

export interface ResumeInput {
  max_usd?: number | null | undefined;
  accept_pilot?: boolean | undefined;
}

export async function resumeJob(ctx: Pick<EngineContext, 'db' | 'wake'>, jobId: string, input: ResumeInput): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const job = await trx.selectFrom('jobs').select(['status', 'pilot_state', 'max_usd']).where('id', '=', jobId).forUpdate().executeTakeFirst();
    if (!job) throw new AppError('not_found', `job ${jobId} does not exist`);
    if (job.status === 'pilot_failed' && input.accept_pilot !== true) {
      throw new AppError('conflict', `job ${jobId} failed its pilot; resume with "accept_pilot": true to send the rest anyway, or cancel it and start a new job with a fixed task`);
    }
    if (job.status !== 'awaiting_budget' && job.status !== 'pilot_failed' && job.status !== 'running' && job.status !== 'ingesting') {
      throw new AppError('conflict', `job ${jobId} is ${job.status}; only a paused or running job can be resumed`);
    }
    if (input.accept_pilot === true && job.status !== 'pilot_failed') throw invalidField('accept_pilot', `job ${jobId} has no failed pilot to accept`);
    await trx
      .updateTable('jobs')
      .set({
        status: job.status === 'ingesting' ? 'ingesting' : 'running',
        pause_reason: null,
        ...(input.max_usd !== undefined ? { max_usd: input.max_usd } : {}),
        ...(job.status === 'pilot_failed' ? { pilot_state: 'accepted' as const } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', jobId)
      .execute();
    await pokeJob(trx, jobId);
  });
  ctx.wake();
}
