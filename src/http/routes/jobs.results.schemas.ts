// GET /v1/jobs/{id}/results: the final result of one document.
import { z } from '@hono/zod-openapi';
import { ErrorInfoSchema, EXAMPLE, orNull, UsageSchema } from './shared.schemas.ts';

export const EXAMPLE_RESULT = {
  job_id: EXAMPLE.jobId,
  item_id: '1',
  external_id: 'r1',
  status: 'succeeded',
  output: {
    sentiment: 'mixed',
    score: 3,
    key_points: ['battery lasts two days', 'strap broke within a week'],
    issues: ['strap broke within a week'],
    summary: 'Long battery life, but the strap broke after a week.',
  },
  error: null,
  attempts: 1,
  usage: { input_tokens: 343, output_tokens: 66, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  metadata: { rating: 3 },
};

export const ResultSchema = z
  .object({
    job_id: z.string(),
    item_id: z.string().openapi({ description: "Batchline's id of the item" }),
    external_id: z.string().openapi({ description: "The document's `id`" }),
    status: z.enum(['succeeded', 'failed', 'canceled']),
    output: z.unknown().nullable().openapi({ description: "The answer, valid against the task's output schema (null unless succeeded)" }),
    error: orNull(ErrorInfoSchema).openapi({ description: 'Why the item failed (null unless failed or canceled)' }),
    attempts: z.number().int().openapi({ description: 'Submissions it took' }),
    usage: orNull(UsageSchema),
    metadata: z.record(z.string(), z.unknown()).nullable().openapi({ description: "The document's metadata" }),
    document: z
      .object({
        title: z.string().nullable(),
        text: z.string().nullable(),
        text_kept: z.boolean().openapi({ description: 'False when the text is not stored: dropped once the item was answered (BATCHLINE_TEXT_AT_REST=until_retention keeps it) or purged by retention' }),
      })
      .optional()
      .openapi({ description: 'With include=document: the document beside its answer' }),
  })
  .openapi('Result', { description: 'The final result of one document', example: EXAMPLE_RESULT });
