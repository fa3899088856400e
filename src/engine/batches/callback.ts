// A verified completion callback: remember its webhook-id (replays change nothing) and make the
// batch due for a provider check now. The body is never trusted beyond naming the batch.
import type { Link } from '@opentelemetry/api';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { activeLink, inSpan, linkTo, SpanKind } from '../../telemetry/trace.ts';

export type CallbackResult = 'accepted' | 'unknown_batch' | 'replayed';

export async function recordBatchCallback(db: Kysely<DB>, webhookId: string, providerBatchId: string): Promise<CallbackResult> {
  const traced = await db
    .selectFrom('batches')
    .innerJoin('jobs', 'jobs.id', 'batches.job_id')
    .select(['batches.id as batch_id', 'batches.job_id', 'batches.trace_context as batch_trace', 'jobs.trace_context as job_trace'])
    .where('batches.provider_id', '=', providerBatchId)
    .executeTakeFirst();
  // The span joins the job's trace and links to the batch it concerns; the HTTP request that carried
  // it (the notifier's own trace) is linked too, so either side leads to the other.
  const links: Link[] = [...linkTo(traced?.batch_trace, { 'batchline.link': 'batch' }), ...activeLink()];
  return inSpan(
    'callback.receive',
    {
      ...(traced?.job_trace ? { parent: traced.job_trace } : {}),
      links,
      kind: SpanKind.CONSUMER,
      attributes: { 'batchline.provider_batch.id': providerBatchId, ...(traced ? { 'batchline.batch.id': traced.batch_id, 'batchline.job.id': traced.job_id } : {}) },
    },
    async (span) => {
      const outcome = await record(db, webhookId, providerBatchId);
      span.setAttribute('batchline.callback.outcome', outcome);
      return outcome;
    },
  );
}

async function record(db: Kysely<DB>, webhookId: string, providerBatchId: string): Promise<CallbackResult> {
  return db.transaction().execute(async (trx) => {
    const fresh = await trx
      .insertInto('callback_events')
      .values({ webhook_id: webhookId, provider_batch_id: providerBatchId, outcome: 'received' })
      .onConflict((oc) => oc.column('webhook_id').doNothing())
      .returning('webhook_id')
      .executeTakeFirst();
    if (!fresh) return 'replayed';
    // An ended batch may be waiting to read its results again (a 404 or a failed stream): due now too.
    // recheck_requested reaches a worker holding the batch right now: its release keeps it due.
    const due = await sql`
      UPDATE batches SET next_run_at = now(), recheck_requested = true, updated_at = now()
      WHERE provider_id = ${providerBatchId} AND status IN ('in_progress','canceling','ended')`.execute(trx);
    const outcome: CallbackResult = Number(due.numAffectedRows ?? 0) > 0 ? 'accepted' : 'unknown_batch';
    await trx.updateTable('callback_events').set({ outcome }).where('webhook_id', '=', webhookId).execute();
    return outcome;
  });
}
