// Experiments: the create and promote requests, the experiment, its list entry and its sampled documents.
// The examples tell one story: two arms (haiku, sonnet) of review-insights on a sample of three of four
// inline reviews, with gold labels, and the comparison they end with.
import { z } from '@hono/zod-openapi';
import { MAX_SAMPLE } from '../../experiments/read-sample.ts';
import { EXAMPLE_EXPERIMENT_COMPARISON, ExperimentComparisonSchema } from './experiments.comparison.schemas.ts';
import { CreateJobSchema, PilotSchema } from './jobs.create.schemas.ts';
import { JobStatusSchema } from './jobs.schemas.ts';
import { EXAMPLE, type ProblemCase } from './shared.schemas.ts';

export const EXAMPLE_EXPERIMENT_ID = 'exp_4x8k2m1q9c7v3b0n';
const EXAMPLE_ARM_JOBS = ['job_arm0haiku0000000', 'job_arm1sonnet000000'] as const;

// ---- Requests ----

const ArmSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'use 1–40 letters, digits, _ . -').optional().openapi({ description: 'Shown in the comparison; default A, B, C, …' }),
    model: z.string().min(1).optional().openapi({ description: "The model (default: the task's)" }),
    prompt: z.string().min(1).max(100_000).optional().openapi({ description: 'Another prompt template ({{text}}, {{id}}, {{title}}, {{metadata}}, {{metadata.<key>}})' }),
    system: z.string().max(200_000).optional().openapi({ description: "Another system prompt ('' for none)" }),
    max_tokens: z.number().int().min(1).max(128_000).optional().openapi({ description: "Another max_tokens per answer" }),
  })
  .openapi('Arm', {
    description: "A variant of the experiment's task: what it changes (model, prompt, system, max_tokens). The answer schema is the task's for every arm. Unknown fields are refused.",
    example: { name: 'haiku', model: 'claude-haiku-5-5' },
  });

const SampleSchema = z
  .object({
    size: z.number().int().min(1).max(MAX_SAMPLE).openapi({ description: `Documents in the sample (1–${MAX_SAMPLE}); at most what the source holds` }),
    seed: z.union([z.string().min(1).max(200), z.number().int()]).optional().openapi({ description: 'The same seed picks the same documents from the same source; none: a random seed, reported in the answer' }),
    stratify_by: z.string().min(1).max(200).optional().openapi({ description: 'A metadata field (e.g. `rating`): each of its values gets its proportional share of the sample (at most 50 values)' }),
  })
  .openapi('ExperimentSample', {
    description: 'How the sample is drawn: uniformly without replacement (the documents with the smallest sha256(seed, id)), optionally stratified',
    example: { size: 200, seed: 42, stratify_by: 'rating' },
  });

const LabelsSchema = z
  .strictObject({
    values: z.record(z.string(), z.record(z.string(), z.unknown())).optional().openapi({ description: 'Inline: document id → expected values of answer fields' }),
    path: z.string().min(1).optional().openapi({ description: 'A labels file inside BATCHLINE_FILE_ROOTS: CSV/TSV with an id column and one column per field, JSONL objects with an id, or a JSON object id → values' }),
    id_column: z.string().min(1).optional().openapi({ description: 'The id column (key) of the labels file; default `id`' }),
    metadata: z.record(z.string(), z.string()).optional().openapi({ description: 'Labels in the source itself: answer field → the metadata key (column) holding its expected value. The model sees metadata if the prompt shows it' }),
    corrections: z
      .strictObject({
        jobs: z.array(z.string().min(1).max(100)).min(1).max(100).optional().openapi({ description: 'The jobs whose corrections to take; omit for every job of the same task' }),
      })
      .optional()
      .openapi({ description: 'The corrections people made to earlier jobs of the same task (PUT /v1/jobs/{id}/items/{external_id}/correction), by document id; a later correction of the same field wins. Corrected documents not in the sample label nothing' }),
  })
  .openapi('Labels', {
    description: 'Gold labels: give exactly one of values, path, metadata or corrections. Every labelled id must be in the source (corrections: those that are label the sample); every field must be a scored field of the answer (not free text), with a valid value.',
    example: { path: 'labels/reviews-gold.csv' },
  });

