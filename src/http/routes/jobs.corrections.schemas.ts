// Corrections of a job's answers: the body of a correction and the per-item view the API returns.
import { z } from '@hono/zod-openapi';
import { EXAMPLE } from './shared.schemas.ts';

export const EXAMPLE_CORRECTION_INPUT = { fields: { sentiment: 'negative', score: 2 }, author: 'maria@example.com', note: 'Sarcastic: "great, another crash"' };

export const EXAMPLE_ITEM_CORRECTIONS = {
  job_id: EXAMPLE.jobId,
  item_id: '1',
  external_id: 'r1',
  fields: {
    score: { value: 2, model_value: 4, corrected_by: 'api:key-3f9a1c2e7b40', author: 'maria@example.com', note: 'Sarcastic: "great, another crash"', updated_at: EXAMPLE.finishedAt },
    sentiment: { value: 'negative', model_value: 'positive', corrected_by: 'api:key-3f9a1c2e7b40', author: 'maria@example.com', note: 'Sarcastic: "great, another crash"', updated_at: EXAMPLE.finishedAt },
  },
};

export const CorrectionInputSchema = z
  .object({
    fields: z
      .record(z.string(), z.unknown())
      .openapi({ description: "Field path → the right value, valid against that field's schema and different from the model's answer" }),
    author: z.string().max(200).optional().openapi({ description: 'Who corrected it, as they want to be named (the key or session is recorded as well)' }),
    note: z.string().max(2000).optional().openapi({ description: 'Why, for whoever reads the labels later' }),
  })
  .openapi('CorrectionInput', { description: 'The right values of one or more fields of an answer', example: EXAMPLE_CORRECTION_INPUT });

const FieldCorrectionSchema = z.object({
  value: z.unknown().openapi({ description: 'The right value' }),
  model_value: z.unknown().openapi({ description: 'What the model answered (null when it gave no value)' }),
  corrected_by: z.string().openapi({ description: 'How it came and a fingerprint of the key or dashboard session (never the secret)' }),
  author: z.string().nullable(),
  note: z.string().nullable(),
  updated_at: z.string(),
});

export const ItemCorrectionsSchema = z
  .object({
    job_id: z.string(),
    item_id: z.string(),
    external_id: z.string().openapi({ description: "The document's `id`" }),
    fields: z.record(z.string(), FieldCorrectionSchema).openapi({ description: 'Per corrected field' }),
  })
  .openapi('ItemCorrections', { description: "The corrections of one document's answer", example: EXAMPLE_ITEM_CORRECTIONS });

export const ItemParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path', description: 'The job id (`job_…`)', example: EXAMPLE.jobId } }),
  external_id: z
    .string()
    .min(1)
    .max(500)
    .openapi({ param: { name: 'external_id', in: 'path', description: "The document's `id` (URL-encoded)", example: 'r1' } }),
});
