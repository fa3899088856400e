// What the dashboard reads: a page of jobs with their counts and cost (grouped queries over the page, not
// one query per job), and the extra detail of one job's page (failed items, deliveries per sink).
import { sql, type Kysely } from 'kysely';
import type { DB, ErrorInfo, Job } from '../../db/types.ts';
import type { Money } from '../../engine/money/cost.ts';
import { jobMoneyOf, type UsageRow } from '../../engine/money/usage-rows.ts';
import { jobSummary, jobView, type JobCounts, type JobSummary, type JobView } from '../../engine/views/job-view.ts';
import type { StoredSink } from '../../plugins/stored-config.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import { AppError } from '../../errors.ts';
import { encodeCursor, readCursor } from '../page-cursor.ts';
import { jobInsights, keptInsights } from '../../insights/job-insights.ts';
import type { Insights } from '../../insights/types.ts';

export const JOBS_PER_PAGE = 25;
export const FAILED_ITEMS_SHOWN = 50;

export interface ListedJob extends JobSummary {
  counts: JobCounts;
  cost: Money;
}

export interface JobsPage {
  jobs: ListedJob[];
  /** Cursor of the next (older) page, or null on the last one. */
  older: string | null;
}

export async function listJobs(db: Kysely<DB>, cursor: string | undefined, limit = JOBS_PER_PAGE): Promise<JobsPage> {
  // Millisecond precision on both sides, the precision the cursor carries (as in GET /v1/jobs).
  const createdMs = sql<Date>`date_trunc('milliseconds', created_at)`;
  let query = db.selectFrom('jobs').selectAll().orderBy(createdMs, 'desc').orderBy('id', 'desc').limit(limit + 1);
  if (cursor) {
    const page = readCursor(cursor);
    if (!page) throw new AppError('bad_request', 'that page link is not valid; start again from the newest jobs');
    const { at, id } = page;
    query = query.where((eb) => eb.or([eb(createdMs, '<', at), eb.and([eb(createdMs, '=', at), eb('id', '<', id)])]));
  }
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const [counts, costs] = await Promise.all([countsByJob(db, page), costsByJob(db, page)]);
  return {
    jobs: page.map((job) => ({ ...jobSummary(job), counts: counts.get(job.id) ?? emptyCounts(), cost: costs.get(job.id) ?? jobMoneyOf([], '').cost })),
    older: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

async function countsByJob(db: Kysely<DB>, jobs: Job[]): Promise<Map<string, JobCounts>> {
  const byJob = new Map<string, JobCounts>();
  if (jobs.length === 0) return byJob;
  const rows = await db
    .selectFrom('items')
    .select(['job_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('job_id', 'in', jobs.map((j) => j.id))
    .groupBy(['job_id', 'status'])
    .execute();
  for (const row of rows) {
    const counts = byJob.get(row.job_id) ?? emptyCounts();
    const n = Number(row.n);
    counts.total += n;
    counts[row.status] += n;
    byJob.set(row.job_id, counts);
  }
  return byJob;
}

async function costsByJob(db: Kysely<DB>, jobs: Job[]): Promise<Map<string, Money>> {
  const byJob = new Map<string, Money>();
  if (jobs.length === 0) return byJob;
  const rows = await sql<UsageRow & { job_id: string }>`
    SELECT job_id, model, from_cache, count(*)::int AS n, sum(input_tokens)::int8 AS input_tokens, sum(output_tokens)::int8 AS output_tokens,
      sum(cache_creation_input_tokens)::int8 AS cache_creation_input_tokens, sum(cache_read_input_tokens)::int8 AS cache_read_input_tokens
    FROM results WHERE job_id IN (${sql.join(jobs.map((j) => j.id))}) GROUP BY job_id, model, from_cache`.execute(db);
  const rowsOf = new Map<string, UsageRow[]>();
  for (const row of rows.rows) rowsOf.set(row.job_id, [...(rowsOf.get(row.job_id) ?? []), row]);
  for (const job of jobs) byJob.set(job.id, jobMoneyOf(rowsOf.get(job.id) ?? [], (job.task as ResolvedTask).model).cost);
  return byJob;
}

function emptyCounts(): JobCounts {
  return { total: 0, queued: 0, submitted: 0, succeeded: 0, failed: 0, canceled: 0, retry_wait: 0 };
}

export interface FailedItem {
  item_id: number;
  external_id: string;
  attempts: number;
  error: ErrorInfo | null;
}

export interface SinkDeliveries {
  index: number;
  plugin: string;
  pending: number;
  delivered: number;
  dead: number;
}

export interface JobPage {
  view: JobView;
  /** What the answers say (null before the first answer, or when the insights could not be computed: `insightsError`). */
  insights: Insights | null;
  insightsError?: string | undefined;
  /** The insights of a large job are being computed; the page refreshes until they are there. */
  insightsComputing?: boolean | undefined;
  /** The first FAILED_ITEMS_SHOWN failed items; view.counts.failed says how many there are. */
  failed: FailedItem[];
  sinks: SinkDeliveries[];
  /** All of the job's batches (the view lists at most a few hundred). */
  batchCount: number;
}

export async function loadJobPage(db: Kysely<DB>, id: string): Promise<JobPage | undefined> {
  const job = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!job) return undefined;
  const [view, failed, deliveries, batches] = await Promise.all([
    jobView(db, job),
    // The reason is the final result's error, or the item's own (a request that could not be built).
    sql<FailedItem>`
      SELECT i.id AS item_id, i.external_id, i.attempts, coalesce(r.error, i.last_error) AS error
      FROM items i LEFT JOIN results r ON r.item_id = i.id AND r.attempt = i.attempts
      WHERE i.job_id = ${id} AND i.status = 'failed'
      ORDER BY i.id LIMIT ${FAILED_ITEMS_SHOWN}`.execute(db),
    db
      .selectFrom('deliveries')
      .select(['sink_index', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('job_id', '=', id)
      .groupBy(['sink_index', 'status'])
      .execute(),
    db.selectFrom('batches').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', id).executeTakeFirstOrThrow(),
  ]);
  const sinks = (job.sinks as StoredSink[]).map((sink, index) => {
    const n = (status: string) => Number(deliveries.find((d) => d.sink_index === index && d.status === status)?.n ?? 0);
    return { index, plugin: sink.plugin, pending: n('pending') + n('retry_wait'), delivered: n('delivered'), dead: n('dead') };
  });
  const { insights, insightsError, insightsComputing } = await pageInsights(db, id, view.counts.succeeded);
  return { view, insights, insightsError, insightsComputing, failed: failed.rows.map((r) => ({ ...r, item_id: Number(r.item_id) })), sinks, batchCount: Number(batches.n) };
}

/** Metadata keys that usually hold a document's date, in the order they are preferred for the line over time. */
const DATE_KEYS = ['date', 'created_at', 'submitted_at', 'at', 'timestamp'];

/**
 * Above this many answers the page does not wait for insights that are not kept yet (computing them takes
 * seconds at a million): they are computed in the background and the page's own refresh shows them.
 */
const INLINE_ANSWERS_MAX = 20_000;

/** Insights being computed for a page, per job and query, so refreshes do not start the same scan again. */
const computing = new Map<string, { error?: unknown }>();

interface PageInsights {
  insights: Insights | null;
  insightsError?: string;
  /** True while the insights of a large job are computed in the background. */
  insightsComputing?: boolean;
}

/** The job's insights for its page, over the first metadata date its documents carry; a failure is shown, not thrown. */
async function pageInsights(db: Kysely<DB>, jobId: string, answered: number): Promise<PageInsights> {
  if (answered === 0) return { insights: null };
  try {
    const keys = await sql<{ k: string }>`
      SELECT e.k FROM (SELECT document -> 'metadata' AS m FROM items WHERE job_id = ${jobId} ORDER BY id LIMIT 1) s,
        jsonb_each_text(CASE WHEN jsonb_typeof(s.m) = 'object' THEN s.m ELSE '{}'::jsonb END) AS e(k, v)
      WHERE e.v ~ '^\\d{4}-\\d{2}-\\d{2}'`.execute(db);
    const found = keys.rows.map((r) => r.k);
    const over = DATE_KEYS.find((k) => found.includes(k)) ?? found[0];
    const compute = async (): Promise<Insights> => {
      try {
        return await jobInsights(db, jobId, { filters: [], over });
      } catch (error) {
        // A date key on the first document that no answered one has: the charts without the line.
        if (over !== undefined && error instanceof AppError && error.code === 'validation_failed') return jobInsights(db, jobId, { filters: [] });
        throw error;
      }
    };
    if (answered <= INLINE_ANSWERS_MAX) return { insights: await compute() };
    const kept = (await keptInsights(db, jobId, { filters: [], over })) ?? (over !== undefined ? await keptInsights(db, jobId, { filters: [] }) : undefined);
    if (kept) return { insights: kept };
    const key = `${jobId}|${over ?? ''}`;
    const running = computing.get(key);
    if (running && 'error' in running) {
      computing.delete(key);
      throw running.error;
    }
    if (!running) {
      const state: { error?: unknown } = {};
      computing.set(key, state);
      compute().then(
        () => computing.delete(key),
        (error: unknown) => (state.error = error),
      );
    }
    return { insights: null, insightsComputing: true };
  } catch (error) {
    return { insights: null, insightsError: `The answers could not be summarised: ${error instanceof AppError ? error.message : 'an internal error (see the service log)'}` };
  }
}