const CompareSchema = z
  .strictObject({
    tolerance: z.record(z.string(), z.number().min(0)).optional().openapi({ description: 'Number fields: the largest difference that is still agreement (default 0 for integers, 0.01 otherwise)' }),
    exact: z.array(z.string()).max(100).optional().openapi({ description: 'Plain string fields to compare exactly (ids, codes) rather than as free text' }),
  })
  .openapi('CompareOptions', { description: 'How answers are compared field by field', example: { tolerance: { score: 1 }, exact: ['invoice_number'] } });

export const EXAMPLE_CREATE_EXPERIMENT = {
  name: 'haiku-vs-sonnet',
  task: 'review-insights',
  documents: [
    { id: 'r1', text: 'Battery lasts two days, but the strap broke in a week.', metadata: { rating: 3 } },
    { id: 'r2', text: 'Pairs instantly and the app is clear. Love it.', metadata: { rating: 5 } },
    { id: 'r3', text: 'Customer support never answered my emails.', metadata: { rating: 1 } },
    { id: 'r4', text: 'Arrived on a Tuesday. I use it for running.', metadata: { rating: 3 } },
  ],
  sample: { size: 3, seed: 42 },
  arms: [
    { name: 'haiku', model: 'claude-haiku-5-5' },
    { name: 'sonnet', model: 'claude-sonnet-5-5' },
  ],
  labels: { values: { r1: { sentiment: 'mixed' }, r2: { sentiment: 'positive' }, r3: { sentiment: 'negative' }, r4: { sentiment: 'neutral' } } },
  max_usd: 1,
};

const { task, source, documents } = CreateJobSchema.shape;

export const CreateExperimentSchema = z
  .object({
    name: z.string().max(200).optional().openapi({ description: 'A label for lists, the dashboard and the arm jobs' }),
    task,
    source,
    documents,
    sample: SampleSchema,
    arms: z.array(ArmSchema).min(2).max(6).openapi({ description: 'Two to six variants; each runs as an ordinary job on the same sampled documents' }),
    labels: LabelsSchema.optional(),
    compare: CompareSchema.optional(),
    max_usd: z.number().positive().max(1_000_000).optional().openapi({ description: 'Budget of all arms together (USD, batch price): each arm job gets a share in proportion to its worst case', example: 5 }),
  })
  .openapi('CreateExperiment', {
    description: 'An experiment: a sample of the documents (inline or a source), the task, and two or more arms to pit against each other on it.',
    example: EXAMPLE_CREATE_EXPERIMENT,
  });

export const PromoteSchema = z
  .object({
    arm: z.string().min(1).openapi({ description: 'The arm to run on the whole source' }),
    name: z.string().max(200).optional().openapi({ description: 'Name of the full job' }),
    sinks: CreateJobSchema.shape.sinks,
    max_usd: CreateJobSchema.shape.max_usd,
    pilot: PilotSchema.optional(),
  })
  .openapi('PromoteArm', { description: "Which arm becomes the full job, and the job's sinks and budget", example: { arm: 'haiku', name: 'q3-reviews', sinks: [{ plugin: 'file', config: { path: 'out/q3-reviews.jsonl' } }] } });

// ---- Answers ----

const ExperimentStatusSchema = z.enum(['running', 'awaiting_budget', 'pilot_failed', 'completed', 'completed_with_errors', 'canceled', 'failed']).openapi('ExperimentStatus', {
  description: "From the arms' jobs: running while one runs, awaiting_budget while one waits for more budget, else the worst way an arm ended",
  example: 'completed',
});

