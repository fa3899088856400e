// The comparison of an experiment's arms: rates with Wilson intervals, agreement, confusion, accuracy against labels.
import { z } from '@hono/zod-openapi';

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

export const EXAMPLE_EXPERIMENT_COMPARISON = {
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

export const ExperimentComparisonSchema = z
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
  .openapi('ExperimentComparison', { description: 'The arms compared, once every arm has ended', example: EXAMPLE_EXPERIMENT_COMPARISON });
