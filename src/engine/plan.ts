// Packs due items of running jobs into batches under BATCH_MAX_REQUESTS and BATCH_MAX_BYTES.
// A batch row is written as `submitting` with its exact item set before anything is sent (no double billing).
import { sql, type Transaction } from 'kysely';
import type { Batch, DB } from '../db/types.ts';
import type { ResolvedTask } from '../tasks/types.ts';
import type { EngineContext } from './context.ts';
import { BATCH_ENVELOPE_BYTES } from './request.ts';
import { contextFrom, genAiAttributes, recordError, traceparentOf, tracer, type Span } from '../telemetry/trace.ts';

interface PlannableJob {
  id: string;
  task: ResolvedTask;
  trace_context: string | null;
}

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
  const jobs = await sql<PlannableJob>`
    SELECT j.id, j.task, j.trace_context FROM jobs j
    WHERE j.status = 'running' AND j.cancel_requested_at IS NULL
      AND EXISTS (SELECT 1 FROM items i WHERE i.job_id = j.id
        AND (i.status = 'queued' OR (i.status = 'retry_wait' AND i.next_run_at <= now())))
    ORDER BY j.created_at LIMIT ${limit}`.execute(ctx.db);
  const planned: Batch[] = [];
  for (const job of jobs.rows) {
    for (const retry of [true, false]) {
      if (planned.length >= limit) return planned;
      const batch = await planOne(ctx, job, retry);
      if (batch) planned.push(batch);
    }
  }
  return planned;
}

/**
 * Retried items go into batches of their own ("a new batch holding only them"), so a retry never
 * waits behind, nor is mixed into, the job's first submission.
 */
async function planOne(ctx: EngineContext, job: PlannableJob, retry: boolean): Promise<Batch | undefined> {
  const startTime = new Date();
  // The span starts only once there is something to plan (most calls find nothing), back-dated to the
  // call: a span per empty look would bury the batches in noise.
  let span: Span | undefined;
  const startSpan = () => {
    span = tracer().startSpan('batch.plan', { startTime, attributes: { 'batchline.job.id': job.id, 'batchline.batch.retry': retry, ...genAiAttributes(job.task.model) } }, contextFrom(job.trace_context));
    return span;
  };
  try {
    return await ctx.db.transaction().execute((trx) => packBatch(ctx, trx, job, retry, startSpan));
  } catch (error) {
    if (span) recordError(span, error);
    throw error;
  } finally {
    span?.end();
  }
}

async function packBatch(ctx: EngineContext, trx: Transaction<DB>, job: PlannableJob, retry: boolean, startSpan: () => Span): Promise<Batch | undefined> {
  const { BATCH_MAX_REQUESTS: maxRequests, BATCH_MAX_BYTES: maxBytes, BATCHLINE_LEASE_MS: leaseMs } = ctx.config;
  const jobId = job.id;
  const due = retry
    ? sql<DueItem>`SELECT id, request_bytes FROM items
        WHERE job_id = ${jobId} AND status = 'retry_wait' AND next_run_at <= now()
        ORDER BY id LIMIT ${maxRequests} FOR UPDATE SKIP LOCKED`
    : sql<DueItem>`SELECT id, request_bytes FROM items
        WHERE job_id = ${jobId} AND status = 'queued'
        ORDER BY id LIMIT ${maxRequests} FOR UPDATE SKIP LOCKED`;
  const rows = (await due.execute(trx)).rows;
  if (rows.length === 0) return undefined;
  const span = startSpan();

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
      model: job.task.model,
      request_count: ids.length,
      request_bytes: bytes,
      is_retry: retry,
      // Where the batch's own spans (submit, poll, collect) hang, in whichever process runs them.
      trace_context: traceparentOf(span),
      next_run_at: new Date(),
      lease_owner: ctx.owner,
      lease_until: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` as unknown as Date,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await sql`UPDATE items SET status = 'submitted', batch_id = ${batch.id}, attempts = attempts + 1,
      next_run_at = NULL, updated_at = now()
    WHERE id = ANY(${ids}::bigint[])`.execute(trx);
  span.setAttributes({ 'batchline.batch.id': batch.id, 'batchline.batch.request_count': ids.length, 'batchline.batch.bytes': bytes });
  return batch;
}
