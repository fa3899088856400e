// Sends a planned batch with batches.create and records the provider id in the same breath as the answer.
// If a crash or an ambiguous error may have created it already, adopt.ts looks for that orphan first.
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { sql } from 'kysely';
import type { Batch } from '../../db/types.ts';
import { classifyProviderError } from '../../provider/errors.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import { findOrphan } from './adopt.ts';
import { releaseBatch, withBatchLease } from '../claim.ts';
import type { EngineContext } from '../context.ts';
import type { Unsendable } from './materialize.ts';
import { spoolBatchBody } from './batch-body.ts';
import type { BuildOptions } from '../documents/request.ts';
import { firstPollDelayMs, recheckDelayMs } from './poll-schedule.ts';
import { enqueueDeliveries, failBatchItems, pokeJob } from '../transitions.ts';
import { trace } from '@opentelemetry/api';
import { countAdd } from '../../telemetry/metrics.ts';
import { genAiAttributes, inSpan, recordError, SpanKind } from '../../telemetry/trace.ts';

/**
 * How long a create call may take: a minute to answer, plus the upload at no less than 1 MB/s, and at
 * most the SDK's own 10 minutes (a 256 MB body).
 */
export function createTimeoutMs(requestBytes: number): number {
  return Math.min(10 * 60_000, 60_000 + Math.ceil(requestBytes / (1024 * 1024)) * 1000);
}

export async function submitBatch(ctx: EngineContext, batch: Batch): Promise<void> {
  await inSpan(
    'batch.submit',
    { parent: batch.trace_context, kind: SpanKind.CLIENT, attributes: { 'batchline.job.id': batch.job_id, 'batchline.batch.id': batch.id, 'batchline.batch.request_count': batch.request_count, ...genAiAttributes(batch.model) } },
    () => submit(ctx, batch),
  );
}

async function submit(ctx: EngineContext, batch: Batch): Promise<void> {
  const job = await ctx.db.selectFrom('jobs').select(['task', 'cancel_requested_at', 'prompt_cache']).where('id', '=', batch.job_id).executeTakeFirstOrThrow();

  if (batch.submit_started_at !== null) {
    // A previous attempt may have reached the provider: never submit again before ruling that out.
    const orphan = await findOrphan(ctx, batch);
    if (orphan.found) return recordSubmitted(ctx, batch, orphan.found);
    if (orphan.undecided) {
      // A candidate batch is still processing: it is waited for like any batch, on the poll schedule.
      ctx.log.info({ batch_id: batch.id, reason: orphan.undecided }, 'orphan search undecided; waiting');
      return releaseBatch(ctx, batch.id, ctx.config.POLL_MIN_MS);
    }
    const doubtLeftMs = (batch.create_in_doubt_until?.getTime() ?? 0) - Date.now();
    if (doubtLeftMs > 0) {
      // The window's end is known: look again right after it, not a poll interval later (ten minutes when callbacks drive completion).
      ctx.log.info({ batch_id: batch.id, reason: 'an earlier create call may still be landing', wait_ms: doubtLeftMs }, 'orphan search undecided; waiting');
      return releaseBatch(ctx, batch.id, Math.min(doubtLeftMs + recheckDelayMs(ctx.config, 1), ctx.config.BATCHLINE_LEASE_MS + ctx.config.BATCHLINE_CREATE_SETTLE_MS));
    }
  }

  if (job.cancel_requested_at !== null) {
    await failBatchItems(ctx, batch.id, 'canceled', null);
    return;
  }

  const build = { cachePrefix: job.prompt_cache?.marked === true };
  await withBatchLease(ctx, batch.id, (signal) => sendBatch(ctx, batch, job.task as ResolvedTask, build, signal));
}

async function sendBatch(ctx: EngineContext, batch: Batch, task: ResolvedTask, build: BuildOptions, signal: AbortSignal): Promise<void> {
  const body = await spoolBatchBody(ctx, batch, task, build, signal);
  try {
    if (body.unsendable.length > 0) await dropUnsendable(ctx, batch, body.unsendable, body.requests);
    if (body.requests === 0) {
      // Every item left the batch before it was sent (canceled): nothing to submit.
      await ctx.db.updateTable('batches').set({ status: 'collected', collected_at: new Date(), next_run_at: null, lease_owner: null, lease_until: null }).where('id', '=', batch.id).execute();
      return;
    }

    const timeoutMs = createTimeoutMs(body.bytes);
    const stamped = await ctx.db
      .updateTable('batches')
      .set({
        submit_started_at: sql<Date>`now()` as unknown as Date,
        // In doubt while the lease holds (renewals move it on) and BATCHLINE_CREATE_SETTLE_MS after: the call is
        // aborted when the lease cannot be kept, so past that nothing of it can still land.
        create_in_doubt_until: sql<Date>`now() + ${ctx.config.BATCHLINE_LEASE_MS + ctx.config.BATCHLINE_CREATE_SETTLE_MS} * interval '1 millisecond'` as unknown as Date,
        updated_at: new Date(),
      })
      .where('id', '=', batch.id)
      .where('lease_owner', '=', ctx.owner)
      .executeTakeFirst();
    // Stamped only now, with the body in hand: a failure before this point sent nothing, so needs no
    // orphan search. Lost the lease (this worker stalled past it): whoever holds it now decides.
    if (Number(stamped.numUpdatedRows) === 0) return;

    let created: MessageBatch;
    try {
      // batches.create would JSON-encode the whole body in memory; the same call with the spooled file
      // as its body sends it from disk. No SDK retries: a retried create after a lost answer bills twice.
      created = await ctx.provider.post<MessageBatch>('/v1/messages/batches', {
        body: await body.blob(),
        headers: { 'content-type': 'application/json' },
        maxRetries: 0,
        timeout: timeoutMs,
        signal,
      });
    } catch (error) {
      // Awaited here: returned bare, its rejection would go unhandled while the finally below awaits the
      // spool file's removal (seen as an unhandled rejection when a shutdown closed the database meanwhile).
      return await handleCreateFailure(ctx, batch, error);
    }
    ctx.crashPoint('after_batch_create');
    await recordSubmitted(ctx, batch, created);
    ctx.crashPoint('after_batch_recorded');
  } finally {
    await body.remove();
  }
}

