// Deletes an ended batch at the provider (DELETE /v1/messages/batches/{id}, reference §2): its inputs and
// results are then gone there too, instead of staying for 29 days. Only ended batches can be deleted; the
// callers ask only for batches whose row is final (collected or failed), i.e. seen ended.
import type { EngineContext } from '../context.ts';
import { classifyProviderError } from '../../provider/errors.ts';
import { countAdd } from '../../telemetry/metrics.ts';

/** Why a batch is deleted at the provider: a job delete, retention, or BATCHLINE_PROVIDER_CLEANUP=after_collect. */
export type ProviderDeleteReason = 'job_delete' | 'retention' | 'after_collect';

/**
 * A 404 on delete for a batch we saw ended usually means an earlier delete of ours landed and its answer
 * was lost (a crash, a cut connection). But the API also answers 404 for batches that exist and are not
 * visible for a moment (reference §12), so one 404 settles nothing: only this many in a row, a sweep apart.
 */
const NOT_FOUND_LOOKS = 3;

export interface DeletableBatch {
  id: number;
  provider_id: string;
  provider_delete_attempts: number;
  provider_delete_not_found: number;
}

/** true: deleted at the provider (now or before); false: not yet, look again at the next sweep. */
export async function deleteAtProvider(ctx: Pick<EngineContext, 'db' | 'provider' | 'log'>, batch: DeletableBatch, reason: ProviderDeleteReason): Promise<boolean> {
  try {
    await ctx.provider.messages.batches.delete(batch.provider_id);
  } catch (error) {
    const failure = classifyProviderError(error);
    const attempts = batch.provider_delete_attempts + 1;
    // A 404 streak: a 429 or 5xx between two 404s says nothing about whether the batch is still there.
    const notFound = failure.kind === 'not_found' ? batch.provider_delete_not_found + 1 : 0;
    const gone = notFound >= NOT_FOUND_LOOKS;
    if (!gone) {
      await ctx.db.updateTable('batches').set({ provider_delete_attempts: attempts, provider_delete_not_found: notFound }).where('id', '=', batch.id).execute();
      ctx.log.warn({ batch_id: batch.id, provider_batch_id: batch.provider_id, kind: failure.kind, error: failure.error.message, attempts }, 'provider batch delete failed; will try again');
      return false;
    }
    ctx.log.info({ batch_id: batch.id, provider_batch_id: batch.provider_id, attempts }, 'provider batch no longer exists; taken as deleted');
  }
  await ctx.db.updateTable('batches').set({ provider_deleted_at: new Date(), provider_delete_attempts: batch.provider_delete_attempts + 1 }).where('id', '=', batch.id).execute();
  countAdd('providerBatchesDeleted', 1, { reason });
  return true;
}
