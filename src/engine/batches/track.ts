// Asks the provider how a submitted batch is doing; sends a cancel first when its job asked for one.
// Callbacks (POST /v1/callbacks/batches) only move next_run_at to now; this is where the truth is read.
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { sql } from 'kysely';
import type { Batch } from '../../db/types.ts';
import { classifyProviderError, type ProviderFailure } from '../../provider/errors.ts';
import { releaseBatch } from '../claim.ts';
import type { EngineContext } from '../context.ts';
import { nextPollDelayMs, recheckDelayMs } from './poll-schedule.ts';
import { recordInvisible, type InvisibleCall } from './visibility.ts';
import { countAdd, instrumentsOf } from '../../telemetry/metrics.ts';
import { genAiAttributes, inSpan, recordError, SpanKind, untraced, type Span } from '../../telemetry/trace.ts';

type Answer = { remote: MessageBatch } | { failure: ProviderFailure };

/**
 * A batch in progress is polled every few minutes for up to 24 h, and most looks find it as it was: a
 * span for each would bury the trace. The provider call therefore runs untraced, and a `batch.poll`
 * span, back-dated to the start of the call, is made only when the look mattered: a cancel was sent,
 * the call failed, or the status or request counts moved (which includes the end). Every call is still
 * counted in `pollCalls`.
 */
export async function pollBatch(ctx: EngineContext, batch: Batch): Promise<void> {
  const startTime = new Date();
  const providerId = batch.provider_id;
  const cancel = batch.cancel_requested && batch.provider_status === 'in_progress';
  const answer = providerId ? await untraced(() => ask(ctx, providerId, cancel)) : undefined;
  if (answer) countAdd('pollCalls', 1, { outcome: 'remote' in answer ? answer.remote.processing_status : answer.failure.kind });
  if (answer && 'remote' in answer && !cancel && !changed(batch, answer.remote) && batch.unconfirmed_since === null) return recordAnswer(ctx, batch, answer.remote);
  await inSpan(
    'batch.poll',
    { parent: batch.trace_context, kind: SpanKind.CLIENT, startTime, attributes: { 'batchline.job.id': batch.job_id, 'batchline.batch.id': batch.id, 'batchline.provider_batch.id': providerId ?? '', 'batchline.batch.poll_count': batch.poll_count + 1, ...genAiAttributes(batch.model) } },
    async (span) => {
      if (!answer || !providerId) throw new Error(`batch ${batch.id} has no provider id`);
      if ('failure' in answer) return recordFailure(ctx, batch, providerId, answer.failure, span, cancel ? 'cancel' : 'retrieve');
      if (batch.unconfirmed_since !== null) span.setAttributes({ 'batchline.batch.unconfirmed_for_ms': startTime.getTime() - batch.unconfirmed_since.getTime(), 'batchline.batch.unconfirmed.looks': batch.unconfirmed_looks });
      span.setAttributes({ 'batchline.provider_status': answer.remote.processing_status, ...requestCountAttributes(answer.remote.request_counts) });
      return recordAnswer(ctx, batch, answer.remote);
    },
  );
}

async function ask(ctx: EngineContext, providerId: string, cancel: boolean): Promise<Answer> {
  try {
    return { remote: cancel ? await ctx.provider.messages.batches.cancel(providerId) : await ctx.provider.messages.batches.retrieve(providerId) };
  } catch (error) {
    return { failure: classifyProviderError(error) };
  }
}

/** Whether the provider's answer differs from what the last look stored on the row. */
function changed(batch: Batch, remote: MessageBatch): boolean {
  if (remote.processing_status === 'ended' || remote.processing_status !== batch.provider_status) return true;
  const before = batch.request_counts ?? {};
  const now: Record<string, number> = { ...remote.request_counts };
  return [...new Set([...Object.keys(before), ...Object.keys(now)])].some((k) => before[k] !== now[k]);
}

