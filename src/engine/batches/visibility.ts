// A provider id is a promise. Once batches.create has answered with an id the batch exists, and the API
// has been seen to answer 404 for such ids for seconds to minutes while they propagate (reference §12).
// A 404 on retrieve, cancel or results is therefore "not visible right now": the batch is looked at again
// with backoff and keeps its items. It is declared gone only when it has stayed invisible without a break
// for BATCHLINE_UNCONFIRMED_WINDOW_MS, in at least BATCHLINE_UNCONFIRMED_MIN_LOOKS looks, and
// batches.list does not show it either. The run of 404s lives on the batch row, so a restart or another
// replica continues the same window.
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { trace } from '@opentelemetry/api';
import { sql } from 'kysely';
import type { Batch } from '../../db/types.ts';
import type { ProviderFailure } from '../../provider/errors.ts';
import { countAdd } from '../../telemetry/metrics.ts';
import { recordError } from '../../telemetry/trace.ts';
import { dueIn } from '../claim.ts';
import { closeBatch } from './close-batch.ts';
import type { EngineContext } from '../context.ts';
import { unconfirmedDelayMs } from './poll-schedule.ts';

/** The provider calls whose 404 for a known id means "not visible right now". */
export type InvisibleCall = 'retrieve' | 'cancel' | 'results';

/** What a 404 led to: another look later, the batch found through batches.list, or the batch declared gone. */
export type Invisibility = { kind: 'waiting' } | { kind: 'listed'; remote: MessageBatch } | { kind: 'gone' };

/** How far before the batch's own submit to look in batches.list (our clock against the provider's). */
const LIST_SLACK_MS = 10 * 60 * 1000;

/**
 * Records one 404 for a batch we hold a provider id for. Before the window is over that is all: the
 * batch is released for another look. Once it is over, batches.list decides: listed means visible (the
 * caller applies what the list says), absent means gone.
 */
export async function recordInvisible(ctx: EngineContext, batch: Batch, call: InvisibleCall, failure: ProviderFailure): Promise<Invisibility> {
  const providerId = batch.provider_id ?? '';
  // The database's clock, which wrote unconfirmed_since: replicas' own clocks may disagree with it.
  const now = (await sql<{ now: Date }>`SELECT now() AS now`.execute(ctx.db)).rows[0]?.now.getTime() ?? Date.now();
  const since = batch.unconfirmed_since?.getTime() ?? now;
  const looks = batch.unconfirmed_looks + 1;
  const { BATCHLINE_UNCONFIRMED_WINDOW_MS: windowMs, BATCHLINE_UNCONFIRMED_MIN_LOOKS: minLooks } = ctx.config;
  trace.getActiveSpan()?.addEvent('batch.unconfirmed', { 'batchline.batch.unconfirmed.call': call, 'batchline.batch.unconfirmed.looks': looks, 'batchline.batch.unconfirmed.since': new Date(since).toISOString() });

  let reason = `${call} answered 404 for ${providerId}; the id was given by batches.create, so the batch is taken as not visible yet`;
  if (now - since >= windowMs && looks >= minLooks) {
    const listed = await findListed(ctx, batch, providerId);
    if (listed === null) {
      await declareGone(ctx, batch, call, now - since, looks);
      return { kind: 'gone' };
    }
    if (listed !== 'unknown') {
      if (call !== 'results') return { kind: 'listed', remote: listed };
      if (listed.archived_at !== null) {
        // Past the provider's 29 days: the answers can no longer be read, so the items need a new batch.
        await closeBatch(ctx, batch, { type: 'results_archived', message: `provider batch ${providerId} was archived at ${listed.archived_at}; its results can no longer be downloaded` });
        return { kind: 'gone' };
      }
      reason = `results answered 404 for ${providerId}, which batches.list still shows (${listed.processing_status}); looking again`;
    } else {
      reason = `${call} answered 404 for ${providerId} and batches.list could not be read to settle it; looking again`;
    }
  }
  await ctx.db
    .updateTable('batches')
    .set({
      unconfirmed_since: sql<Date>`coalesce(unconfirmed_since, now())` as unknown as Date,
      unconfirmed_looks: looks,
      poll_count: batch.poll_count + 1,
      last_error: JSON.stringify({ type: 'unconfirmed', message: reason }),
      next_run_at: dueIn(unconfirmedDelayMs(ctx.config, looks, failure.retryAfterMs)) as unknown as Date,
      lease_owner: null,
      lease_until: null,
      updated_at: new Date(),
    })
    .where('id', '=', batch.id)
    .where('lease_owner', '=', ctx.owner)
    .execute();
  ctx.log.warn({ batch_id: batch.id, provider_batch_id: providerId, call, looks, invisible_ms: now - since }, 'provider batch not visible right now; looking again');
  return { kind: 'waiting' };
}

/**
 * The batch as batches.list shows it (newest first, back to a little before our own submit), null when
 * the list does not hold it, 'unknown' when the list could not be read.
 */
async function findListed(ctx: EngineContext, batch: Batch, providerId: string): Promise<MessageBatch | null | 'unknown'> {
  const since = (batch.submit_started_at ?? batch.created_at).getTime() - LIST_SLACK_MS;
  try {
    for await (const remote of ctx.provider.messages.batches.list({ limit: 100 })) {
      if (remote.id === providerId) return remote;
      if (Date.parse(remote.created_at) < since) break;
    }
    return null;
  } catch (error) {
    ctx.log.warn({ batch_id: batch.id, err: error }, 'batches.list failed while checking an unconfirmed batch');
    return 'unknown';
  }
}

/**
 * Rare and loud: the batch is closed and its unanswered items go back to the queue (none of their answers
 * can have been delivered: they were never read). Logged at error level once, counted, marked on the span.
 */
async function declareGone(ctx: EngineContext, batch: Batch, call: InvisibleCall, invisibleMs: number, looks: number): Promise<void> {
  const minutes = Math.round(invisibleMs / 6000) / 10;
  const error = {
    type: 'batch_gone',
    message: `provider batch ${batch.provider_id} answered 404 to ${call} for ${minutes} min (${looks} looks in a row) and batches.list does not show it: its unanswered items were sent again in a new batch`,
  };
  const closed = await closeBatch(ctx, batch, error, { gone: true });
  // Another worker holds the batch now (this one's lease lapsed while it looked): it decides.
  if (!closed) return;
  const { requeued, failed } = closed;
  countAdd('batchesGone', 1, { call });
  const span = trace.getActiveSpan();
  if (span) {
    span.addEvent('batch.gone', { 'batchline.batch.gone.requeued': requeued, 'batchline.batch.gone.failed': failed, 'batchline.batch.unconfirmed.looks': looks });
    span.setAttributes({ 'batchline.batch.gone': true, 'batchline.batch.gone.requeued': requeued });
    recordError(span, error);
  }
  ctx.log.error({ batch_id: batch.id, job_id: batch.job_id, provider_batch_id: batch.provider_id, call, looks, invisible_ms: invisibleMs, requeued, failed }, 'provider batch declared gone; its items were re-queued');
}
