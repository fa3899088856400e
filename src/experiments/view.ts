// What the API shows of an experiment: its sample, its arms (each an ordinary job: status, counts, money)
// and, once every arm has ended, the comparison with each arm's schema-valid rate, tokens and cost per
// 1,000 documents extrapolated to the whole source. Derived on read from the arms' jobs: nothing to keep
// in step.
import type { Kysely } from 'kysely';
import type { DB, JobStatus } from '../db/types.ts';
import { round, type Usage } from '../engine/money/cost.ts';
import { jobMoneyOf, usageRowsOf } from '../engine/money/usage-rows.ts';
import type { ResolvedTask } from '../tasks/types.ts';
import { armAnswers, type Answer } from './arm-answers.ts';
import { compareArms, type ComparisonCore } from './compare.ts';
import { fieldsOf, type FieldKind } from './fields.ts';
import { rateOf, type Rate } from './stats.ts';
import type { ArmInput, ArmJobRequest, Population, StoredCompare, StoredLabels, StoredSample, StoredSourceRef } from './types.ts';

export type ExperimentStatus = 'running' | 'awaiting_budget' | 'pilot_failed' | 'completed' | 'completed_with_errors' | 'canceled' | 'failed';

const FINAL: ReadonlySet<string> = new Set(['completed', 'completed_with_errors', 'canceled', 'failed']);

export interface ArmView {
  name: string;
  model: string;
  max_tokens: number;
  /** What the arm changes of the experiment's task. */
  changes: ArmInput;
  job_id: string | null;
  /** The arm job's status; `failed` if the job is gone. */
  status: JobStatus;
  counts: { total: number; succeeded: number; failed: number; canceled: number; open: number };
  cost_usd: number;
  max_usd: number | null;
  /** The full job made from this arm by POST /v1/experiments/{id}/promote, once. */
  promoted_job_id: string | null;
}

export interface ArmMetrics {
  arm: string;
  answered: number;
  failed: number;
  /** Answers that passed the task's schema, of those judged (provider errors are not judgments). */
  schema_valid: Rate;
  usage: Usage & { per_document: { input_tokens: number; output_tokens: number } };
  cost: {
    /** Billed to the arm's job, at batch price. */
    usd: number;
    /** Answers the result cache gave the arm: what they cost when first paid for. */
    reused_usd: number;
    /** (usd + reused_usd) / sampled documents × 1,000. */
    per_1000_usd: number;
    /** The same per document, times the documents of the source. */
    projected_source_usd: number;
    /** What promoting the arm would cost: the documents not in the sample (their answers are reused). */
    promote_usd: number;
  };
}

export interface Comparison extends ComparisonCore {
  documents: number;
  fields: Array<{ field: string; kind: FieldKind; tolerance: number | null; values: unknown[] | null }>;
  arms: ArmMetrics[];
  method: { interval: string; agreement: string; accuracy: string | null; cost: string };
}

