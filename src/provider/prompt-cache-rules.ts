// The prompt cache's published rules (reference §14), shared by the engine's config defaults and the
// simulator: below a model's minimum cacheable prefix a cache_control breakpoint caches nothing, and
// the request is billed at the full input price without any error.

/**
 * Minimums as published for 2026's models. A whole id matches, with or without its date suffix
 * (claude-opus-4-1-20250805): a later model of the same family (claude-opus-4-7) is not one of these.
 */
const PUBLISHED: ReadonlyArray<readonly [RegExp, number]> = [
  [/^claude-(opus-4-[56]|haiku-4-5)(-\d{8}|-latest)?$/, 4096],
  // Published as 1,024, but reported to cache only from 2,048 in practice (anthropic-sdk-python#1194).
  [/^claude-sonnet-4-6(-\d{8}|-latest)?$/, 2048],
  [/^claude-(sonnet-4-5|opus-4-1|opus-4|sonnet-4|3-7-sonnet|sonnet-3-7)(-\d{8}|-latest)?$/, 1024],
  [/^claude-(3-5-haiku|haiku-3-5|3-haiku|haiku-3)(-\d{8}|-latest)?$/, 2048],
];

/**
 * Models whose minimum is not known here (every newer model): the largest published minimum, so that no
 * estimate counts on a cache hit the API may not give. Configure the real figure once it is known.
 */
export const UNKNOWN_MODEL_MIN_PREFIX_TOKENS = 4096;

/** Overrides by model: an exact id, or an id prefix ending in `*` (`claude-haiku-5*`); `*` alone is the default. */
export type MinPrefixOverrides = ReadonlyArray<readonly [pattern: string, tokens: number]>;

export function minCacheablePrefixTokens(model: string, overrides: MinPrefixOverrides = []): number {
  let fallback: number | undefined;
  for (const [pattern, tokens] of overrides) {
    if (pattern === '*') fallback = tokens;
    else if (pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : model === pattern) return tokens;
  }
  return PUBLISHED.find(([re]) => re.test(model))?.[1] ?? fallback ?? UNKNOWN_MODEL_MIN_PREFIX_TOKENS;
}

/** "claude-haiku-5-5=2048, claude-sonnet-5*=1024, *=4096" → overrides; a message naming the bad entry otherwise. */
export function parseMinPrefixOverrides(raw: string): { ok: true; overrides: MinPrefixOverrides } | { ok: false; message: string } {
  const overrides: Array<readonly [string, number]> = [];
  for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9._:*-]+)\s*=\s*(\d+)$/.exec(entry);
    if (!m || m[1] === undefined || m[2] === undefined) return { ok: false, message: `"${entry}" is not model=tokens (e.g. claude-haiku-5-5=2048 or *=4096)` };
    overrides.push([m[1], Number(m[2])]);
  }
  return { ok: true, overrides };
}
