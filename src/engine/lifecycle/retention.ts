// Retention (BATCHLINE_RETENTION_DAYS, or a job's retention_days): that long after a job finished, its
// document text, answers and delivery payloads are purged; its summary stays (items and their states, token
// usage, cost, delivery states). A job that has not finished is never purged. Chunked, idempotent: each
// statement only touches rows not purged yet, so a crash resumes where it stopped.
import { sql } from 'kysely';
import type { EngineContext } from '../context.ts';
import { deleteAtProvider } from './provider-delete.ts';
import { countAdd } from '../../telemetry/metrics.ts';
import { inSpan } from '../../telemetry/trace.ts';

const FINAL = ['completed', 'completed_with_errors', 'canceled', 'failed'];

/** Finished jobs whose retention has run out and whose text is still there, oldest first. */
export async function jobsDueForPurge(ctx: EngineContext, limit: number): Promise<Array<{ id: string; trace_context: string | null }>> {
  const days = ctx.config.BATCHLINE_RETENTION_DAYS ?? null;
  const due = await sql<{ id: string; trace_context: string | null }>`
    SELECT id, trace_context FROM jobs
    WHERE purged_at IS NULL AND finished_at IS NOT NULL AND status = ANY(${FINAL}::text[])
      AND finished_at <= now() - coalesce(retention_days, ${days}::float8) * interval '1 day'
    ORDER BY finished_at LIMIT ${limit}`.execute(ctx.db);
  return due.rows;
}

/**
 * Purges one job; returns false when the sweep lost its lease or a provider batch could not be deleted yet
 * (the job stays due and is taken up again at the next sweep).
 */
export async function purgeJob(ctx: EngineContext, job: { id: string; trace_context: string | null }, renew: () => Promise<boolean>): Promise<boolean> {
  return inSpan('job.purge', { parent: job.trace_context, attributes: { 'batchline.job.id': job.id } }, async (span) => {
    const chunk = ctx.config.BATCHLINE_SWEEP_CHUNK;
    // The provider keeps a batch's inputs and results for 29 days unless it is deleted there.
    const held = await ctx.db
      .selectFrom('batches')
      .select(['id', 'provider_id', 'provider_delete_attempts', 'provider_delete_not_found'])
      .where('job_id', '=', job.id)
      .where('provider_id', 'is not', null)
      .where('provider_deleted_at', 'is', null)
      .where('status', 'in', ['collected', 'failed'])
      .execute();
    for (const b of held) if (b.provider_id) await deleteAtProvider(ctx, { id: b.id, provider_id: b.provider_id, provider_delete_attempts: b.provider_delete_attempts, provider_delete_not_found: b.provider_delete_not_found }, 'retention');

    let total = 0;
    const steps: Array<{ table: string; statement: () => Promise<number> }> = [
      {
        // Answers stored in the result cache from this job's requests.
        table: 'result_cache',
        statement: async () =>
          affected(await sql`DELETE FROM result_cache WHERE request_hash IN (
            SELECT c.request_hash FROM result_cache c JOIN items i ON i.request_hash = c.request_hash AND i.job_id = ${job.id} LIMIT ${chunk})`.execute(ctx.db)),
      },
      {
        // The document: only its id stays (and the mark that it was purged).
        table: 'items',
        statement: async () =>
          affected(await sql`UPDATE items SET document = jsonb_build_object('id', document->'id', 'purged', true), newer_version = NULL,
              last_error = CASE WHEN last_error IS NULL THEN NULL ELSE jsonb_build_object('type', last_error->'type', 'message', 'purged by retention') END
            WHERE id IN (SELECT id FROM items WHERE job_id = ${job.id} AND (NOT (document ? 'purged') OR newer_version IS NOT NULL) LIMIT ${chunk})`.execute(ctx.db)),
      },
      {
        // The answers; usage and outcome stay (the cost is computed from them).
        table: 'results',
        statement: async () =>
          affected(await sql`UPDATE results SET output = NULL,
              error = CASE WHEN error IS NULL THEN NULL ELSE jsonb_build_object('type', error->'type', 'message', 'purged by retention') END
            WHERE (item_id, attempt) IN (SELECT item_id, attempt FROM results WHERE job_id = ${job.id}
              AND (output IS NOT NULL OR (error IS NOT NULL AND error->>'message' <> 'purged by retention')) LIMIT ${chunk})`.execute(ctx.db)),
      },
      {
        // A person's corrections hold answer values, and the insights computed from the answers summarise them.
        table: 'corrections',
        statement: async () =>
          affected(await sql`DELETE FROM corrections WHERE (item_id, field) IN (SELECT item_id, field FROM corrections WHERE job_id = ${job.id} LIMIT ${chunk})`.execute(ctx.db)),
      },
      {
        table: 'insight_cache',
        statement: async () => affected(await sql`DELETE FROM insight_cache WHERE job_id = ${job.id}`.execute(ctx.db)),
      },
      {
        // What a receiver answered may quote the payload it was sent.
        table: 'deliveries',
        statement: async () =>
          affected(await sql`UPDATE deliveries SET last_error = jsonb_build_object('type', last_error->'type', 'message', 'purged by retention')
            WHERE id IN (SELECT id FROM deliveries WHERE job_id = ${job.id} AND last_error IS NOT NULL AND last_error->>'message' <> 'purged by retention' LIMIT ${chunk})`.execute(ctx.db)),
      },
    ];
    for (const step of steps) {
      for (;;) {
        const n = await step.statement();
        total += n;
        countAdd('purgedRows', n, { table: step.table, reason: 'retention' });
        if (!(await renew())) return false;
        if (n < chunk) break;
      }
    }
    span.setAttribute('batchline.purge.rows', total);
    // Still-held provider batches keep the job due: purged_at is set only once everything is gone.
    const left = await ctx.db.selectFrom('batches').select('id').where('job_id', '=', job.id).where('provider_id', 'is not', null).where('provider_deleted_at', 'is', null).executeTakeFirst();
    if (left) return false;
    await ctx.db.updateTable('jobs').set({ purged_at: new Date(), updated_at: new Date() }).where('id', '=', job.id).execute();
    ctx.log.info({ job_id: job.id, rows: total }, 'job text purged by retention');
    return true;
  });
}

function affected(result: { numAffectedRows?: bigint }): number {
  return Number(result.numAffectedRows ?? 0);
}
