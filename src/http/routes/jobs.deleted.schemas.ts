// GET /v1/jobs/deleted: what is kept of a deleted job (its tombstone).
import { z } from '@hono/zod-openapi';
import { EXAMPLE, EXAMPLE_USAGE, UsageSchema } from './shared.schemas.ts';

export const EXAMPLE_TOMBSTONE = {
  id: EXAMPLE.jobId,
  name: 'q3-reviews',
  task: 'review-insights',
  model: 'claude-haiku-5-5',
  status_before: 'completed',
  counts: { total: 2, queued: 0, submitted: 0, succeeded: 2, failed: 0, canceled: 0, retry_wait: 0 },
  usage: EXAMPLE_USAGE,
  cost: { usd: 0.000673, standard_usd: 0.001346, saved_usd: 0.000673 },
  provider_batches: 1,
  deleted_by: 'api:key-3f9a0c2b7d41',
  created_at: EXAMPLE.createdAt,
  finished_at: EXAMPLE.finishedAt,
  delete_requested_at: '2026-12-01T09:12:44.020Z',
  deleted_at: '2026-12-01T09:12:47.388Z',
};

export const TombstoneSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    task: z.string().openapi({ description: 'The task name' }),
    model: z.string(),
    status_before: z.string().openapi({ description: 'The status the job had when its delete was asked for' }),
    counts: z.record(z.string(), z.number().int()).openapi({ description: 'Items by state when it was deleted' }),
    usage: UsageSchema,
    cost: z.object({ usd: z.number(), standard_usd: z.number(), saved_usd: z.number() }).openapi({ description: 'What the job cost, in USD' }),
    provider_batches: z.number().int().openapi({ description: 'Provider batches it had, all deleted at the provider' }),
    deleted_by: z.string().openapi({ description: 'Who asked: a fingerprint of the bearer token (`api:key-…`), `dashboard:…` or `…:anonymous`; never the token' }),
    created_at: z.string(),
    finished_at: z.string().nullable(),
    delete_requested_at: z.string(),
    deleted_at: z.string().openapi({ description: 'When its last row was removed' }),
  })
  .openapi('DeletedJob', { description: 'What is kept of a deleted job for an audit: who deleted it and when, its counts, usage and cost; no text', example: EXAMPLE_TOMBSTONE });