async function recordSubmitted(ctx: EngineContext, batch: Batch, created: MessageBatch): Promise<void> {
  await ctx.db
    .updateTable('batches')
    .set({
      provider_id: created.id,
      status: created.processing_status === 'canceling' ? 'canceling' : 'in_progress',
      provider_status: created.processing_status,
      request_counts: JSON.stringify(created.request_counts),
      submitted_at: new Date(),
      // A cancel that arrived while we were submitting must not wait for the first poll.
      next_run_at: sql<Date>`CASE WHEN cancel_requested THEN now() ELSE now() + ${firstPollDelayMs(ctx.config, batch.request_count)} * interval '1 millisecond' END` as unknown as Date,
      create_in_doubt_until: null,
      lease_owner: null,
      lease_until: null,
      last_error: null,
      updated_at: new Date(),
    })
    .where('id', '=', batch.id)
    .execute();
  trace.getActiveSpan()?.setAttributes({ 'batchline.provider_batch.id': created.id, 'batchline.batch.request_count': batch.request_count });
  countAdd('batchesSubmitted', 1, { 'gen_ai.request.model': batch.model });
  ctx.log.info({ batch_id: batch.id, provider_batch_id: created.id, requests: batch.request_count, job_id: batch.job_id }, 'batch submitted');
}

async function handleCreateFailure(ctx: EngineContext, batch: Batch, error: unknown): Promise<void> {
  const failure = classifyProviderError(error);
  if (refusedBeforeCreating(failure.status)) {
    // The API itself refused the call, so it created nothing: no need to wait for anything to land.
    await ctx.db.updateTable('batches').set({ create_in_doubt_until: null }).where('id', '=', batch.id).execute();
  }
  ctx.log.warn({ batch_id: batch.id, kind: failure.kind, status: failure.status, error: failure.error.message }, 'batches.create failed');
  const span = trace.getActiveSpan();
  if (span) {
    recordError(span, failure.error);
    span.setAttributes({ 'error.type': failure.kind, ...(failure.status !== undefined ? { 'http.response.status_code': failure.status } : {}) });
  }
  // A key or permission problem waits for an operator: the poll schedule.
  const backoff = Math.min(ctx.config.POLL_MAX_MS, ctx.config.POLL_MIN_MS * 2 ** Math.min(batch.poll_count, 10));
  switch (failure.kind) {
    case 'rate_limited':
      // The API refused before creating anything, so the next try needs no orphan search. A rate limit
      // clears in seconds to a minute: the recheck schedule, or the retry-after the API gave.
      await ctx.db.updateTable('batches').set({ submit_started_at: null, poll_count: batch.poll_count + 1 }).where('id', '=', batch.id).execute();
      return releaseBatch(ctx, batch.id, recheckDelayMs(ctx.config, batch.poll_count + 1, failure.retryAfterMs), failure.error);
    case 'rejected':
      // The API says the batch itself is wrong (400/413): repeating it will not help.
      return failBatchItems(ctx, batch.id, 'failed', failure.error);
    case 'auth':
      await ctx.db.updateTable('batches').set({ submit_started_at: null, poll_count: batch.poll_count + 1 }).where('id', '=', batch.id).execute();
      return releaseBatch(ctx, batch.id, backoff, failure.error);
    default:
      // 5xx, timeout, lost connection: the batch may exist; the next try starts with an orphan search.
      await ctx.db.updateTable('batches').set({ poll_count: batch.poll_count + 1 }).where('id', '=', batch.id).execute();
      return releaseBatch(ctx, batch.id, recheckDelayMs(ctx.config, batch.poll_count + 1, failure.retryAfterMs), failure.error);
  }
}

/**
 * Whether an answer to create means nothing was created: a 4xx (but 408 and 409) or the API's own 529
 * overloaded. A 500 or a gateway's 502/503/504 may come back while the origin goes on and creates the
 * batch, so the create stays in doubt for its window: the orphan search runs only once anything it did
 * could have become visible, never at once.
 */
function refusedBeforeCreating(status: number | undefined): boolean {
  if (status === undefined) return false;
  return status === 529 || (status >= 400 && status < 500 && status !== 408 && status !== 409);
}

/**
 * Items whose request cannot be built fail with the reason and leave the batch before anything is
 * sent, and the batch's request count follows (the orphan search matches on it).
 */
async function dropUnsendable(ctx: EngineContext, batch: Batch, unsendable: Unsendable[], remaining: number): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    for (const { itemId, error } of unsendable) {
      await trx.updateTable('items').set({ status: 'failed', batch_id: null, last_error: JSON.stringify(error), newer_version: null, updated_at: new Date() }).where('id', '=', itemId).where('batch_id', '=', batch.id).execute();
    }
    await trx.updateTable('batches').set({ request_count: remaining, updated_at: new Date() }).where('id', '=', batch.id).execute();
    await enqueueDeliveries(trx, ctx.tag, batch.job_id, unsendable.map((u) => u.itemId));
    await pokeJob(trx, batch.job_id);
  });
  ctx.log.warn({ batch_id: batch.id, items: unsendable.length, first: unsendable[0]?.error.message }, 'items failed: their files could not be sent');
}
