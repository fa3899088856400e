// Finds a provider batch that we created but whose id we failed to record (crash or lost answer after
// batches.create), so that its items are adopted instead of being submitted, and billed, a second time.
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import type { Batch } from '../../db/types.ts';
import type { EngineContext } from '../context.ts';
import { batchCustomIds } from './materialize.ts';

export interface OrphanSearch {
  found?: MessageBatch;
  /** Set when a candidate exists that cannot be confirmed yet (still processing): wait, do not resubmit. */
  undecided?: string;
}

/** How far before submit_started_at to look (clock skew between us and the provider). */
const WINDOW_SLACK_MS = 10 * 60 * 1000;
/** How many result lines must match to confirm a candidate. */
const CONFIRM_LINES = 20;

export async function findOrphan(ctx: EngineContext, batch: Batch): Promise<OrphanSearch> {
  const since = (batch.submit_started_at?.getTime() ?? batch.created_at.getTime()) - WINDOW_SLACK_MS;
  const candidates: MessageBatch[] = [];
  for await (const remote of ctx.provider.messages.batches.list({ limit: 100 })) {
    if (Date.parse(remote.created_at) < since) break;
    if (total(remote) === batch.request_count) candidates.push(remote);
  }
  if (candidates.length === 0) return {};

  const known = new Set(
    (await ctx.db.selectFrom('batches').select('provider_id').where('provider_id', 'in', candidates.map((c) => c.id)).execute()).map((r) => r.provider_id),
  );
  const unknown = candidates.filter((c) => !known.has(c.id));
  if (unknown.length === 0) return {};

  const ours = await batchCustomIds(ctx.db, ctx.tag, batch.id);
  let pending = 0;
  for (const candidate of unknown) {
    if (candidate.processing_status !== 'ended') {
      pending += 1;
      continue;
    }
    if (await resultsMatch(ctx, candidate.id, ours)) {
      ctx.log.warn({ batch_id: batch.id, provider_batch_id: candidate.id }, 'adopting orphaned provider batch');
      return { found: candidate };
    }
  }
  return pending > 0 ? { undecided: `${pending} unconfirmed provider batch(es) of ${batch.request_count} requests still processing` } : {};
}

async function resultsMatch(ctx: EngineContext, providerId: string, ours: Set<string>): Promise<boolean> {
  let seen = 0;
  for await (const line of await ctx.provider.messages.batches.results(providerId)) {
    if (!ours.has(line.custom_id)) return false;
    seen += 1;
    if (seen >= CONFIRM_LINES) break;
  }
  return seen > 0;
}

function total(b: MessageBatch): number {
  const c = b.request_counts;
  return c.processing + c.succeeded + c.errored + c.canceled + c.expired;
}
