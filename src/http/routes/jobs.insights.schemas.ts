// GET /v1/jobs/{id}/insights: what a job's answers say, field by field; and the filters the results
// explorer shares with it.
import { z } from '@hono/zod-openapi';
import { EXAMPLE } from './shared.schemas.ts';

export const EXAMPLE_INSIGHTS = {
  job_id: EXAMPLE.jobId,
  job_status: 'completed',
  complete: true,
  documents: 200,
  answered: 198,
  filters: [],
  q: null,
  by: null,
  over: null,
  fields: [
    {
      path: 'sentiment',
      kind: 'values',
      answered: 198,
      missing: 0,
      corrected: { count: 2, share: 0.0101 },
      values: [
        { value: 'positive', count: 97, share: 0.4899 },
        { value: 'negative', count: 62, share: 0.3131 },
        { value: 'mixed', count: 27, share: 0.1364 },
        { value: 'neutral', count: 12, share: 0.0606 },
      ],
    },
    {
      path: 'score',
      kind: 'number',
      answered: 198,
      missing: 0,
      corrected: { count: 0, share: 0 },
      stats: { count: 198, min: 1, max: 5, mean: 3.41, median: 4 },
      histogram: [
        { from: 1, to: 1, count: 41 },
        { from: 2, to: 2, count: 19 },
        { from: 3, to: 3, count: 24 },
        { from: 4, to: 4, count: 47 },
        { from: 5, to: 5, count: 67 },
      ],
    },
    {
      path: 'issues',
      kind: 'phrases',
      answered: 198,
      missing: 0,
      corrected: { count: 0, share: 0 },
      empty: 92,
      distinct: 141,
      stats: { count: 198, min: 0, max: 4, mean: 0.9, median: 1 },
      phrases: [
        { phrase: 'battery drain', count: 23, documents: 22, share: 0.1111 },
        { phrase: 'app crashes on start', count: 14, documents: 14, share: 0.0707 },
      ],
    },
    {
      path: 'summary',
      kind: 'text',
      answered: 198,
      missing: 0,
      corrected: { count: 0, share: 0 },
      empty: 0,
      stats: { count: 198, min: 31, max: 164, mean: 78.2, median: 74 },
    },
  ],
  computed_at: EXAMPLE.finishedAt,
  note: null,
};

const ValueCountSchema = z.object({
  value: z.unknown().openapi({ description: 'The value as the answer holds it; null counts the answers without one' }),
  count: z.number().int(),
  share: z.number().openapi({ description: 'Of the answers counted in this group, 0–1' }),
});

const NumberStatsSchema = z
  .object({
    count: z.number().int(),
    min: z.number().nullable(),
    max: z.number().nullable(),
    mean: z.number().nullable(),
    median: z.number().nullable(),
  })
  .openapi('NumberStats', { description: 'Statistics of a number: the value, or a length (characters of text, members of a list)' });

const FieldAggregateShape = {
  answered: z.number().int().openapi({ description: 'Answers that give the field a value' }),
  missing: z.number().int().openapi({ description: 'Answers without a value for it (null or absent)' }),
  corrected: z.object({ count: z.number().int(), share: z.number() }).openapi({ description: 'Corrections of the field, and their share of the answers that hold it: an error rate of the model as people found it' }),
  values: z.array(ValueCountSchema).optional().openapi({ description: 'values: every allowed value with its count; code: the most frequent values' }),
  distinct: z.number().int().optional().openapi({ description: 'code, date, phrases: how many different values (phrases) there are' }),
  stats: NumberStatsSchema.optional(),
  histogram: z
    .array(z.object({ from: z.number(), to: z.number(), count: z.number().int() }))
    .optional()
    .openapi({ description: 'number: bins in order; an integer field with a small range has one bin per value (from = to)' }),
  totals: z
    .array(z.object({ currency: z.string(), total: z.number(), count: z.number().int() }))
    .optional()
    .openapi({ description: 'number beside a currency code: the sum per currency' }),
  months: z.array(z.object({ month: z.string(), count: z.number().int() })).optional().openapi({ description: 'date: answers per month (YYYY-MM)' }),
  phrases: z
    .array(z.object({ phrase: z.string(), count: z.number().int(), documents: z.number().int(), share: z.number() }))
    .optional()
    .openapi({ description: 'phrases: the most frequent members after normalising case, inner whitespace and surrounding punctuation' }),
  empty: z.number().int().optional().openapi({ description: 'text, list, phrases: answered with an empty value' }),
};

const FieldInsightSchema = z
  .object({
    path: z.string().openapi({ description: 'Dotted path of the field in the answer' }),
    kind: z.enum(['values', 'number', 'phrases', 'date', 'code', 'text', 'list']).openapi({ description: "Chosen from the field's JSON Schema type" }),
    ...FieldAggregateShape,
    groups: z
      .array(z.object({ by: z.string(), ...FieldAggregateShape }))
      .optional()
      .openapi({ description: 'With `by`: the same aggregate per value of the metadata field' }),
  })
  .openapi('FieldInsight', { description: "One field of the task's answer, aggregated over the answers counted" });

export const InsightsSchema = z
  .object({
    job_id: z.string(),
    job_status: z.string(),
    complete: z.boolean().openapi({ description: 'False while the job can still add answers: the figures cover what is stored so far' }),
    documents: z.number().int().openapi({ description: "The job's documents" }),
    answered: z.number().int().openapi({ description: 'Succeeded answers counted (after the filters)' }),
    filters: z.array(z.string()),
    q: z.string().nullable(),
    by: z
      .object({ field: z.string(), values: z.array(z.string()), other: z.boolean().openapi({ description: 'Whether values past the 50 most frequent were put together as "(other)"' }) })
      .nullable(),
    over: z
      .object({
        field: z.string(),
        unit: z.enum(['day', 'week']),
        points: z.array(
          z.object({
            period: z.string().openapi({ description: 'The day, or the Monday starting the week (YYYY-MM-DD)' }),
            count: z.number().int(),
            values: z.record(z.string(), z.record(z.string(), z.number().int())).openapi({ description: 'Per field of fixed values: count per value in the period' }),
          }),
        ),
        undated: z.number().int().openapi({ description: 'Answers whose document has no date in the field' }),
      })
      .nullable(),
    fields: z.array(FieldInsightSchema),
    computed_at: z.string().openapi({ description: 'When these figures were computed (they are kept while nothing they come from changed)' }),
    note: z.string().nullable().openapi({ description: 'What the figures do not cover yet, in a sentence (a running job, purged answers)' }),
  })
  .openapi('Insights', { description: "What a job's answers say: an aggregate per field of the task's answer schema, chosen by its type", example: EXAMPLE_INSIGHTS });

/** `filter` may be given once or repeated: the query validator hands one as a string, several as a list. */
export const FilterParam = z
  .union([z.string().max(1000), z.array(z.string().max(1000)).max(20)])
  .optional()
  .openapi({
    param: {
      description:
        'FIELD OP VALUE, repeatable (all must hold): an answer field (`sentiment=negative`, `score<=2`, `issues=battery drain` for a phrase in a list, `summary~refund` for text containing) or `metadata.KEY` (`metadata.rating=1`). OP: = != < <= > >= ~',
      example: 'score>=1',
    },
  });

export const SearchParam = z
  .string()
  .max(200)
  .optional()
  .openapi({ param: { description: "Only answers with a text value containing this (case-insensitive), in any field", example: 'battery' } });

export function filterList(raw: string | string[] | undefined): string[] {
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}
