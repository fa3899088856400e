// Packs due items of running jobs into batches under BATCH_MAX_REQUESTS and BATCH_MAX_BYTES.
// A batch row is written as `submitting` with its exact item set before anything is sent (no double billing).
import { sql } from 'kysely';
import type { Batch } from '../db/types.ts';
import type { ResolvedTask } from '../tasks/types.ts';
import type { EngineContext } from './context.ts';
import { BATCH_ENVELOPE_BYTES } from './request.ts';

interface DueItem {
  id: number;
  request_bytes: number;
}

/**
 * Plans at most one batch per job and kind (fresh / retry), for jobs that have due items, and at most
 * BATCHLINE_WORKER_CONCURRENCY batches a tick: each is materialized in memory when it is sent.
 * Returns the batches, leased to this worker.
 */
export async function planBatches(ctx: EngineContext): Promise<Batch[]> {
  const limit = ctx.config.BATCHLINE_WORKER_CONCURRENCY;
  const jobs = await sql<{ id: string; task: ResolvedTask }>`
    SELECT j.id, j.task FROM jobs j
    WHERE j.status = 'running' AND j.cancel_requested_at IS NULL
      AND EXISTS (SELECT 1 FROM items i WHERE i.job_id = j.id
        AND (i.status = 'queued' OR (i.status = 'retry_wait' AND i.next_run_at <= now())))
    ORDER BY j.created_at LIMIT ${limit}`.execute(ctx.db);
  const planned: Batch[] = [];
  for (const job of jobs.rows) {
    for (const retry of [true, false]) {
      if (planned.length >= limit) return planned;
      const batch = await planOne(ctx, job.id, job.task.model, retry);
      if (batch) planned.push(batch);
    }
  }
  return planned;
}

/**
 * Retried items go into batches of their own ("a new batch holding only them"), so a retry never
 * waits behind, nor is mixed into, the job's first submission.
 */
async function planOne(ctx: EngineContext, jobId: string, model: string, retry: boolean): Promise<Batch | undefined> {
  const { BATCH_MAX_REQUESTS: maxRequests, BATCH_MAX_BYTES: maxBytes, BATCHLINE_LEASE_MS: leaseMs } = ctx.config;
  return ctx.db.transaction().execute(async (trx) => {
    const due = retry
      ? sql<DueItem>`SELECT id, request_bytes FROM items
          WHERE job_id = ${jobId} AND status = 'retry_wait' AND next_run_at <= now()
          ORDER BY id LIMIT ${maxRequests} FOR UPDATE SKIP LOCKED`
      : sql<DueItem>`SELECT id, request_bytes FROM items
          WHERE job_id = ${jobId} AND status = 'queued'
          ORDER BY id LIMIT ${maxRequests} FOR UPDATE SKIP LOCKED`;
    const rows = (await due.execute(trx)).rows;
    if (rows.length === 0) return undefined;

    const ids: number[] = [];
    let bytes = BATCH_ENVELOPE_BYTES;
    for (const row of rows) {
      if (ids.length > 0 && bytes + row.request_bytes > maxBytes) break;
      ids.push(row.id);
      bytes += row.request_bytes;
    }
    const batch = await trx
      .insertInto('batches')
      .values({
        job_id: jobId,
        status: 'submitting',
        model,
        request_count: ids.length,
        request_bytes: bytes,
        is_retry: retry,
        next_run_at: new Date(),
        lease_owner: ctx.owner,
        lease_until: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` as unknown as Date,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await sql`UPDATE items SET status = 'submitted', batch_id = ${batch.id}, attempts = attempts + 1,
        next_run_at = NULL, updated_at = now()
      WHERE id = ANY(${ids}::bigint[])`.execute(trx);
    return batch;
  });
}