const EXAMPLE_ARM_VIEW = {
  name: 'haiku',
  model: 'claude-haiku-5-5',
  max_tokens: 1024,
  changes: { name: 'haiku', model: 'claude-haiku-5-5' },
  job_id: EXAMPLE_ARM_JOBS[0],
  status: 'completed',
  counts: { total: 3, succeeded: 3, failed: 0, canceled: 0, open: 0 },
  cost_usd: 0.001017,
  max_usd: 0.249999,
  promoted_job_id: null,
};

export const EXAMPLE_EXPERIMENT = {
  id: EXAMPLE_EXPERIMENT_ID,
  name: 'haiku-vs-sonnet',
  status: 'completed',
  task: { name: 'review-insights', model: 'claude-haiku-5-5', max_tokens: 1024 },
  source: null,
  population: { documents: 4, rejected: 0 },
  sample: { size: 3, seed: '42', stratify_by: null, strata: null },
  labels: { kind: 'values', fields: ['sentiment'], documents: 3 },
  compare: { tolerance: {}, exact: [] },
  budget: { max_usd: 1, spent_usd: 0.004068 },
  arms: [EXAMPLE_ARM_VIEW, { ...EXAMPLE_ARM_VIEW, name: 'sonnet', model: 'claude-sonnet-5-5', changes: { name: 'sonnet', model: 'claude-sonnet-5-5' }, job_id: EXAMPLE_ARM_JOBS[1], cost_usd: 0.003051, max_usd: 0.750001 }],
  comparison: EXAMPLE_EXPERIMENT_COMPARISON,
  trace_id: EXAMPLE.traceId,
  created_at: EXAMPLE.createdAt,
  finished_at: EXAMPLE.finishedAt,
};

export const EXAMPLE_NEW_EXPERIMENT = {
  ...EXAMPLE_EXPERIMENT,
  status: 'running',
  budget: { max_usd: 1, spent_usd: 0 },
  arms: EXAMPLE_EXPERIMENT.arms.map((a) => ({ ...a, status: 'running', counts: { total: 3, succeeded: 0, failed: 0, canceled: 0, open: 3 }, cost_usd: 0 })),
  comparison: null,
  finished_at: null,
};

export const ExperimentSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    status: ExperimentStatusSchema,
    task: z.object({ name: z.string(), model: z.string(), max_tokens: z.number().int() }).openapi({ description: "The experiment's task; arms change parts of it" }),
    source: z.object({ plugin: z.string(), connection: z.string().nullable() }).nullable().openapi({ description: 'The source sampled; null for inline documents' }),
    population: z
      .object({ documents: z.number().int().openapi({ description: 'Documents the source held that can be sent (distinct ids)' }), rejected: z.number().int().openapi({ description: 'Documents it could not turn into requests' }) })
      .openapi({ description: 'The source when it was sampled' }),
    sample: z
      .object({
        size: z.number().int(),
        seed: z.string().openapi({ description: 'Give it again to draw the same documents' }),
        stratify_by: z.string().nullable(),
        strata: z.array(z.object({ value: z.string().nullable(), population: z.number().int(), sampled: z.number().int() })).nullable().openapi({ description: 'Per value of stratify_by (null: documents without it)' }),
      })
      .openapi({ description: 'The sample drawn' }),
    labels: z
      .object({ kind: z.enum(['values', 'file', 'metadata', 'corrections']), fields: z.array(z.string()), documents: z.number().int().openapi({ description: 'Sampled documents with a label' }) })
      .nullable(),
    compare: z.object({ tolerance: z.record(z.string(), z.number()), exact: z.array(z.string()) }).openapi({ description: 'The compare options in force' }),
    budget: z
      .object({ max_usd: z.number(), spent_usd: z.number().openapi({ description: 'What the arms have cost so far' }) })
      .nullable()
      .openapi({ description: 'The budget of all arms; each arm job holds its share (`arms[].max_usd`)' }),
    arms: z.array(
      z.object({
        name: z.string(),
        model: z.string(),
        max_tokens: z.number().int(),
        changes: z.object({ name: z.string().optional(), model: z.string().optional(), prompt: z.string().optional(), system: z.string().optional(), max_tokens: z.number().int().optional() }).openapi({ description: 'The arm as asked for' }),
        job_id: z.string().nullable().openapi({ description: "The arm's job (GET /v1/jobs/{id})" }),
        status: JobStatusSchema,
        counts: z.object({ total: z.number().int(), succeeded: z.number().int(), failed: z.number().int(), canceled: z.number().int(), open: z.number().int() }),
        cost_usd: z.number(),
        max_usd: z.number().nullable().openapi({ description: "The arm's share of the budget" }),
        promoted_job_id: z.string().nullable().openapi({ description: 'The full job made from this arm, once promoted' }),
      }),
    ),
    comparison: z.union([ExperimentComparisonSchema, z.null()]).openapi({ description: 'Null until every arm has ended' }),
    trace_id: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('Experiment', { description: 'An experiment: its sample, its arms (ordinary jobs) and, once they have ended, the comparison', example: EXAMPLE_EXPERIMENT });

