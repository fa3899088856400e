// What the API shows of a job: counts by state, its batches, token usage and money (CONTRACT.md).
import { sql, type Kysely } from 'kysely';
import type { DB, ErrorInfo, Job, JobStatus } from '../db/types.ts';
import type { StoredSource } from './source-ref.ts';
import type { ResolvedTask } from '../tasks/types.ts';
import { costOf, sumCosts, type Cost, type Usage } from './cost.ts';

export interface JobCounts {
  total: number;
  queued: number;
  submitted: number;
  succeeded: number;
  failed: number;
  canceled: number;
  retry_wait: number;
}

export interface BatchView {
  id: number;
  provider_id: string | null;
  status: string;
  provider_status: string | null;
  request_count: number;
  request_counts: Record<string, number> | null;
  is_retry: boolean;
  created_at: string;
  submitted_at: string | null;
  ended_at: string | null;
  last_error: ErrorInfo | null;
}

export interface JobView {
  id: string;
  name: string | null;
  status: JobStatus;
  task: { name: string; model: string; max_tokens: number };
  cancel_requested: boolean;
  counts: JobCounts;
  batches: BatchView[];
  usage: Usage;
  cost: Cost;
  deliveries: { pending: number; delivered: number; dead: number };
  source: SourceView | null;
  error: ErrorInfo | null;
  /** The W3C trace id of the job's trace (null when tracing was off at its creation). */
  trace_id: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface SourceView {
  plugin: string;
  connection: string | null;
  open: boolean;
  read: number;
  rejected: number;
  last_error: string | null;
}

export interface JobSummary {
  id: string;
  name: string | null;
  status: JobStatus;
  task: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export function jobSummary(job: Job): JobSummary {
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    task: (job.task as ResolvedTask).name,
    created_at: job.created_at.toISOString(),
    updated_at: job.updated_at.toISOString(),
    finished_at: job.finished_at?.toISOString() ?? null,
  };
}

const MAX_BATCHES_SHOWN = 200;

export async function jobView(db: Kysely<DB>, job: Job): Promise<JobView> {
  const [counts, batches, usageByModel, deliveries] = await Promise.all([
    db.selectFrom('items').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('job_id', '=', job.id).groupBy('status').execute(),
    db.selectFrom('batches').selectAll().where('job_id', '=', job.id).orderBy('id').limit(MAX_BATCHES_SHOWN).execute(),
    sql<Usage & { model: string | null }>`
      SELECT model, sum(input_tokens)::int8 AS input_tokens, sum(output_tokens)::int8 AS output_tokens,
        sum(cache_creation_input_tokens)::int8 AS cache_creation_input_tokens, sum(cache_read_input_tokens)::int8 AS cache_read_input_tokens
      FROM results WHERE job_id = ${job.id} GROUP BY model`.execute(db),
    db.selectFrom('deliveries').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('job_id', '=', job.id).groupBy('status').execute(),
  ]);
  const count = (s: string) => Number(counts.find((c) => c.status === s)?.n ?? 0);
  const usage: Usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const costs: Cost[] = [];
  for (const row of usageByModel.rows) {
    const u = {
      input_tokens: Number(row.input_tokens),
      output_tokens: Number(row.output_tokens),
      cache_creation_input_tokens: Number(row.cache_creation_input_tokens),
      cache_read_input_tokens: Number(row.cache_read_input_tokens),
    };
    usage.input_tokens += u.input_tokens;
    usage.output_tokens += u.output_tokens;
    usage.cache_creation_input_tokens += u.cache_creation_input_tokens;
    usage.cache_read_input_tokens += u.cache_read_input_tokens;
    costs.push(costOf(row.model ?? (job.task as ResolvedTask).model, u));
  }
  const delivery = (s: string) => Number(deliveries.find((d) => d.status === s)?.n ?? 0);
  const task = job.task as ResolvedTask;
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    task: { name: task.name, model: task.model, max_tokens: task.max_tokens },
    cancel_requested: job.cancel_requested_at !== null,
    counts: {
      total: counts.reduce((a, c) => a + Number(c.n), 0),
      queued: count('queued'),
      submitted: count('submitted'),
      succeeded: count('succeeded'),
      failed: count('failed'),
      canceled: count('canceled'),
      retry_wait: count('retry_wait'),
    },
    batches: batches.map((b) => ({
      id: b.id,
      provider_id: b.provider_id,
      status: b.status,
      provider_status: b.provider_status,
      request_count: b.request_count,
      request_counts: b.request_counts,
      is_retry: b.is_retry,
      created_at: b.created_at.toISOString(),
      submitted_at: b.submitted_at?.toISOString() ?? null,
      ended_at: b.ended_at?.toISOString() ?? null,
      last_error: b.last_error,
    })),
    usage,
    cost: sumCosts(costs),
    deliveries: { pending: delivery('pending') + delivery('retry_wait'), delivered: delivery('delivered'), dead: delivery('dead') },
    source: sourceView(job),
    error: job.error,
    trace_id: traceIdOf(job.trace_context),
    created_at: job.created_at.toISOString(),
    updated_at: job.updated_at.toISOString(),
    finished_at: job.finished_at?.toISOString() ?? null,
  };
}

/** `00-<trace id>-<span id>-<flags>` → the trace id. */
export function traceIdOf(traceparent: string | null): string | null {
  const match = traceparent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent) : null;
  return match?.[1] ?? null;
}

function sourceView(job: Job): SourceView | null {
  const source = job.source as StoredSource | null;
  if (!source) return null;
  const stats = job.ingest_stats;
  return {
    plugin: source.plugin,
    connection: source.connection,
    open: job.status === 'ingesting' || job.source_open,
    read: stats?.read ?? 0,
    rejected: stats?.rejected ?? 0,
    last_error: stats?.last_error ?? null,
  };
}
