// What the API shows of a job: counts by state, its batches, token usage and money (CONTRACT.md).
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Batch, DB, ErrorInfo, Job, JobStatus, PromptCacheDecision } from '../../db/types.ts';
import { promptCacheNote } from '../money/prompt-cache.ts';
import type { StoredSource } from '../intake/source-ref.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import { round, type Money, type Usage } from '../money/cost.ts';
import { jobMoneyOf } from '../money/usage-rows.ts';
import { jobAggregates } from './job-aggregates.ts';
import type { PilotConfig, PilotState } from '../../db/types.ts';
import { reservedUsd } from '../money/budget.ts';
import type { StoredEstimate } from '../money/job-estimate.ts';
import { pilotFailures, pilotSample, type PilotFailure, type PilotSample } from '../money/pilot.ts';

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
  /** The row's state, or `unconfirmed` while the provider answers 404 for its id, `gone` once declared gone. */
  status: string;
  provider_status: string | null;
  request_count: number;
  request_counts: Record<string, number> | null;
  is_retry: boolean;
  created_at: string;
  submitted_at: string | null;
  ended_at: string | null;
  last_error: ErrorInfo | null;
  /** While the provider answers 404 for an id it gave us: since when, how many looks, and why we keep looking. */
  unconfirmed: { since: string; looks: number; reason: string } | null;
  /** Declared gone after the whole window: when, why, and how many of its items were sent again. */
  gone: { at: string; reason: string; requeued: number } | null;
}

export interface ProviderIncidents {
  /** Batches the provider answers 404 for right now (looked at again with backoff; items kept). */
  unconfirmed_batches: number;
  /** Batches declared gone; their unanswered items were re-submitted. */
  gone_batches: number;
  requeued_items: number;
}

