// Packs due items of running jobs into batches under BATCH_MAX_REQUESTS and BATCH_MAX_BYTES.
// A batch row is written as `submitting` with its exact item set before anything is sent (no double billing).
import { sql, type Transaction } from 'kysely';
import type { Batch, DB, ErrorInfo, JobStatus, PilotConfig, PilotState, PromptCacheDecision } from '../../db/types.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import type { EngineContext } from '../context.ts';
import { BATCH_ENVELOPE_BYTES } from '../documents/request.ts';
import { fitBudget, spendOf, worstCaseUsd } from '../money/budget.ts';
import { budgetTokensPerByte } from '../money/estimate.ts';
import { estimateStoredJob, type StoredEstimate } from '../money/job-estimate.ts';
import { judgePilot } from '../money/pilot.ts';
import { ensurePromptCache } from '../money/prompt-cache.ts';
import { contextFrom, genAiAttributes, inSpan, recordError, traceparentOf, tracer, type Span } from '../../telemetry/trace.ts';

interface PlannableJob {
  id: string;
  /** ingesting: its source is still being read (batches are cut as items arrive). */
  status: JobStatus;
  task: ResolvedTask;
  trace_context: string | null;
  estimate: StoredEstimate | null;
  prompt_cache: PromptCacheDecision | null;
  result_cache: boolean;
  /** Set when the job has a budget or a pilot not yet passed: planning then takes the job's row lock. */
  gated: boolean;
}

interface DueItem {
  id: number;
  request_bytes: number;
}

/**
 * Plans at most one batch per job and kind (fresh / retry), for jobs that have due items, and at most
 * `limit` batches a call (the free send slots). Returns the batches, leased to this worker.
 *
 * A job whose source is still being read is planned too, so its batches go out while the read goes on:
 * a batch is cut once BATCHLINE_BATCH_CUT_REQUESTS items wait, or once the oldest has waited
 * BATCHLINE_BATCH_CUT_MS (a slow source still starts work). After the read, the rest is packed up to the
 * provider's limits at once. Jobs with the fewest batches in flight come first, so a small job is never
 * stuck behind a large one.
 */
