// A job's insights as the API serves them: computed over its stored answers (compute.ts) and kept in
// insight_cache while nothing they were computed from changed. A settled job's answers change only by a
// correction or by the job moving again (retry, resume, retention), which its stamp names; a running job's
// change with every collected chunk, so its insights are computed again at most every LIVE_REUSE_MS and
// say what they cover.
import { sql, type Kysely } from 'kysely';
import type { DB, Job } from '../db/types.ts';
import { AppError } from '../errors.ts';
import type { ResolvedTask } from '../tasks/types.ts';
import { computeInsights, type InsightsQuery } from './compute.ts';
import { insightFieldsOf, type InsightField } from './fields.ts';
import type { Insights } from './types.ts';

/** A running job's insights are reused this long: a dashboard refreshing every few seconds costs one scan per period. */
const LIVE_REUSE_MS = 10_000;
/** Queries kept per job (each `by`, `over` and filter combination is one). */
const CACHED_QUERIES_PER_JOB = 20;
const SETTLED: ReadonlySet<string> = new Set(['completed', 'completed_with_errors', 'canceled', 'failed']);

export function jobFields(job: Pick<Job, 'task'>): InsightField[] {
  return insightFieldsOf((job.task as ResolvedTask).output_schema);
}

/** What a settled job's insights were computed from: a difference in any part means compute again. */
async function stampOf(db: Kysely<DB>, job: Job): Promise<string> {
  const corrections = await sql<{ n: number | string; last: Date | null }>`
    SELECT count(*) AS n, max(updated_at) AS last FROM corrections WHERE job_id = ${job.id}`.execute(db);
  const c = corrections.rows[0];
  const at = (d: Date | null) => (d ? new Date(d).toISOString() : '-');
  return [job.status, at(job.updated_at), at(job.finished_at), at(job.purged_at), `corrections:${c?.n ?? 0}:${at(c?.last ?? null)}`].join('|');
}

function queryKey(query: InsightsQuery): string {
  return JSON.stringify({ by: query.by ?? null, over: query.over ?? null, filters: query.filters.map((f) => `${f.path}${f.op}${f.value}`), q: query.q ?? null });
}

interface CacheLookup {
  job: Job;
  settled: boolean;
  stamp: string;
  key: string;
  /** The kept insights, when they still hold. */
  fresh: Insights | undefined;
}

async function lookUp(db: Kysely<DB>, jobId: string, query: InsightsQuery): Promise<CacheLookup> {
  const job = await db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
  if (!job) throw new AppError('not_found', `job ${jobId} does not exist`);
  const settled = SETTLED.has(job.status);
  const stamp = await stampOf(db, job);
  const key = queryKey(query);
  const cached = await db.selectFrom('insight_cache').select(['stamp', 'body', 'computed_at']).where('job_id', '=', jobId).where('query_key', '=', key).executeTakeFirst();
  let fresh: Insights | undefined;
  if (cached) {
    const holds = settled ? cached.stamp === stamp : cached.stamp.endsWith(stamp.slice(stamp.indexOf('corrections:'))) && Date.now() - new Date(cached.computed_at).getTime() < LIVE_REUSE_MS;
    if (holds) fresh = cached.body as Insights;
  }
  return { job, settled, stamp, key, fresh };
}

/** The kept insights of this query when nothing they came from changed, without computing anything. */
export async function keptInsights(db: Kysely<DB>, jobId: string, query: InsightsQuery): Promise<Insights | undefined> {
  return (await lookUp(db, jobId, query)).fresh;
}

export async function jobInsights(db: Kysely<DB>, jobId: string, query: InsightsQuery): Promise<Insights> {
  const { job, settled, stamp, key, fresh } = await lookUp(db, jobId, query);
  if (fresh) return fresh;

  const fields = jobFields(job);
  const [computed, documents] = await Promise.all([
    computeInsights(db, jobId, fields, query),
    db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', jobId).executeTakeFirstOrThrow(),
  ]);
  const insights: Insights = {
    job_id: jobId,
    job_status: job.status,
    complete: settled,
    documents: Number(documents.n),
    answered: computed.answered,
    filters: query.filters.map((f) => `${f.path}${f.op}${f.value}`),
    q: query.q ?? null,
    by: computed.by,
    over: computed.over,
    fields: computed.fields,
    computed_at: new Date().toISOString(),
    note: noteOf(job, settled, computed.answered),
  };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('insight_cache')
      .values({ job_id: jobId, query_key: key, stamp, body: JSON.stringify(insights), computed_at: new Date() })
      .onConflict((oc) => oc.columns(['job_id', 'query_key']).doUpdateSet({ stamp, body: JSON.stringify(insights), computed_at: new Date() }))
      .execute();
    await sql`DELETE FROM insight_cache WHERE job_id = ${jobId} AND query_key NOT IN (
      SELECT query_key FROM insight_cache WHERE job_id = ${jobId} ORDER BY computed_at DESC LIMIT ${CACHED_QUERIES_PER_JOB})`.execute(trx);
  });
  return insights;
}

function noteOf(job: Job, settled: boolean, answered: number): string | null {
  if (job.purged_at) return 'Retention purged this job\'s answers: nothing is left to aggregate.';
  if (!settled) return `The job is ${job.status}: these insights cover the ${answered} answers stored so far and change as more arrive.`;
  return null;
}