export interface PromptCacheView extends PromptCacheDecision {
  note: string;
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
  cost: Money;
  /** Made before the first batch (null until then). */
  estimate: StoredEstimate | null;
  /** Once the job has ended: how far the estimate was from what it used and cost. */
  estimate_vs_actual: EstimateVsActual | null;
  budget: BudgetView | null;
  pilot: PilotView | null;
  result_cache: { enabled: boolean; hits: number; saved_usd: number };
  /** Why the job waits (awaiting_budget, pilot_failed). */
  pause_reason: ErrorInfo | null;
  /** Whether the task's shared prefix is marked for the prompt cache, and why (null until the first batch is planned). */
  prompt_cache: PromptCacheView | null;
  provider_incidents: ProviderIncidents;
  deliveries: { pending: number; delivered: number; dead: number };
  source: SourceView | null;
  /** How long its text is kept, and whether retention has purged it. */
  retention: RetentionView;
  /** Patterns masked in document text before any request was built (null: none). */
  redact: string[] | null;
  /** Set once a delete was asked for: the job disappears when every part of it is gone. */
  deletion: { requested_at: string; by: string } | null;
  error: ErrorInfo | null;
  /** The W3C trace id of the job's trace (null when tracing was off at its creation). */
  trace_id: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface RetentionView {
  /** Days after the job finished that its text is kept (the job's own, else BATCHLINE_RETENTION_DAYS); null: until deleted. */
  days: number | null;
  /** When the text is purged (null while the job runs, or without retention). */
  purge_after: string | null;
  purged_at: string | null;
}

export interface BudgetView {
  max_usd: number;
  spent_usd: number;
  /** The worst case of batches still out, held back until their results are in. */
  reserved_usd: number;
  remaining_usd: number;
}

export interface PilotView extends PilotConfig {
  state: PilotState;
  batch_id: number | null;
  sample: PilotSample | null;
  /** Answers of the pilot that failed the schema, with the validation messages (at most 20). */
  failures: PilotFailure[];
}

export interface EstimateVsActual {
  cost_usd: Comparison;
  input_tokens: Comparison;
  output_tokens: Comparison;
}

export interface Comparison {
  estimated: number;
  actual: number;
  /** (actual − estimated) / actual, in percent. */
  error_pct: number | null;
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

export async function jobView(db: Kysely<DB>, job: Job, defaults: { retentionDays?: number | undefined } = {}): Promise<JobView> {
  const task = job.task as ResolvedTask;
  const [{ items: counts, usage: usageRows, deliveries }, batches, reserved, pilot, incidents] = await Promise.all([
    jobAggregates(db, job),
    db.selectFrom('batches').selectAll().where('job_id', '=', job.id).orderBy('id').limit(MAX_BATCHES_SHOWN).execute(),
    job.max_usd === null ? Promise.resolve(0) : reservedUsd(db, job.id),
    pilotView(db, job),
    incidentsOf(db, job.id),
  ]);
  const count = (s: string) => Number(counts.find((c) => c.status === s)?.n ?? 0);
  const { usage, cost, hits } = jobMoneyOf(usageRows, task.model);
  const delivery = (s: string) => Number(deliveries.find((d) => d.status === s)?.n ?? 0);
  const estimate = job.estimate as StoredEstimate | null;
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
    batches: batches.map(batchView),
    usage,
    cost,
    estimate,
    estimate_vs_actual: estimate && job.finished_at ? compare(estimate, usage, cost.usd) : null,
    budget: budgetView(job, cost.usd, reserved),
    pilot,
    result_cache: { enabled: job.result_cache, hits, saved_usd: cost.savings.result_cache_usd },
    pause_reason: job.pause_reason,
    prompt_cache: job.prompt_cache ? { ...job.prompt_cache, note: promptCacheNote(job.prompt_cache, task.model) } : null,
    provider_incidents: incidents,
    deliveries: { pending: delivery('pending') + delivery('retry_wait'), delivered: delivery('delivered'), dead: delivery('dead') },
    source: sourceView(job),
    retention: retentionView(job, defaults.retentionDays),
    redact: job.redact,
    deletion: job.deletion ? { requested_at: job.deletion.requested_at, by: job.deletion.by } : null,
    error: job.error,
    trace_id: traceIdOf(job.trace_context),
    created_at: job.created_at.toISOString(),
    updated_at: job.updated_at.toISOString(),
    finished_at: job.finished_at?.toISOString() ?? null,
  };
}

function batchView(b: Batch): BatchView {
  const open = b.status === 'in_progress' || b.status === 'canceling' || b.status === 'ended';
  const unconfirmed = open && b.unconfirmed_since !== null ? { since: b.unconfirmed_since.toISOString(), looks: b.unconfirmed_looks, reason: b.last_error?.message ?? '' } : null;
  const gone = b.gone_at !== null ? { at: b.gone_at.toISOString(), reason: b.gone_reason?.message ?? '', requeued: b.gone_reason?.requeued ?? 0 } : null;
  return {
    id: b.id,
    provider_id: b.provider_id,
    status: gone ? 'gone' : unconfirmed ? 'unconfirmed' : b.status,
    provider_status: b.provider_status,
    request_count: b.request_count,
    request_counts: b.request_counts,
    is_retry: b.is_retry,
    created_at: b.created_at.toISOString(),
    submitted_at: b.submitted_at?.toISOString() ?? null,
    ended_at: b.ended_at?.toISOString() ?? null,
    last_error: b.last_error,
    unconfirmed,
    gone,
  };
}

/** Counted over every batch of the job, not just the ones shown. */
async function incidentsOf(db: Kysely<DB>, jobId: string): Promise<ProviderIncidents> {
  const row = await sql<{ unconfirmed: number; gone: number; requeued: number }>`
    SELECT count(*) FILTER (WHERE unconfirmed_since IS NOT NULL AND status IN ('in_progress','canceling','ended'))::int AS unconfirmed,
      count(*) FILTER (WHERE gone_at IS NOT NULL)::int AS gone,
      coalesce(sum((gone_reason->>'requeued')::int), 0)::int AS requeued
    FROM batches WHERE job_id = ${jobId}`.execute(db);
  const r = row.rows[0];
  return { unconfirmed_batches: Number(r?.unconfirmed ?? 0), gone_batches: Number(r?.gone ?? 0), requeued_items: Number(r?.requeued ?? 0) };
}

/** Spent is what the job's own results cost (cost.usd); reserved, what batches still out may cost at most. */
function budgetView(job: Job, spentUsd: number, reservedUsd: number): BudgetView | null {
  if (job.max_usd === null) return null;
  const maxUsd = Number(job.max_usd);
  return { max_usd: maxUsd, spent_usd: spentUsd, reserved_usd: round(reservedUsd), remaining_usd: round(Math.max(0, maxUsd - spentUsd - reservedUsd)) };
}

async function pilotView(db: Kysely<DB>, job: Job): Promise<PilotView | null> {
  if (job.pilot === null || job.pilot_state === null) return null;
  const batchId = job.pilot_batch_id;
  const [sample, failures] = batchId === null ? [null, []] : await Promise.all([pilotSample(db, batchId), pilotFailures(db, batchId)]);
  return { ...job.pilot, state: job.pilot_state, batch_id: batchId, sample, failures };
}

function compare(estimate: StoredEstimate, usage: Usage, actualUsd: number): EstimateVsActual {
  const of = (estimated: number, actual: number): Comparison => ({ estimated, actual, error_pct: actual === 0 ? null : Math.round(((actual - estimated) / actual) * 1000) / 10 });
  return {
    cost_usd: of(estimate.cost.usd, actualUsd),
    input_tokens: of(estimate.input_tokens.estimate, usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens),
    output_tokens: of(estimate.output_tokens.estimate, usage.output_tokens),
  };
}

/** `00-<trace id>-<span id>-<flags>` → the trace id. */
export function traceIdOf(traceparent: string | null): string | null {
  const match = traceparent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent) : null;
  return match?.[1] ?? null;
}

function retentionView(job: Job, defaultDays: number | undefined): RetentionView {
  const days = job.retention_days ?? defaultDays ?? null;
  const purgeAfter = days !== null && job.finished_at ? new Date(job.finished_at.getTime() + days * 86_400_000).toISOString() : null;
  return { days, purge_after: purgeAfter, purged_at: job.purged_at?.toISOString() ?? null };
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