export async function planBatches(ctx: EngineContext, limit = ctx.config.BATCHLINE_WORKER_CONCURRENCY): Promise<Batch[]> {
  const { BATCHLINE_BATCH_CUT_REQUESTS: cutRequests, BATCHLINE_BATCH_CUT_MS: cutMs } = ctx.config;
  // Jobs waiting for their pilot's verdict are left out; jobs waiting for a batch out to free budget
  // are not (that needs the sums), so more candidates than slots are read: waiting ones cannot starve the rest.
  const jobs = await sql<PlannableJob>`
    SELECT j.id, j.status, j.task, j.trace_context, j.estimate, j.prompt_cache, j.result_cache,
      (j.max_usd IS NOT NULL OR j.pilot_state IN ('pending','running')) AS gated
    FROM jobs j
    WHERE j.status IN ('running','ingesting') AND j.cancel_requested_at IS NULL
      AND NOT (j.pilot_state = 'running' AND EXISTS (SELECT 1 FROM batches b WHERE b.id = j.pilot_batch_id AND b.status NOT IN ('collected','failed')))
      AND ((j.status = 'running' AND (j.estimate->>'while_reading')::boolean)
        OR EXISTS (SELECT 1 FROM items i WHERE i.job_id = j.id AND i.status = 'retry_wait' AND i.next_run_at <= now())
        OR (j.status = 'running' AND EXISTS (SELECT 1 FROM items i WHERE i.job_id = j.id AND i.status = 'queued'))
        OR (j.status = 'ingesting' AND (
          (SELECT count(*) FROM (SELECT 1 FROM items i WHERE i.job_id = j.id AND i.status = 'queued' LIMIT ${cutRequests}) waiting) >= ${cutRequests}
          OR (SELECT i.created_at FROM items i WHERE i.job_id = j.id AND i.status = 'queued' ORDER BY i.id LIMIT 1) <= now() - ${cutMs} * interval '1 millisecond')))
    ORDER BY (SELECT count(*) FROM batches b WHERE b.job_id = j.id AND b.status IN ('submitting','in_progress','canceling','ended')), j.created_at
    LIMIT ${limit * 4}`.execute(ctx.db);
  const planned: Batch[] = [];
  for (const job of jobs.rows) {
    if (job.prompt_cache === null || job.estimate === null || (job.estimate.while_reading === true && job.status === 'running')) await ensureCostPlan(ctx, job);
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
  const gate = job.gated ? await gateOf(ctx, trx, job, retry) : { open: true as const, cap: maxRequests, pilot: false, maxUsd: null };
  if (!gate.open) return undefined;
  // While the source is read, a batch is the cut size, not whatever waits by the time a send slot frees:
  // the first batch goes out as soon as its items are in. After the read, the rest is packed at once.
  const cap = Math.min(gate.cap, maxRequests, job.status === 'ingesting' && !retry ? ctx.config.BATCHLINE_BATCH_CUT_REQUESTS : maxRequests);
  const due = retry
    ? sql<DueItem>`SELECT id, request_bytes FROM items
        WHERE job_id = ${jobId} AND status = 'retry_wait' AND next_run_at <= now()
        ORDER BY id LIMIT ${cap} FOR UPDATE SKIP LOCKED`
    : sql<DueItem>`SELECT id, request_bytes FROM items
        WHERE job_id = ${jobId} AND status = 'queued'
        ORDER BY id LIMIT ${cap} FOR UPDATE SKIP LOCKED`;
  let rows = (await due.execute(trx)).rows;
  if (rows.length === 0) return undefined;
  const tokensPerByte = budgetTokensPerByte(job.estimate);
  if (gate.maxUsd !== null) {
    const fitted = await fitUnderBudget(ctx, trx, job, rows, gate.maxUsd, tokensPerByte);
    if (fitted === undefined) return undefined;
    rows = fitted;
  }
  const span = startSpan();

  const ids: number[] = [];
  let bytes = BATCH_ENVELOPE_BYTES;
  let worstCase = 0;
  for (const row of rows) {
    if (ids.length > 0 && bytes + row.request_bytes > maxBytes) break;
    ids.push(row.id);
    bytes += row.request_bytes;
    worstCase += worstCaseUsd(job.task, row.request_bytes, tokensPerByte);
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
      is_pilot: gate.pilot,
      worst_case_usd: worstCase.toFixed(6),
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
  if (gate.pilot) {
    await trx.updateTable('jobs').set({ pilot_state: 'running', pilot_batch_id: batch.id, updated_at: new Date() }).where('id', '=', jobId).execute();
    ctx.log.info({ job_id: jobId, batch_id: batch.id, items: ids.length }, 'pilot sample planned; the rest waits for its verdict');
  }
  span.setAttributes({ 'batchline.batch.id': batch.id, 'batchline.batch.request_count': ids.length, 'batchline.batch.bytes': bytes, 'batchline.batch.worst_case_usd': worstCase, 'batchline.batch.pilot': gate.pilot });
  return batch;
}

type Gate = { open: false } | { open: true; cap: number; pilot: boolean; maxUsd: number | null };

/**
 * For a job with a budget or a pilot: under its row lock (so replicas planning at once see each other's
 * batches), judges a pilot that is over and says how many items may go, and whether as the pilot.
 */
async function gateOf(ctx: EngineContext, trx: Transaction<DB>, job: PlannableJob, retry: boolean): Promise<Gate> {
  const row = await trx
    .selectFrom('jobs')
    .select(['status', 'cancel_requested_at', 'max_usd', 'pilot', 'pilot_state', 'pilot_batch_id'])
    .where('id', '=', job.id)
    .forUpdate()
    .executeTakeFirst();
  if (!row || (row.status !== 'running' && row.status !== 'ingesting') || row.cancel_requested_at !== null) return { open: false };
  const maxUsd = row.max_usd === null ? null : Number(row.max_usd);
  const pilot = row.pilot as PilotConfig | null;
  let state: PilotState | null = row.pilot_state;
  if (pilot && state === 'running' && row.pilot_batch_id !== null) {
    const verdict = await judgePilot(trx, pilot, row.pilot_batch_id);
    if (verdict.kind === 'wait') return { open: false };
    if (verdict.kind === 'failed') {
      await pause(ctx, trx, job.id, 'pilot_failed', verdict.reason, { pilot_state: 'failed' });
      return { open: false };
    }
    state = verdict.kind === 'passed' ? 'passed' : 'pending';
    await trx.updateTable('jobs').set({ pilot_state: state, updated_at: new Date() }).where('id', '=', job.id).execute();
    if (verdict.kind === 'passed') ctx.log.info({ job_id: job.id, valid: verdict.sample.valid, judged: verdict.sample.judged }, 'pilot passed; sending the rest');
  }
  if (pilot && state === 'pending') {
    // Retries wait for the verdict too: nothing but the sample goes out before it.
    if (retry) return { open: false };
    return { open: true, cap: pilot.items, pilot: true, maxUsd };
  }
  return { open: true, cap: Number.MAX_SAFE_INTEGER, pilot: false, maxUsd };
}

/**
 * The due items whose worst case fits what is left of the budget, in order. None fits: with batches
 * still out, wait for their results (they usually cost less than reserved); with none, pause the job.
 */
async function fitUnderBudget(ctx: EngineContext, trx: Transaction<DB>, job: PlannableJob, rows: DueItem[], maxUsd: number, tokensPerByte: number): Promise<DueItem[] | undefined> {
  const spend = await spendOf(trx, job.id, job.task.model);
  const remaining = maxUsd - spend.spent_usd - spend.reserved_usd;
  const fit = fitBudget(job.task, rows.map((r) => r.request_bytes), tokensPerByte, remaining);
  if (fit.count > 0) return rows.slice(0, fit.count);
  if (spend.reserved_usd > 0) return undefined;
  const next = worstCaseUsd(job.task, rows[0]!.request_bytes, tokensPerByte);
  const usd = (x: number) => `$${x.toFixed(x < 1 ? 4 : 2)}`;
  await pause(ctx, trx, job.id, 'awaiting_budget', {
    type: 'budget_exhausted',
    message: `spent ${usd(spend.spent_usd)} of the ${usd(maxUsd)} budget; the next request may cost up to ${usd(next)} (worst case), which would go over it. Raise max_usd with POST /v1/jobs/${job.id}/resume`,
  });
  return undefined;
}

async function pause(ctx: EngineContext, trx: Transaction<DB>, jobId: string, status: JobStatus, reason: ErrorInfo, extra: { pilot_state?: PilotState } = {}): Promise<void> {
  await trx.updateTable('jobs').set({ status, pause_reason: JSON.stringify(reason), next_run_at: null, updated_at: new Date(), ...extra }).where('id', '=', jobId).execute();
  ctx.log.warn({ job_id: jobId, status, reason: reason.message }, 'job paused');
}

/**
 * Before a job's first batch: whether its requests mark the prompt-cache prefix (decided once, always
 * made), then its estimate (made once; a failure never holds the job up). Both in the job's trace, so
 * their count_tokens calls are part of the job's story, not stray traces.
 */
async function ensureCostPlan(ctx: EngineContext, job: PlannableJob): Promise<void> {
  await inSpan('job.estimate', { parent: job.trace_context, attributes: { 'batchline.job.id': job.id, ...genAiAttributes(job.task.model) } }, async (span) => {
    const promptCache = (job.prompt_cache ??= await ensurePromptCache(ctx, job.id, job.task));
    span.setAttributes({ 'batchline.prompt_cache.marked': promptCache.marked, 'batchline.prompt_cache.prefix_tokens': promptCache.prefix_tokens, 'batchline.prompt_cache.min_prefix_tokens': promptCache.min_prefix_tokens });
    // Made from the items there are; a job still reading is estimated again once its read has ended.
    if (job.estimate !== null && !(job.estimate.while_reading === true && job.status === 'running')) return;
    try {
      const made = { ...(await estimateStoredJob(ctx, job.id, job.task, job.result_cache, promptCache)), while_reading: job.status === 'ingesting' };
      span.setAttributes({ 'batchline.estimate.items': made.items, 'batchline.estimate.input_tokens': made.input_tokens.estimate, 'batchline.estimate.usd': made.cost.usd, 'batchline.estimate.sample_size': made.input_tokens.sample_size, 'batchline.estimate.while_reading': made.while_reading });
      await sql`UPDATE jobs SET estimate = ${JSON.stringify(made)}::jsonb
        WHERE id = ${job.id} AND (estimate IS NULL OR (estimate->>'while_reading')::boolean)`.execute(ctx.db);
      job.estimate = made;
    } catch (error) {
      recordError(span, error);
      ctx.log.warn({ job_id: job.id, err: error }, 'could not estimate the job; planning without an estimate');
      // The estimate made while reading stays: asked again on every planning pass, a failing one would
      // cost a count_tokens call each time and keep the job among the candidates.
      if (job.status === 'running' && job.estimate?.while_reading === true) {
        await sql`UPDATE jobs SET estimate = jsonb_set(estimate, '{while_reading}', 'false') WHERE id = ${job.id} AND (estimate->>'while_reading')::boolean`.execute(ctx.db);
        job.estimate = { ...job.estimate, while_reading: false };
      }
    }
  });
}
