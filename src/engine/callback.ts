// A verified completion callback: remember its webhook-id (replays change nothing) and make the
// batch due for a provider check now. The body is never trusted beyond naming the batch.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';

export type CallbackResult = 'accepted' | 'unknown_batch' | 'replayed';

export async function recordBatchCallback(db: Kysely<DB>, webhookId: string, providerBatchId: string): Promise<CallbackResult> {
  return db.transaction().execute(async (trx) => {
    const fresh = await trx
      .insertInto('callback_events')
      .values({ webhook_id: webhookId, provider_batch_id: providerBatchId, outcome: 'received' })
      .onConflict((oc) => oc.column('webhook_id').doNothing())
      .returning('webhook_id')
      .executeTakeFirst();
    if (!fresh) return 'replayed';
    const due = await sql`
      UPDATE batches SET next_run_at = now(), updated_at = now()
      WHERE provider_id = ${providerBatchId} AND status IN ('in_progress','canceling')`.execute(trx);
    const outcome: CallbackResult = Number(due.numAffectedRows ?? 0) > 0 ? 'accepted' : 'unknown_batch';
    await trx.updateTable('callback_events').set({ outcome }).where('webhook_id', '=', webhookId).execute();
    return outcome;
  });
}
