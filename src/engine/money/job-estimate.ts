// A real job's estimate, made once before its first batch from the items it holds, and stored: the job
// view shows it next to the actual cost, and the budget takes its measured tokens-per-byte ratio.
import { sql } from 'kysely';
import type { ResolvedTask } from '../../tasks/types.ts';
import type { EngineContext } from '../context.ts';
import type { StoredDocument } from '../documents/document.ts';
import { sampledRequests } from './sampled-requests.ts';
import { composeEstimate, measureSample, type Estimate } from './estimate.ts';
import { expectedHitRate } from './prompt-cache.ts';
import type { PromptCacheDecision } from '../../db/types.ts';
import { guessOutputTokens } from './estimate-output.ts';
import { jobMoneyOf, usageRowsOf } from './usage-rows.ts';

/** Requests of a job measured with count_tokens before it starts (count_tokens is free, but rate-limited). */
export const JOB_SAMPLE = 20;

export interface StoredEstimate extends Estimate {
  made_at: string;
  /** Made while the job's source was still being read (its first batch went out early): made again once the read ends. */
  while_reading?: boolean;
}

/**
 * The items the job sends or has sent: waiting ones, and any sent at least once. Not those rejected at
 * ingest or answered by the result cache (neither is ever sent). A job whose batches went out while its
 * source was read is estimated again at the end of the read, over all of them, not just what is left.
 */
const SENT = sql`(status = 'queued' OR attempts > 0)`;

export async function estimateStoredJob(ctx: Pick<EngineContext, 'db' | 'provider' | 'config'>, jobId: string, task: ResolvedTask, cacheEnabled: boolean, promptCache: PromptCacheDecision): Promise<StoredEstimate> {
  const [totals, sample, reused] = await Promise.all([
    sql<{ n: number; bytes: number; rejected: number }>`
      SELECT count(*) FILTER (WHERE ${SENT})::int AS n,
        coalesce(sum(request_bytes) FILTER (WHERE ${SENT}), 0)::int8 AS bytes,
        count(*) FILTER (WHERE status = 'failed' AND attempts = 0)::int AS rejected
      FROM items WHERE job_id = ${jobId}`.execute(ctx.db),
    // md5 of the id: a spread-out sample that is the same on every replica (and cheap to order). Items
    // not yet final still hold their text (a final one may have dropped it: text-at-rest.ts).
    sql<{ document: StoredDocument; request_bytes: number }>`
      SELECT document, request_bytes FROM items WHERE job_id = ${jobId} AND status IN ('queued','submitted','retry_wait')
      ORDER BY md5(id::text) LIMIT ${JOB_SAMPLE}`.execute(ctx.db),
    usageRowsOf(ctx.db, jobId),
  ]);
  const t = totals.rows[0] ?? { n: 0, bytes: 0, rejected: 0 };
  const items = Number(t.n);
  const bytes = Number(t.bytes);
  const { BATCH_MAX_REQUESTS: maxRequests, BATCH_MAX_BYTES: maxBytes } = ctx.config;
  const batches = items === 0 ? 0 : Math.max(Math.ceil(items / maxRequests), Math.ceil(bytes / maxBytes));
  const requests = await sampledRequests(task, sample.rows.map((r) => ({ doc: r.document, bytes: Number(r.request_bytes) })));
  const [measured, hitRate, output] = await Promise.all([
    measureSample(ctx.provider, requests),
    expectedHitRate(ctx.db, ctx.config, task, jobId),
    guessOutputTokens(ctx.db, task, jobId),
  ]);
  // Answers the result cache gave at ingest: not sent, and what they saved.
  const { hits: cacheHits, cost } = jobMoneyOf(reused, task.model);
  const cacheSavedUsd = cost.savings.result_cache_usd;
  const estimate = composeEstimate({
    task,
    tally: { items, rejected: Number(t.rejected), batches, bytes, cacheHits, cacheSavedUsd, cacheEnabled },
    measured,
    promptCache,
    hitRate,
    output,
  });
  return { ...estimate, made_at: new Date().toISOString() };
}
