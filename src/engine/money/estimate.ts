// What a job will cost, before anything is sent. Input tokens: a sample of requests measured exactly with
// count_tokens, extrapolated to the rest by request size (a ratio estimator, with its 95% error bound).
// Output tokens: the mean observed on earlier runs of the same task and model, else a typical answer of
// the task's schema, capped by max_tokens. The prompt cache and the result cache are priced in.
import type Anthropic from '@anthropic-ai/sdk';
import type { ResolvedTask } from '../../tasks/types.ts';
import { BATCH_DISCOUNT, priceOf, round } from './cost.ts';
import { FALLBACK_TOKENS_PER_BYTE, worstCaseUsd } from './budget.ts';
import { buildParams, type MessageParams } from '../documents/request.ts';
import type { OutputGuess } from './estimate-output.ts';
import type { PromptCacheDecision } from '../../db/types.ts';

/** The share of requests expected to read the cached prefix rather than write it (prompt-cache.ts measures it). */
export interface HitRate {
  rate: number;
  /** observed: the share of cached-prefix reads earlier jobs of this task and model got; assumed: BATCHLINE_PROMPT_CACHE_HIT_RATE. */
  basis: 'observed' | 'assumed';
}

export interface Estimate {
  /** Requests to send (documents that are not rejected and not answered by the result cache). */
  items: number;
  /** Documents that cannot be sent (broken rows, oversized files): failed, never billed. */
  rejected: number;
  batches: number;
  model: string;
  input_tokens: {
    estimate: number;
    /** count_tokens_sample: measured for `sample_size` requests, extrapolated by bytes; bytes: no sample could be measured. */
    method: 'count_tokens_sample' | 'bytes';
    sample_size: number;
    /** Exact tokens of the sampled requests. */
    sample_tokens: number;
    /** ± tokens around `estimate`, 95% confidence (0 when every request was measured). */
    error_bound: number;
    tokens_per_byte: number;
  };
  output_tokens: {
    estimate: number;
    per_item: number;
    basis: OutputGuess['basis'];
    /** Results the observed mean is taken from (0 unless basis is observed_mean). */
    observed_results: number;
    /** items × max_tokens: no answer can be longer. */
    max: number;
  };
  prompt_cache: {
    /** Tokens of the task's shared prefix (tools and system prompt). */
    prefix_tokens: number;
    /** The model's minimum cacheable prefix: below it nothing is cached (and nothing is marked). */
    min_prefix_tokens: number;
    /** Whether the prefix reaches the minimum, so requests mark it with cache_control. */
    cacheable: boolean;
    /** Share of requests (after the first of each batch) expected to read the prefix: hits inside a batch are best effort. */
    hit_rate: number;
    hit_rate_basis: HitRate['basis'];
    /** Expected writes (every request that misses) and reads. */
    writes: number;
    reads: number;
  };
  result_cache: { hits: number; saved_usd: number } | null;
  cost: {
    /** Expected, at batch price, after prompt-cache reads. */
    usd: number;
    /** At batch price if no request reads the cache at all (every marked prefix written): an upper bound of usd for the estimated tokens. */
    no_cache_hit_usd: number;
    /** The same requests at standard price without any cache: what a plain API script would pay. */
    standard_usd: number;
    /** Every input token a cache write and every answer max_tokens long: what a budget must allow. */
    worst_case_usd: number;
  };
}

/** What was learned about the documents while reading them (dry run) or from the stored items (job). */
export interface Tally {
  items: number;
  rejected: number;
  batches: number;
  bytes: number;
  /** Requests answered by the result cache, with what they cost first (batch price, USD). */
  cacheHits: number;
  cacheSavedUsd: number;
  cacheEnabled: boolean;
}

export interface Sampled {
  bytes: number;
  params: MessageParams;
}

const COUNT_CONCURRENCY = 5;
/** count_tokens answers in well under a second; a hung call must not hold planning up for the SDK's 10 minutes. */
const COUNT_TIMEOUT_MS = 30_000;

/** count_tokens for each sampled request; a failure leaves that request out (and all: the bytes fallback). */
export async function measureSample(provider: Anthropic, sample: readonly Sampled[]): Promise<Array<{ bytes: number; tokens: number }>> {
  const measured: Array<{ bytes: number; tokens: number }> = [];
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < sample.length && failures < 3) {
      const s = sample[next++]!;
      try {
        const counted = await provider.messages.countTokens(countParams(s.params), { maxRetries: 2, timeout: COUNT_TIMEOUT_MS });
        measured.push({ bytes: s.bytes, tokens: counted.input_tokens });
      } catch {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: COUNT_CONCURRENCY }, worker));
  return measured;
}

/** count_tokens takes the request without max_tokens. */
function countParams(params: MessageParams): Anthropic.Messages.MessageCountTokensParams {
  const { max_tokens: _max, ...rest } = params;
  return rest as unknown as Anthropic.Messages.MessageCountTokensParams;
}

/** Tokens of the shared prefix: a request whose document is a single character. */
export async function measurePrefix(provider: Anthropic, task: ResolvedTask): Promise<number> {
  const params = buildParams(task, { id: '', text: '' });
  params.messages[0]!.content = [{ type: 'text', text: '.' }];
  try {
    return (await provider.messages.countTokens(countParams(params), { maxRetries: 2, timeout: COUNT_TIMEOUT_MS })).input_tokens;
  } catch {
    return 0;
  }
}

