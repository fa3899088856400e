// Deleting a job (DELETE /v1/jobs/{id}). The request marks the job `deleting` and cancels its open work,
// as a cancel does, in one transaction; from then on nothing of it is delivered or sent. The lifecycle sweep
// (lifecycle-sweep.ts) then waits for its provider batches to end, deletes them at the provider, writes a
// tombstone and removes the job's rows chunk by chunk (its insights and corrections first); the job is gone (404) once the last row is. Every
// step is idempotent and the state lives on the rows, so a crash anywhere resumes at the next sweep.
import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB, Job, JobDeletion, JobStatus } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import type { EngineContext } from '../context.ts';
import { cancelOpenWork } from './cancel.ts';
import { jobView } from '../views/job-view.ts';
import { deleteAtProvider } from './provider-delete.ts';
import { countAdd } from '../../telemetry/metrics.ts';
import { inSpan } from '../../telemetry/trace.ts';

/**
 * Who asked, as stored: how the request came, and a fingerprint of the bearer token or dashboard session
 * (never the secret itself; the same token always gives the same fingerprint). `anonymous` without auth.
 */
export function actorOf(secret: string | undefined, via: 'api' | 'dashboard'): string {
  if (!secret) return `${via}:anonymous`;
  return `${via}:${via === 'api' ? 'key' : 'session'}-${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;
}

/** Marks the job deleting and cancels its open work; a second delete changes nothing. */
export async function requestJobDelete(ctx: Pick<EngineContext, 'db' | 'wake'>, jobId: string, by: string): Promise<Job> {
  const job = await ctx.db.transaction().execute(async (trx) => {
    const found = await trx.selectFrom('jobs').select(['status']).where('id', '=', jobId).forUpdate().executeTakeFirst();
    if (!found) throw new AppError('not_found', `job ${jobId} does not exist`);
    if (found.status === 'deleting') return trx.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
    const deletion: JobDeletion = { requested_at: new Date().toISOString(), by, status_before: found.status };
    // As cancelJob: a source read stops at its next chunk, queued items end now, open batches get a cancel.
    await trx
      .updateTable('jobs')
      .set({
        status: 'deleting',
        deletion: JSON.stringify(deletion),
        cancel_requested_at: sql<Date>`coalesce(cancel_requested_at, now())` as unknown as Date,
        source_open: false,
        ingest_due_at: null,
        next_run_at: null,
        updated_at: new Date(),
      })
      .where('id', '=', jobId)
      .execute();
    await cancelOpenWork(trx, jobId);
    return trx.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
  });
  ctx.wake();
  return job;
}

/**
 * Waits until no sink call that claimed deliveries of the job before its delete is still running, so that
 * once DELETE has answered nothing of the job is delivered. Claims made after the delete take nothing
 * (deliver.ts); a sink call ends within the lease.
 */
export async function waitForDeliveriesInFlight(db: Kysely<DB>, jobId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const busy = await sql<{ n: number }>`SELECT count(*)::int AS n FROM deliveries
      WHERE job_id = ${jobId} AND status IN ('pending','retry_wait') AND lease_until > now()`.execute(db);
    if (Number(busy.rows[0]?.n ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export type DeleteProgress = 'waiting' | 'removed';

/** The tables a job's rows are removed from, in an order that leaves no dangling reference. */
const CHUNKED_TABLES = ['insight_cache', 'corrections', 'deliveries', 'results', 'items', 'batches'] as const;

/** Each table's key, by which a chunk of its rows is picked and deleted. */
const KEYS: Record<(typeof CHUNKED_TABLES)[number], [RawBuilder<unknown>, RawBuilder<unknown>]> = {
  insight_cache: [sql`(job_id, query_key)`, sql`job_id, query_key`],
  corrections: [sql`(item_id, field)`, sql`item_id, field`],
  deliveries: [sql`id`, sql`id`],
  results: [sql`(item_id, attempt)`, sql`item_id, attempt`],
  items: [sql`id`, sql`id`],
  batches: [sql`id`, sql`id`],
};

/**
 * One sweep's work on one deleting job: 'waiting' while a provider batch has not ended or not been deleted
 * there; 'removed' once the job row itself is gone. `renew` keeps the sweep's lease between chunks.
 */
export async function sweepDeletingJob(ctx: EngineContext, jobId: string, renew: () => Promise<boolean>): Promise<DeleteProgress> {
  const job = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', jobId).where('status', '=', 'deleting').executeTakeFirst();
  if (!job) return 'removed';
  return inSpan('job.delete', { parent: job.trace_context, attributes: { 'batchline.job.id': jobId } }, async (span) => {
    // A batch still with the provider (or about to be): the poll lane sends its cancel and follows it to its
    // end, the collect lane reads what it finished; its deletion at the provider waits for that.
    const open = await ctx.db.selectFrom('batches').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', jobId).where('status', 'not in', ['collected', 'failed']).executeTakeFirstOrThrow();
    if (Number(open.n) > 0) {
      span.setAttribute('batchline.delete.waiting_batches', Number(open.n));
      return 'waiting';
    }
    const held = await ctx.db
      .selectFrom('batches')
      .select(['id', 'provider_id', 'provider_delete_attempts', 'provider_delete_not_found'])
      .where('job_id', '=', jobId)
      .where('provider_id', 'is not', null)
      .where('provider_deleted_at', 'is', null)
      .execute();
    let deleted = 0;
    for (const b of held) if (b.provider_id && (await deleteAtProvider(ctx, { id: b.id, provider_id: b.provider_id, provider_delete_attempts: b.provider_delete_attempts, provider_delete_not_found: b.provider_delete_not_found }, 'job_delete'))) deleted += 1;
    span.setAttribute('batchline.delete.provider_batches_deleted', deleted);
    if (deleted < held.length) return 'waiting';

    await writeTombstone(ctx.db, job);
    const removed = await removeRows(ctx, jobId, renew);
    span.setAttribute('batchline.delete.rows', removed);
    if (removed < 0) return 'waiting';
    await ctx.db.deleteFrom('jobs').where('id', '=', jobId).where('status', '=', 'deleting').execute();
    countAdd('purgedRows', 1, { table: 'jobs', reason: 'delete' });
    ctx.log.info({ job_id: jobId, rows: removed }, 'job deleted');
    return 'removed';
  });
}

/** Written once, before any row is removed (the summary is computed from them); a resumed sweep keeps the first. */
async function writeTombstone(db: Kysely<DB>, job: Job): Promise<void> {
  const exists = await db.selectFrom('job_tombstones').select('id').where('id', '=', job.id).executeTakeFirst();
  if (exists) return;
  const view = await jobView(db, job);
  const task = job.task as ResolvedTask;
  const deletion = job.deletion ?? { requested_at: job.updated_at.toISOString(), by: 'unknown', status_before: 'running' as JobStatus };
  const providerBatches = await db.selectFrom('batches').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', job.id).where('provider_id', 'is not', null).executeTakeFirstOrThrow();
  await db
    .insertInto('job_tombstones')
    .values({
      id: job.id,
      name: job.name,
      task: task.name,
      model: task.model,
      status_before: deletion.status_before,
      counts: JSON.stringify(view.counts),
      usage: JSON.stringify(view.usage),
      cost: JSON.stringify({ usd: view.cost.usd, standard_usd: view.cost.standard_usd, saved_usd: view.cost.saved_usd }),
      provider_batches: Number(providerBatches.n),
      deleted_by: deletion.by,
      created_at: job.created_at,
      finished_at: job.finished_at,
      delete_requested_at: deletion.requested_at,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/**
 * Removes the job's rows in chunks of BATCHLINE_SWEEP_CHUNK, each its own short transaction: cache entries
 * derived from its requests, callback events about its batches, then deliveries, results, items and batches.
 * Returns the rows removed, or -1 when the sweep lost its lease (another replica goes on).
 */
async function removeRows(ctx: EngineContext, jobId: string, renew: () => Promise<boolean>): Promise<number> {
  const chunk = ctx.config.BATCHLINE_SWEEP_CHUNK;
  let total = 0;
  const count = (table: string, n: number) => {
    total += n;
    countAdd('purgedRows', n, { table, reason: 'delete' });
  };
  // Answers stored in the result cache from this job's requests (keyed by request hash): walked by item id.
  for (let after = 0; ; ) {
    const page = await ctx.db.selectFrom('items').select(['id', 'request_hash']).where('job_id', '=', jobId).where('id', '>', after).orderBy('id').limit(chunk).execute();
    const hashes = page.map((r) => r.request_hash).filter((h): h is string => h !== null);
    if (hashes.length > 0) count('result_cache', Number((await ctx.db.deleteFrom('result_cache').where('request_hash', 'in', hashes).executeTakeFirst()).numDeletedRows));
    const last = page[page.length - 1];
    if (!last || page.length < chunk) break;
    after = last.id;
  }
  const events = await sql`DELETE FROM callback_events WHERE provider_batch_id IN (SELECT provider_id FROM batches WHERE job_id = ${jobId} AND provider_id IS NOT NULL)`.execute(ctx.db);
  count('callback_events', Number(events.numAffectedRows ?? 0));
  let first = true;
  for (const table of CHUNKED_TABLES) {
    const [key, columns] = KEYS[table];
    for (;;) {
      const removed = await sql`DELETE FROM ${sql.table(table)} WHERE ${key} IN (SELECT ${columns} FROM ${sql.table(table)} WHERE job_id = ${jobId} LIMIT ${chunk})`.execute(ctx.db);
      const n = Number(removed.numAffectedRows ?? 0);
      count(table, n);
      if (n > 0 && first) {
        first = false;
        ctx.crashPoint('in_delete_sweep');
      }
      if (!(await renew())) return -1;
      if (n < chunk) break;
    }
  }
  return total;
}