export const EXAMPLE_EXPERIMENT_SUMMARY = { id: EXAMPLE_EXPERIMENT_ID, name: 'haiku-vs-sonnet', status: 'completed', task: 'review-insights', arms: ['haiku', 'sonnet'], sample_size: 3, created_at: EXAMPLE.createdAt };

export const ExperimentSummarySchema = z
  .object({ id: z.string(), name: z.string().nullable(), status: ExperimentStatusSchema, task: z.string(), arms: z.array(z.string()), sample_size: z.number().int(), created_at: z.string() })
  .openapi('ExperimentSummary', { description: 'An experiment in a list', example: EXAMPLE_EXPERIMENT_SUMMARY });

const ANSWER = { sentiment: 'mixed', score: 3, key_points: ['Battery lasts two days', 'the strap broke in a week'], issues: ['the strap broke in a week'], summary: 'The reviewer has mixed feelings: Battery lasts two days, but the strap broke in a week.' };

export const EXAMPLE_EXPERIMENT_DOCUMENT = {
  external_id: 'r1',
  title: null,
  text: 'Battery lasts two days, but the strap broke in a week.',
  text_truncated: false,
  metadata: { rating: 3 },
  answers: { haiku: { status: 'succeeded', output: ANSWER, error: null }, sonnet: { status: 'succeeded', output: ANSWER, error: null } },
  expected: { sentiment: 'mixed' },
  disagreeing_fields: [],
  wrong_arms: [],
};

export const ExperimentDocumentSchema = z
  .object({
    external_id: z.string(),
    title: z.string().nullable(),
    text: z.string().openapi({ description: 'The document text (the first 4,000 characters)' }),
    text_truncated: z.boolean(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    answers: z
      .record(z.string(), z.object({ status: z.enum(['queued', 'submitted', 'succeeded', 'retry_wait', 'failed', 'canceled']), output: z.unknown(), error: z.object({ type: z.string(), message: z.string() }).nullable() }))
      .openapi({ description: "Arm name → the arm's answer (output null unless succeeded)" }),
    expected: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'The gold labels of the document' }),
    disagreeing_fields: z.array(z.string()).openapi({ description: 'Scored fields on which arms that answered disagree' }),
    wrong_arms: z.array(z.string()).openapi({ description: 'Arms that miss a gold label of this document (or gave no answer)' }),
  })
  .openapi('ExperimentDocument', { description: "A sampled document beside every arm's answer", example: EXAMPLE_EXPERIMENT_DOCUMENT });

export const ExperimentIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path', description: 'The experiment id (`exp_…`), as POST /v1/experiments answered it', example: EXAMPLE_EXPERIMENT_ID } }),
});

export const unknownExperiment: ProblemCase = { status: 404, when: 'No experiment has this id', detail: `experiment ${EXAMPLE_EXPERIMENT_ID} does not exist` };