export interface ExperimentView {
  id: string;
  name: string | null;
  status: ExperimentStatus;
  task: { name: string; model: string; max_tokens: number };
  source: { plugin: string; connection: string | null } | null;
  population: Population;
  sample: Omit<StoredSample, 'ids'>;
  labels: { kind: StoredLabels['kind']; fields: string[]; documents: number } | null;
  compare: StoredCompare;
  budget: { max_usd: number; spent_usd: number } | null;
  arms: ArmView[];
  comparison: Comparison | null;
  trace_id: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface ExperimentSummary {
  id: string;
  name: string | null;
  status: ExperimentStatus;
  task: string;
  arms: string[];
  sample_size: number;
  created_at: string;
}

export interface ArmRow {
  position: number;
  name: string;
  spec: ArmInput;
  job_request: ArmJobRequest;
  job_id: string | null;
  promoted_job_id: string | null;
  job: { status: JobStatus; task: ResolvedTask; max_usd: string | null; finished_at: Date | null } | null;
}

export async function armRows(db: Kysely<DB>, experimentId: string): Promise<ArmRow[]> {
  return (await armRowsByExperiment(db, [experimentId])).get(experimentId) ?? [];
}

/** The arms of several experiments (a page of a list) in one query. */
export async function armRowsByExperiment(db: Kysely<DB>, experimentIds: readonly string[]): Promise<Map<string, ArmRow[]>> {
  const byExperiment = new Map<string, ArmRow[]>();
  if (experimentIds.length === 0) return byExperiment;
  const rows = await db
    .selectFrom('experiment_arms as a')
    .leftJoin('jobs as j', 'j.id', 'a.job_id')
    .select(['a.experiment_id', 'a.position', 'a.name', 'a.spec', 'a.job_request', 'a.job_id', 'a.promoted_job_id', 'j.status', 'j.task', 'j.max_usd', 'j.finished_at'])
    .where('a.experiment_id', 'in', [...experimentIds])
    .orderBy('a.experiment_id')
    .orderBy('a.position')
    .execute();
  for (const r of rows) {
    const list = byExperiment.get(r.experiment_id) ?? [];
    list.push({
      position: r.position,
      name: r.name,
      spec: r.spec as ArmInput,
      job_request: r.job_request as ArmJobRequest,
      job_id: r.job_id,
      promoted_job_id: r.promoted_job_id,
      job: r.status ? { status: r.status, task: r.task as ResolvedTask, max_usd: r.max_usd, finished_at: r.finished_at } : null,
    });
    byExperiment.set(r.experiment_id, list);
  }
  return byExperiment;
}

/**
 * running while an arm runs; paused once none runs and one waits for the user (an arm still working may
 * pause or end a moment later: a client stopping at the first pause would report half the picture); else
 * the worst way an arm ended.
 */
export function statusOf(statuses: readonly JobStatus[]): ExperimentStatus {
  if (statuses.some((s) => !FINAL.has(s) && s !== 'awaiting_budget' && s !== 'pilot_failed')) return 'running';
  if (statuses.includes('awaiting_budget')) return 'awaiting_budget';
  if (statuses.includes('pilot_failed')) return 'pilot_failed';
  for (const s of ['failed', 'canceled', 'completed_with_errors'] as const) if (statuses.includes(s)) return s;
  return 'completed';
}

function traceIdOf(traceparent: string | null): string | null {
  return traceparent ? (/^[\da-f]{2}-([\da-f]{32})-/.exec(traceparent)?.[1] ?? null) : null;
}

type ExperimentRow = Awaited<ReturnType<typeof loadExperiment>> & object;

export async function loadExperiment(db: Kysely<DB>, id: string) {
  return db.selectFrom('experiments').selectAll().where('id', '=', id).executeTakeFirst();
}

export function summaryOf(row: ExperimentRow, arms: readonly ArmRow[]): ExperimentSummary {
  return {
    id: row.id,
    name: row.name,
    status: statusOf(arms.map((a) => a.job?.status ?? 'failed')),
    task: (row.task as ResolvedTask).name,
    arms: arms.map((a) => a.name),
    sample_size: (row.sample as StoredSample).size,
    created_at: row.created_at.toISOString(),
  };
}

function countsOf(answers: ReadonlyMap<string, Answer>): ArmView['counts'] {
  const counts = { total: answers.size, succeeded: 0, failed: 0, canceled: 0, open: 0 };
  for (const a of answers.values()) {
    if (a.status === 'succeeded') counts.succeeded += 1;
    else if (a.status === 'failed') counts.failed += 1;
    else if (a.status === 'canceled') counts.canceled += 1;
    else counts.open += 1;
  }
  return counts;
}

function metricsOf(arm: string, answers: ReadonlyMap<string, Answer>, money: ReturnType<typeof jobMoneyOf>, sampled: number, population: number): ArmMetrics {
  const counts = countsOf(answers);
  const invalid = [...answers.values()].filter((a) => a.status === 'failed' && a.error?.type === 'invalid_output').length;
  const { usage, cost } = money;
  const perDocUsd = sampled > 0 ? (cost.usd + cost.savings.result_cache_usd) / sampled : 0;
  const inputTokens = usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens;
  return {
    arm,
    answered: counts.succeeded,
    failed: counts.failed,
    schema_valid: rateOf(counts.succeeded, counts.succeeded + invalid),
    usage: { ...usage, per_document: { input_tokens: sampled > 0 ? Math.round(inputTokens / sampled) : 0, output_tokens: sampled > 0 ? Math.round(usage.output_tokens / sampled) : 0 } },
    cost: {
      usd: cost.usd,
      reused_usd: cost.savings.result_cache_usd,
      per_1000_usd: round(perDocUsd * 1000),
      projected_source_usd: round(perDocUsd * population),
      promote_usd: round(perDocUsd * Math.max(0, population - counts.succeeded)),
    },
  };
}

export async function experimentView(db: Kysely<DB>, row: ExperimentRow): Promise<ExperimentView> {
  const task = row.task as ResolvedTask;
  const sample = row.sample as StoredSample;
  const population = row.population as Population;
  const labels = row.labels as StoredLabels | null;
  const compare = row.compare as StoredCompare;
  const source = row.source as StoredSourceRef | null;
  const arms = await armRows(db, row.id);
  const [answers, money] = await Promise.all([
    Promise.all(arms.map((a) => armAnswers(db, a.job_id))),
    Promise.all(arms.map(async (a) => jobMoneyOf(a.job_id ? await usageRowsOf(db, a.job_id) : [], a.job?.task.model ?? task.model))),
  ]);
  const statuses = arms.map((a) => a.job?.status ?? 'failed');
  const status = statusOf(statuses);
  const ended = statuses.every((s) => FINAL.has(s));
  const spent = money.reduce((sum, m) => sum + m.cost.usd, 0);

  let comparison: Comparison | null = null;
  if (ended) {
    const fields = fieldsOf(task.output_schema, compare);
    const data = arms.map((a, i) => ({ name: a.name, answers: answers[i] ?? new Map<string, Answer>() }));
    comparison = {
      documents: sample.ids.length,
      fields: fields.map((f) => ({ field: f.path, kind: f.kind, tolerance: f.tolerance ?? null, values: f.values ?? null })),
      arms: data.map((d, i) => metricsOf(d.name, d.answers, money[i] ?? jobMoneyOf([], task.model), sample.ids.length, population.documents)),
      ...compareArms(fields, data, sample.ids, labels?.values ?? null),
      method: {
        interval: 'Wilson score interval, 95% confidence, for the sample size used (the sample treated as drawn with replacement: conservative when it is a large share of the source)',
        agreement: 'Between two arms, over documents both answered: enums, booleans and constrained strings exactly, numbers within the field tolerance, lists as equal sets (mean Jaccard overlap shown); free text only by emptiness (mean length shown)',
        accuracy: labels ? 'Per arm, over documents with a label for the field; a document the arm did not answer counts as wrong. Differences between arms: McNemar exact test on the same documents' : null,
        cost: 'Per 1,000 documents: (billed + reused from the result cache) / sampled documents × 1,000; projected: the same per document × documents in the source',
      },
    };
  }
  const finished = arms.map((a) => a.job?.finished_at ?? null);
  return {
    id: row.id,
    name: row.name,
    status,
    task: { name: task.name, model: task.model, max_tokens: task.max_tokens },
    source: source ? { plugin: source.plugin, connection: source.connection } : null,
    population,
    sample: { size: sample.size, seed: sample.seed, stratify_by: sample.stratify_by, strata: sample.strata },
    labels: labels ? { kind: labels.kind, fields: labels.fields, documents: Object.keys(labels.values).length } : null,
    compare: { tolerance: compare.tolerance, exact: compare.exact },
    budget: row.max_usd === null ? null : { max_usd: Number(row.max_usd), spent_usd: round(spent) },
    arms: arms.map((a, i) => ({
      name: a.name,
      model: a.job?.task.model ?? task.model,
      max_tokens: a.job?.task.max_tokens ?? task.max_tokens,
      changes: a.spec,
      job_id: a.job_id,
      status: a.job?.status ?? 'failed',
      counts: countsOf(answers[i] ?? new Map()),
      cost_usd: money[i]?.cost.usd ?? 0,
      max_usd: a.job?.max_usd === null || a.job?.max_usd === undefined ? null : Number(a.job.max_usd),
      promoted_job_id: a.promoted_job_id,
    })),
    comparison,
    trace_id: traceIdOf(row.trace_context),
    created_at: row.created_at.toISOString(),
    finished_at: ended && finished.every((f) => f !== null) ? new Date(Math.max(...finished.map((f) => (f as Date).getTime()))).toISOString() : null,
  };
}