async function recordFailure(ctx: EngineContext, batch: Batch, providerId: string, failure: ProviderFailure, span: Span, call: InvisibleCall): Promise<void> {
  recordError(span, failure.error);
  span.setAttribute('error.type', failure.kind);
  if (failure.kind === 'not_found') {
    // We hold the id batches.create gave us: a 404 is "not visible right now" until a long window says otherwise.
    const seen = await recordInvisible(ctx, batch, call, failure);
    if (seen.kind === 'listed') return recordAnswer(ctx, batch, seen.remote);
    return;
  }
  ctx.log.warn({ batch_id: batch.id, provider_batch_id: providerId, kind: failure.kind, error: failure.error.message }, 'batch check failed');
  if (failure.kind === 'rejected' && batch.cancel_requested) {
    // Cancel refused (it had ended meanwhile): read the state on the next look.
    await ctx.db.updateTable('batches').set({ provider_status: 'canceling' }).where('id', '=', batch.id).execute();
  }
  const failedLooks = batch.failed_looks + 1;
  await ctx.db.updateTable('batches').set({ poll_count: batch.poll_count + 1, failed_looks: failedLooks }).where('id', '=', batch.id).execute();
  return releaseBatch(ctx, batch.id, failedLookDelayMs(ctx, batch, failure, failedLooks), failure.error);
}

/**
 * A 5xx, 429 or lost connection clears in seconds: looked at again on the recheck schedule, though never
 * later than the next poll. A key or permission problem (401/403) waits for an operator: polls only.
 */
function failedLookDelayMs(ctx: EngineContext, batch: Batch, failure: ProviderFailure, failedLooks: number): number {
  const poll = nextPollDelayMs(ctx.config, batch.poll_interval_ms, failure.retryAfterMs);
  if (failure.kind === 'auth') return poll;
  return Math.min(poll, recheckDelayMs(ctx.config, failedLooks, failure.retryAfterMs));
}

async function recordAnswer(ctx: EngineContext, batch: Batch, remote: MessageBatch): Promise<void> {
  const ended = remote.processing_status === 'ended';
  const interval = ended ? null : nextPollDelayMs(ctx.config, batch.poll_interval_ms);
  const written = await ctx.db
    .updateTable('batches')
    .set({
      status: ended ? 'ended' : remote.processing_status === 'canceling' ? 'canceling' : 'in_progress',
      provider_status: remote.processing_status,
      request_counts: JSON.stringify(remote.request_counts),
      ended_at: ended ? new Date(remote.ended_at ?? Date.now()) : null,
      poll_count: batch.poll_count + 1,
      poll_interval_ms: interval,
      // Seen again: whatever run of 404s or failed reads there was is over.
      unconfirmed_since: null,
      unconfirmed_looks: 0,
      failed_looks: 0,
      // A cancel requested while we were asking must be sent now, not after the next interval; so must a
      // look a callback asked for meanwhile (this one may have been made just before the batch ended).
      next_run_at: sql<Date>`CASE WHEN (cancel_requested AND ${remote.processing_status === 'in_progress'}) OR recheck_requested THEN now() ELSE now() + ${interval ?? 0} * interval '1 millisecond' END` as unknown as Date,
      lease_owner: null,
      lease_until: null,
      last_error: null,
      updated_at: new Date(),
    })
    .where('id', '=', batch.id)
    .where('lease_owner', '=', ctx.owner)
    .executeTakeFirst();
  if (!ended) ctx.crashPoint('in_progress');
  // Only the poll that recorded the end measures the batch: one that lost its lease leaves it to the next.
  if (ended && Number(written.numUpdatedRows) > 0) {
    ctx.log.info({ batch_id: batch.id, provider_batch_id: batch.provider_id, counts: remote.request_counts }, 'batch ended');
    const started = batch.submitted_at?.getTime();
    const end = remote.ended_at ? Date.parse(remote.ended_at) : Date.now();
    if (started !== undefined) instrumentsOf().batchDuration.record(Math.max(0, (end - started) / 1000), { provider_status: remote.processing_status });
  }
}

function requestCountAttributes(counts: MessageBatch['request_counts']): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [`batchline.batch.requests.${k}`, v]));
}
