// Request and response schemas of the experiments API, with their OpenAPI descriptions and examples. The
// examples tell one story: two arms (haiku, sonnet) of review-insights on a sample of three of four
// inline reviews, with gold labels, and the comparison they end with.
import { z } from '@hono/zod-openapi';
import { MAX_SAMPLE } from '../experiments/read-sample.ts';
import { CreateJobSchema, EXAMPLE, JobStatusSchema, PilotSchema, type ProblemCase } from './schemas.ts';

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
  })
  .openapi('Labels', {
    description: 'Gold labels: give exactly one of values, path or metadata. Every labelled id must be in the source; every field must be a scored field of the answer (not free text), with a valid value.',
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

const IntervalSchema = z
  .object({ low: z.number(), high: z.number(), confidence: z.number().openapi({ description: '0.95' }), method: z.literal('wilson') })
  .openapi('Interval', { description: 'A 95% Wilson score interval for a rate', example: { low: 0.4385, high: 1, confidence: 0.95, method: 'wilson' } });

const rateFields = {
  k: z.number().int().openapi({ description: 'Successes (valid, agreeing, correct)' }),
  n: z.number().int().openapi({ description: 'Documents counted' }),
  rate: z.number().nullable().openapi({ description: 'k / n (null when n is 0)' }),
  interval: IntervalSchema.nullable(),
};

const RateSchema = z.object(rateFields).openapi('Rate', { description: 'A rate with its 95% Wilson interval', example: { k: 3, n: 3, rate: 1, interval: { low: 0.4385, high: 1, confidence: 0.95, method: 'wilson' } } });

const FieldKindSchema = z.enum(['enum', 'boolean', 'number', 'exact', 'set', 'text', 'text_list']).openapi('FieldKind', {
  description: 'How a field is compared: enum, boolean, exact (constrained strings) — equality; number — within the tolerance; set — equal sets (overlap measured); text, text_list — free text, only by emptiness and length',
  example: 'enum',
});

const EXAMPLE_INTERVAL = { low: 0.4385, high: 1, confidence: 0.95, method: 'wilson' as const };

const EXAMPLE_ARM_METRICS = {
  arm: 'haiku',
  answered: 3,
  failed: 0,
  schema_valid: { k: 3, n: 3, rate: 1, interval: EXAMPLE_INTERVAL },
  usage: { input_tokens: 1029, output_tokens: 201, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, per_document: { input_tokens: 343, output_tokens: 67 } },
  cost: { usd: 0.001017, reused_usd: 0, per_1000_usd: 0.339, projected_source_usd: 0.001356, promote_usd: 0.000339 },
};

const ArmMetricsSchema = z
  .object({
    arm: z.string(),
    answered: z.number().int().openapi({ description: 'Sampled documents with a schema-valid answer' }),
    failed: z.number().int(),
    schema_valid: RateSchema.openapi({ description: 'Answers that passed the schema, of those judged (provider errors are not judgments)' }),
    usage: z
      .object({
        input_tokens: z.number().int(),
        output_tokens: z.number().int(),
        cache_creation_input_tokens: z.number().int(),
        cache_read_input_tokens: z.number().int(),
        per_document: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() }).openapi({ description: 'Means per sampled document (input includes cached tokens)' }),
      })
      .openapi({ description: 'Tokens billed to the arm' }),
    cost: z
      .object({
        usd: z.number().openapi({ description: "Billed to the arm's job, batch price" }),
        reused_usd: z.number().openapi({ description: 'What answers taken from the result cache cost when first paid for' }),
        per_1000_usd: z.number().openapi({ description: '(usd + reused_usd) / sampled documents × 1,000' }),
        projected_source_usd: z.number().openapi({ description: 'The same per document × documents in the source' }),
        promote_usd: z.number().openapi({ description: 'What promoting the arm would cost: the documents it has not answered yet' }),
      })
      .openapi({ description: 'USD' }),
  })
  .openapi('ArmMetrics', { description: 'One arm on the sample: answers, schema-valid rate, tokens and cost, extrapolated', example: EXAMPLE_ARM_METRICS });

const EXAMPLE_AGREEMENT = { field: 'sentiment', kind: 'enum', arms: ['haiku', 'sonnet'], k: 3, n: 3, rate: 1, interval: EXAMPLE_INTERVAL, mean_overlap: null, mean_length: null };

const AgreementSchema = z
  .object({
    field: z.string(),
    kind: FieldKindSchema,
    arms: z.tuple([z.string(), z.string()]),
    ...rateFields,
    mean_overlap: z.number().nullable().openapi({ description: 'set fields: mean Jaccard overlap' }),
    mean_length: z.record(z.string(), z.number()).nullable().openapi({ description: 'text fields: mean length per arm (characters, or items of a list)' }),
  })
  .openapi('Agreement', { description: 'How often two arms give the same value of a field, over documents both answered', example: EXAMPLE_AGREEMENT });

const EXAMPLE_CONFUSION = {
  field: 'sentiment',
  rows: 'haiku',
  columns: 'sonnet',
  values: ['positive', 'negative', 'neutral', 'mixed', null],
  counts: [
    [1, 0, 0, 0, 0],
    [0, 1, 0, 0, 0],
    [0, 0, 0, 0, 0],
    [0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0],
  ],
  total: 3,
};