export interface EstimateParts {
  task: ResolvedTask;
  tally: Tally;
  measured: ReadonlyArray<{ bytes: number; tokens: number }>;
  promptCache: PromptCacheDecision;
  hitRate: HitRate;
  output: OutputGuess;
}

export function composeEstimate({ task, tally, measured, promptCache, hitRate, output }: EstimateParts): Estimate {
  const input = inputTokens(tally, measured);
  const n = tally.items;
  const p = priceOf(task.model).price;
  // Only a marked prefix is ever cached; the first request of each batch finds nothing to read.
  const prefix = promptCache.marked && n > 0 ? Math.min(promptCache.prefix_tokens, Math.floor(input.estimate / n)) : 0;
  const reads = prefix > 0 ? Math.round(Math.max(0, n - Math.max(1, tally.batches)) * hitRate.rate) : 0;
  const writes = prefix > 0 ? n - reads : 0;
  const outputTokens = Math.round(output.perItem * n);
  const uncached = input.estimate - prefix * (writes + reads);
  const standardPlain = (input.estimate * p.input + outputTokens * p.output) / 1e6;
  const atBatchPrice = (inputUsd: number) => ((inputUsd + outputTokens * p.output) / 1e6) * BATCH_DISCOUNT;
  const expected = atBatchPrice(uncached * p.input + prefix * writes * p.cacheWrite + prefix * reads * p.cacheRead);
  const noHit = atBatchPrice(uncached * p.input + prefix * (writes + reads) * p.cacheWrite);
  const worst = n > 0 ? worstCaseUsd(task, tally.bytes / n, input.tokens_per_byte) * n : 0;
  return {
    items: n,
    rejected: tally.rejected,
    batches: tally.batches,
    model: task.model,
    input_tokens: input,
    output_tokens: { estimate: outputTokens, per_item: round1(output.perItem), basis: output.basis, observed_results: output.observedResults, max: n * task.max_tokens },
    prompt_cache: { prefix_tokens: promptCache.prefix_tokens, min_prefix_tokens: promptCache.min_prefix_tokens, cacheable: promptCache.marked, hit_rate: round6(hitRate.rate), hit_rate_basis: hitRate.basis, writes, reads },
    result_cache: tally.cacheEnabled ? { hits: tally.cacheHits, saved_usd: round(tally.cacheSavedUsd) } : null,
    cost: { usd: round(expected), no_cache_hit_usd: round(noHit), standard_usd: round(standardPlain), worst_case_usd: round(worst) },
  };
}

/**
 * Ratio estimator: tokens ≈ R × bytes with R = Σtokens / Σbytes over the sample; the sample's own tokens
 * are exact, the rest extrapolated. Error bound: 1.96 standard errors of R (with the finite-population
 * correction) times the bytes not measured.
 */
function inputTokens(tally: Tally, measured: ReadonlyArray<{ bytes: number; tokens: number }>): Estimate['input_tokens'] {
  if (measured.length === 0 || tally.items === 0) {
    const estimate = Math.round(tally.bytes * FALLBACK_TOKENS_PER_BYTE);
    return { estimate, method: 'bytes', sample_size: 0, sample_tokens: 0, error_bound: estimate, tokens_per_byte: FALLBACK_TOKENS_PER_BYTE };
  }
  const m = measured.length;
  const sampleBytes = measured.reduce((a, s) => a + s.bytes, 0);
  const sampleTokens = measured.reduce((a, s) => a + s.tokens, 0);
  const ratio = sampleTokens / sampleBytes;
  const restBytes = Math.max(0, tally.bytes - sampleBytes);
  const estimate = Math.round(sampleTokens + ratio * restBytes);
  let errorBound = 0;
  if (m > 1 && m < tally.items) {
    const meanBytes = sampleBytes / m;
    const residual = measured.reduce((a, s) => a + (s.tokens - ratio * s.bytes) ** 2, 0) / (m - 1);
    const se = (Math.sqrt(residual / m) / meanBytes) * Math.sqrt(1 - m / tally.items);
    errorBound = Math.round(1.96 * se * restBytes);
  } else if (m === 1 && tally.items > 1) {
    errorBound = Math.round(0.5 * ratio * restBytes); // one measurement says little about the spread
  }
  return { estimate, method: 'count_tokens_sample', sample_size: m, sample_tokens: sampleTokens, error_bound: errorBound, tokens_per_byte: round6(ratio) };
}

/** Tokens per byte a budget may assume for this job: the measured ratio plus its error, with a margin. */
export function budgetTokensPerByte(estimate: Estimate | null): number {
  if (!estimate || estimate.input_tokens.method !== 'count_tokens_sample' || estimate.input_tokens.estimate === 0) return FALLBACK_TOKENS_PER_BYTE;
  const { tokens_per_byte: ratio, error_bound: bound, estimate: total } = estimate.input_tokens;
  return ratio * (1 + bound / total) * 1.1;
}

/** How many batches `bytes` of requests in `items` requests make, packed greedily. */
export function batchCounter(maxRequests: number, maxBytes: number, envelope: number): { add(bytes: number): void; count(): number } {
  let batches = 0;
  let inBatch = 0;
  let batchBytes = envelope;
  return {
    add(bytes) {
      if (inBatch === 0 || inBatch >= maxRequests || batchBytes + bytes > maxBytes) {
        batches += 1;
        inBatch = 0;
        batchBytes = envelope;
      }
      inBatch += 1;
      batchBytes += bytes;
    },
    count: () => batches,
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
