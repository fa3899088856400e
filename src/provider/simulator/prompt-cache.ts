// The prompt-cache model, with the API's rules (reference §14): a request's prefix up to its last
// cache_control breakpoint is cached only if it reaches the model's minimum, and a request whose prefix
// is cached reads it only best-effort (requests of a batch run concurrently); one that misses writes it.
// The minimums are the simulator's own (cache-minimums.ts), never the engine's: tests compare the two.
import { minCacheableTokens, type MinTokensOverrides } from './cache-minimums.ts';
import { sha256Hex, unitFromText } from './hash.ts';
import { estimateInputTokens, tokensForText } from './tokens.ts';

export interface CacheUsage {
  read: number;
  create5m: number;
  create1h: number;
}

export interface PromptCache {
  /** Prefix key → expiry time (ms). */
  entries: Map<string, number>;
  minTokens: MinTokensOverrides;
  /** Share of requests whose prefix is cached that read it. */
  hitRate: number;
}

/** Hits inside a batch are best effort: half of the requests that could read the prefix do, unless told otherwise. */
export const DEFAULT_HIT_RATE = 0.5;

const FIVE_MINUTES_MS = 5 * 60 * 1000;
const ONE_HOUR_MS = 60 * 60 * 1000;
// Sweeping expired keys only past this size keeps lookups O(1) in the common case.
const SWEEP_ABOVE = 50_000;

export function createPromptCache(options: { minTokens?: MinTokensOverrides; hitRate?: number } = {}): PromptCache {
  return { entries: new Map(), minTokens: options.minTokens ?? [], hitRate: Math.min(1, Math.max(0, options.hitRate ?? DEFAULT_HIT_RATE)) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asBlocks(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

// The API caches in the order tools → system → messages, so the prefix covers every block before the breakpoint.
function walkBlocks(params: Record<string, unknown>): unknown[] {
  const blocks: unknown[] = [];
  if (Array.isArray(params.tools)) blocks.push(...params.tools);
  blocks.push(...asBlocks(params.system));
  if (Array.isArray(params.messages)) {
    for (const message of params.messages) {
      if (!isRecord(message)) continue;
      for (const block of asBlocks(message.content)) blocks.push({ role: message.role, block });
    }
  }
  return blocks;
}

function breakpointOf(block: unknown): Record<string, unknown> | null {
  const inner = isRecord(block) && 'role' in block && 'block' in block ? block.block : block;
  return isRecord(inner) && isRecord(inner.cache_control) ? inner.cache_control : null;
}

interface CacheablePrefix {
  serialized: string;
  ttl: '5m' | '1h';
}

export function cacheablePrefix(params: Record<string, unknown>): CacheablePrefix | null {
  const blocks = walkBlocks(params);
  let last = -1;
  let control: Record<string, unknown> | null = null;
  for (const [index, block] of blocks.entries()) {
    const found = breakpointOf(block);
    if (found !== null) {
      last = index;
      control = found;
    }
  }
  // A top-level cache_control asks the API to place the breakpoint on the last block itself.
  if (isRecord(params.cache_control) && blocks.length > 0) {
    last = blocks.length - 1;
    control = params.cache_control;
  }
  if (last < 0 || control === null) return null;
  return { serialized: JSON.stringify(blocks.slice(0, last + 1)), ttl: control.ttl === '1h' ? '1h' : '5m' };
}

const GOLDEN = 0.6180339887498949;

/**
 * The cache draw of a batch's index-th request: a golden-ratio sequence from a start drawn per batch, so a
 * batch's reads hit hitRate of the time to within a request or two rather than as a binomial sample (which
 * made an estimate observed on a 100-request run miss a 600-request one by 15%, at random).
 */
export function cacheDraw(batchId: string, index: number): number {
  return (unitFromText(`${batchId}:cache`) + index * GOLDEN) % 1;
}

/**
 * Reads or writes the request's cacheable prefix; null when the request has no breakpoint or its prefix
 * is below the model's minimum (then it is billed as plain input, silently, as the API does). `draw` in
 * [0, 1) decides whether a request whose prefix is cached gets to read it.
 */
export function usePromptCache(cache: PromptCache, params: Record<string, unknown>, now: number, draw: number): CacheUsage | null {
  const prefix = cacheablePrefix(params);
  if (prefix === null) return null;
  // The prefix is serialized differently from the whole request, so cap it at the request's own estimate.
  const tokens = Math.min(tokensForText(prefix.serialized), estimateInputTokens(params));
  if (tokens < minCacheableTokens(String(params.model), cache.minTokens)) return null;
  const key = sha256Hex(`${String(params.model)}\n${prefix.serialized}`);
  const ttlMs = prefix.ttl === '1h' ? ONE_HOUR_MS : FIVE_MINUTES_MS;
  const expiresAt = cache.entries.get(key);
  if (expiresAt !== undefined && expiresAt > now && draw < cache.hitRate) {
    // A hit refreshes the entry's lifetime, as the API does.
    cache.entries.set(key, Math.max(expiresAt, now + ttlMs));
    return { read: tokens, create5m: 0, create1h: 0 };
  }
  if (cache.entries.size > SWEEP_ABOVE) sweep(cache, now);
  cache.entries.set(key, now + ttlMs);
  return prefix.ttl === '1h' ? { read: 0, create5m: 0, create1h: tokens } : { read: 0, create5m: tokens, create1h: 0 };
}

function sweep(cache: PromptCache, now: number): void {
  for (const [key, expiresAt] of cache.entries) if (expiresAt <= now) cache.entries.delete(key);
}
