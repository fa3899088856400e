// Prompt caching as the API does it (reference §14). A cache_control breakpoint on a prefix shorter than
// the model's minimum caches nothing and is billed in full, silently; inside a batch even a long prefix
// is read from the cache only best-effort. So a job marks its task's shared prefix only when it can be
// cached, and an estimate counts on reads only at the hit rate earlier jobs of the task actually saw.
import { sql, type Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { DB, PromptCacheDecision } from '../../db/types.ts';
import { minCacheablePrefixTokens } from '../../provider/prompt-cache-rules.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import type { EngineContext } from '../context.ts';
import { measurePrefix, type HitRate } from './estimate.ts';
import { buildParams } from '../documents/request.ts';

/** Bytes of serialized prefix per token, when count_tokens cannot say: more than tokenizers give, so the prefix is never overstated. */
const BYTES_PER_TOKEN_FLOOR = 4.5;

/** Measures the task's shared prefix (count_tokens, else its size) and holds it against the model's minimum. */
export async function decidePromptCache(ctx: Pick<EngineContext, 'provider' | 'config'>, task: ResolvedTask, options: { measure?: boolean } = {}): Promise<PromptCacheDecision> {
  const min = minCacheablePrefixTokens(task.model, ctx.config.BATCHLINE_CACHE_MIN_TOKENS);
  // Nothing to send (a dry run of documents all rejected or cached): not worth a count_tokens call.
  const measured = options.measure === false ? 0 : await measurePrefix(ctx.provider, task);
  const prefixTokens = measured > 0 ? measured : prefixTokensBySize(task);
  return { marked: prefixTokens >= min, prefix_tokens: prefixTokens, min_prefix_tokens: min, basis: measured > 0 ? 'count_tokens' : 'bytes' };
}

function prefixTokensBySize(task: ResolvedTask): number {
  const { tools, system } = buildParams(task, { id: '', text: '' });
  return Math.floor(Buffer.byteLength(JSON.stringify({ tools, system })) / BYTES_PER_TOKEN_FLOOR);
}

/** The job's decision, made once (the first replica to store it wins; the others read it back). */
export async function ensurePromptCache(ctx: Pick<EngineContext, 'db' | 'provider' | 'config'>, jobId: string, task: ResolvedTask): Promise<PromptCacheDecision> {
  const decision = await decidePromptCache(ctx, task);
  const stored = await sql<{ prompt_cache: PromptCacheDecision }>`
    UPDATE jobs SET prompt_cache = coalesce(prompt_cache, ${JSON.stringify(decision)}::jsonb)
    WHERE id = ${jobId} RETURNING prompt_cache`.execute(ctx.db);
  return stored.rows[0]?.prompt_cache ?? decision;
}

/** What the job view and the CLI say about it, in a sentence. */
export function promptCacheNote(decision: PromptCacheDecision, model: string): string {
  return decision.marked
    ? `the task's shared prefix (${decision.prefix_tokens} tokens) is marked for the prompt cache (${model} caches prefixes from ${decision.min_prefix_tokens} tokens); hits inside a batch are best effort`
    : `no prefix was cacheable: the task's shared prefix is ${decision.prefix_tokens} tokens and ${model} caches prefixes from ${decision.min_prefix_tokens} tokens, so nothing is marked and every input token is billed in full`;
}

/** Fewer requests that touched the cache than this say too little about the rate. */
const MIN_OBSERVED = 20;
const OBSERVE_AT_MOST = 5000;

/** Share of requests that read the prefix rather than write it, in recent jobs of the same task and model. */
export async function expectedHitRate(db: Kysely<DB>, config: Pick<Config, 'BATCHLINE_PROMPT_CACHE_HIT_RATE'>, task: ResolvedTask, excludeJobId?: string): Promise<HitRate> {
  const row = await sql<{ reads: number; touched: number }>`
    SELECT count(*) FILTER (WHERE cache_read_input_tokens > 0)::int AS reads, count(*)::int AS touched FROM (
      SELECT r.cache_read_input_tokens FROM results r
      WHERE r.outcome = 'succeeded' AND NOT r.from_cache
        AND (r.cache_read_input_tokens > 0 OR r.cache_creation_input_tokens > 0)
        AND r.job_id IN (
          SELECT id FROM jobs
          WHERE task->>'name' = ${task.name} AND task->>'model' = ${task.model} AND (prompt_cache->>'marked')::boolean
            AND id <> ${excludeJobId ?? ''}
          ORDER BY created_at DESC LIMIT 20)
      LIMIT ${OBSERVE_AT_MOST}) recent`.execute(db);
  const r = row.rows[0];
  if (r && Number(r.touched) >= MIN_OBSERVED) return { rate: Number(r.reads) / Number(r.touched), basis: 'observed' };
  return { rate: config.BATCHLINE_PROMPT_CACHE_HIT_RATE, basis: 'assumed' };
}
