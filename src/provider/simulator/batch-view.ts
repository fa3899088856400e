// Renders a batch record as the API's MessageBatch object (reference §2).
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages';
import { statusOf } from './lifecycle.ts';
import type { BatchRecord } from './store.ts';
import { DAY_MS, rfc3339 } from './timestamps.ts';

/** `origin` is http://host:port of the simulator, so the SDK fetches results from it and never from production. */
export function toMessageBatch(batch: BatchRecord, origin: string): MessageBatch {
  const ended = batch.endedAt !== null;
  return {
    id: batch.id,
    type: 'message_batch',
    processing_status: statusOf(batch),
    // Every request counts as processing until the whole batch has ended.
    request_counts: ended
      ? { ...batch.counts, processing: 0 }
      : { processing: batch.requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    created_at: rfc3339(batch.createdAt),
    expires_at: rfc3339(batch.createdAt + DAY_MS),
    ended_at: batch.endedAt === null ? null : rfc3339(batch.endedAt),
    cancel_initiated_at: batch.cancelInitiatedAt === null ? null : rfc3339(batch.cancelInitiatedAt),
    archived_at: null,
    results_url: ended ? `${origin}/v1/messages/batches/${encodeURIComponent(batch.id)}/results` : null,
  };
}