const ConfusionSchema = z
  .object({
    field: z.string(),
    rows: z.string().openapi({ description: 'An arm, or `expected` (the gold labels)' }),
    columns: z.string().openapi({ description: 'An arm' }),
    values: z.array(z.unknown()).openapi({ description: 'The values, rows and columns alike; null last: no answer (or no label)' }),
    counts: z.array(z.array(z.number().int())).openapi({ description: 'counts[r][c]: documents with values[r] in the rows and values[c] in the columns' }),
    total: z.number().int().openapi({ description: 'Sum of the counts: the sampled documents (labelled ones, against labels)' }),
  })
  .openapi('Confusion', { description: 'A confusion matrix of an enum or boolean field', example: EXAMPLE_CONFUSION });

const EXAMPLE_ACCURACY = { arm: 'haiku', field: 'sentiment', kind: 'enum', k: 3, n: 3, rate: 1, interval: EXAMPLE_INTERVAL, unanswered: 0, mean_overlap: null };

const AccuracySchema = z
  .object({
    arm: z.string(),
    field: z.string(),
    kind: FieldKindSchema,
    ...rateFields,
    unanswered: z.number().int().openapi({ description: 'Labelled documents without a schema-valid answer (counted wrong)' }),
    mean_overlap: z.number().nullable(),
  })
  .openapi('Accuracy', { description: "An arm's accuracy on a field against the gold labels (k correct of n labelled), with its 95% Wilson interval", example: EXAMPLE_ACCURACY });

const DifferenceSchema = z
  .object({
    field: z.string(),
    arms: z.tuple([z.string(), z.string()]),
    labelled: z.number().int(),
    accuracy_difference: z.number().openapi({ description: "The first arm's accuracy minus the second's" }),
    only_first_correct: z.number().int(),
    only_second_correct: z.number().int(),
    p_value: z.number().openapi({ description: 'McNemar exact test (two-sided) on the same documents: small means the difference is unlikely to be chance' }),
  })
  .openapi('AccuracyDifference', {
    description: 'Two arms scored on the same labelled documents',
    example: { field: 'sentiment', arms: ['haiku', 'sonnet'], labelled: 3, accuracy_difference: 0, only_first_correct: 0, only_second_correct: 0, p_value: 1 },
  });

const EXAMPLE_COMPARISON = {
  documents: 3,
  fields: [
    { field: 'sentiment', kind: 'enum', tolerance: null, values: ['positive', 'negative', 'neutral', 'mixed'] },
    { field: 'score', kind: 'number', tolerance: 0, values: null },
    { field: 'key_points', kind: 'text_list', tolerance: null, values: null },
    { field: 'issues', kind: 'text_list', tolerance: null, values: null },
    { field: 'summary', kind: 'text', tolerance: null, values: null },
  ],
  arms: [EXAMPLE_ARM_METRICS, { ...EXAMPLE_ARM_METRICS, arm: 'sonnet', cost: { usd: 0.003051, reused_usd: 0, per_1000_usd: 1.017, projected_source_usd: 0.004068, promote_usd: 0.001017 } }],
  agreement: [EXAMPLE_AGREEMENT],
  confusion: [EXAMPLE_CONFUSION],
  accuracy: [EXAMPLE_ACCURACY, { ...EXAMPLE_ACCURACY, arm: 'sonnet' }],
  label_confusion: [{ ...EXAMPLE_CONFUSION, rows: 'expected', columns: 'haiku' }],
  differences: [{ field: 'sentiment', arms: ['haiku', 'sonnet'], labelled: 3, accuracy_difference: 0, only_first_correct: 0, only_second_correct: 0, p_value: 1 }],
  disagreements: { documents: 0, by_field: {} },
  method: {
    interval: 'Wilson score interval, 95% confidence, for the sample size used',
    agreement: 'Between two arms, over documents both answered',
    accuracy: 'Per arm, over documents with a label for the field; a document the arm did not answer counts as wrong',
    cost: 'Per 1,000 documents: (billed + reused) / sampled documents × 1,000',
  },
};

const ComparisonSchema = z
  .object({
    documents: z.number().int().openapi({ description: 'Sampled documents' }),
    fields: z
      .array(z.object({ field: z.string(), kind: FieldKindSchema, tolerance: z.number().nullable(), values: z.array(z.unknown()).nullable() }))
      .openapi({ description: "The answer's fields (nested ones as dotted paths) and how each is compared" }),
    arms: z.array(ArmMetricsSchema),
    agreement: z.array(AgreementSchema).openapi({ description: 'Per field and pair of arms' }),
    confusion: z.array(ConfusionSchema).openapi({ description: 'Per enum or boolean field and pair of arms: every sampled document counted once' }),
    accuracy: z.array(AccuracySchema).nullable().openapi({ description: 'Per labelled field and arm; null without labels' }),
    label_confusion: z.array(ConfusionSchema).nullable().openapi({ description: 'Expected value (rows) against each arm (columns), labelled documents only' }),
    differences: z.array(DifferenceSchema).nullable().openapi({ description: 'Per labelled field and pair of arms' }),
    disagreements: z
      .object({ documents: z.number().int(), by_field: z.record(z.string(), z.number().int()) })
      .openapi({ description: 'Documents where arms disagree on a scored field (list them with GET /v1/experiments/{id}/documents?filter=disagreements)' }),
    method: z
      .object({ interval: z.string(), agreement: z.string(), accuracy: z.string().nullable(), cost: z.string() })
      .openapi({ description: 'How each figure is computed, in words' }),
  })
  .openapi('ExperimentComparison', { description: 'The arms compared, once every arm has ended', example: EXAMPLE_COMPARISON });

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
  comparison: EXAMPLE_COMPARISON,
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
      .object({ kind: z.enum(['values', 'file', 'metadata']), fields: z.array(z.string()), documents: z.number().int().openapi({ description: 'Sampled documents with a label' }) })
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
    comparison: z.union([ComparisonSchema, z.null()]).openapi({ description: 'Null until every arm has ended' }),
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
