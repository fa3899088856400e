// The lifecycle sweep: finishes job deletes, purges text whose retention has run out, and (with
// BATCHLINE_PROVIDER_CLEANUP=after_collect) deletes collected batches at the provider. It runs in the
// worker every BATCHLINE_SWEEP_INTERVAL_MS on one replica at a time (the `lifecycle` row of sweep_leases),
// in chunks of BATCHLINE_SWEEP_CHUNK rows per transaction, on its own lane, so the claiming, collecting
// and delivering lanes never wait for it (bench/RESULTS.md, "Lifecycle sweep beside the hot path").
import { sql } from 'kysely';
import type { EngineContext } from '../context.ts';
import { sweepDeletingJob } from './delete-job.ts';
import { deleteAtProvider } from './provider-delete.ts';
import { jobsDueForPurge, purgeJob } from './retention.ts';
import { inSpan, type Span } from '../../telemetry/trace.ts';

const LEASE_NAME = 'lifecycle';
/** Jobs looked at per kind of work and pass; the rest wait for the next pass. */
const JOBS_PER_PASS = 20;

export interface SweepReport {
  /** False when another replica holds the sweep's lease. */
  ran: boolean;
  deleted: number;
  waiting: number;
  purged: number;
  providerDeleted: number;
}

/** Takes (or renews) the sweep's lease; false while another replica holds it. */
export async function takeSweepLease(ctx: Pick<EngineContext, 'db' | 'owner' | 'config'>): Promise<boolean> {
  const taken = await sql`
    UPDATE sweep_leases SET lease_owner = ${ctx.owner}, lease_until = now() + ${ctx.config.BATCHLINE_LEASE_MS} * interval '1 millisecond'
    WHERE name = ${LEASE_NAME} AND (lease_owner = ${ctx.owner} OR lease_until IS NULL OR lease_until < now())`.execute(ctx.db);
  return Number(taken.numAffectedRows ?? 0) > 0;
}

/** Hands the lease back at the end of a pass, so the next pass may run on any replica. */
async function releaseSweepLease(ctx: Pick<EngineContext, 'db' | 'owner'>): Promise<void> {
  await sql`UPDATE sweep_leases SET lease_owner = NULL, lease_until = NULL, last_run_at = now() WHERE name = ${LEASE_NAME} AND lease_owner = ${ctx.owner}`.execute(ctx.db);
}

/** One pass. Spans only when there was work: an idle sweep every few seconds would bury the traces. */
export async function runLifecycleSweep(ctx: EngineContext): Promise<SweepReport> {
  const report: SweepReport = { ran: false, deleted: 0, waiting: 0, purged: 0, providerDeleted: 0 };
  const [deleting, due, held] = await Promise.all([
    ctx.db.selectFrom('jobs').select('id').where('status', '=', 'deleting').orderBy('updated_at').limit(JOBS_PER_PASS).execute(),
    jobsDueForPurge(ctx, JOBS_PER_PASS),
    ctx.config.BATCHLINE_PROVIDER_CLEANUP === 'after_collect' ? collectedAtProvider(ctx) : Promise.resolve<HeldBatch[]>([]),
  ]);
  if (deleting.length + due.length + held.length === 0) return report;
  if (!(await takeSweepLease(ctx))) return report;
  report.ran = true;
  const renew = () => takeSweepLease(ctx);
  try {
    await inSpan('lifecycle.sweep', { root: true, attributes: { 'batchline.sweep.deleting_jobs': deleting.length, 'batchline.sweep.purge_jobs': due.length, 'batchline.sweep.provider_batches': held.length } }, async (span: Span) => {
      for (const { id } of deleting) {
        const progress = await sweepDeletingJob(ctx, id, renew);
        if (progress === 'removed') report.deleted += 1;
        else report.waiting += 1;
      }
      for (const job of due) if (await purgeJob(ctx, job, renew)) report.purged += 1;
      for (const b of held) if (await deleteAtProvider(ctx, b, 'after_collect')) report.providerDeleted += 1;
      span.setAttributes({ 'batchline.sweep.deleted': report.deleted, 'batchline.sweep.waiting': report.waiting, 'batchline.sweep.purged': report.purged, 'batchline.sweep.provider_deleted': report.providerDeleted });
    });
  } finally {
    await releaseSweepLease(ctx);
  }
  return report;
}

/** Collected batches of live jobs still held by the provider (a deleting job's batches are its delete's). */
interface HeldBatch {
  id: number;
  provider_id: string;
  provider_delete_attempts: number;
  provider_delete_not_found: number;
}

async function collectedAtProvider(ctx: EngineContext): Promise<HeldBatch[]> {
  const rows = await sql<HeldBatch>`
    SELECT b.id, b.provider_id, b.provider_delete_attempts, b.provider_delete_not_found FROM batches b JOIN jobs j ON j.id = b.job_id
    WHERE b.provider_id IS NOT NULL AND b.provider_deleted_at IS NULL AND b.status IN ('collected','failed') AND j.status <> 'deleting'
    ORDER BY b.id LIMIT ${ctx.config.BATCHLINE_SWEEP_CHUNK}`.execute(ctx.db);
  return rows.rows.map((r) => ({ ...r, id: Number(r.id) }));
}
