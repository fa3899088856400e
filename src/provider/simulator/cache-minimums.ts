// The simulator's own table of minimum cacheable prompt lengths, copied from the API reference
// (/work/shared/reference/anthropic-batches.md §14) and not from Batchline's engine: the simulator stands in
// for the API, so if the engine got a minimum wrong, a test against the simulator must see the difference.

/** Minimum cacheable prefix (tokens) per model, as the API applies it (reference §14). */
const MINIMUMS: ReadonlyArray<readonly [models: readonly string[], tokens: number]> = [
  [['claude-opus-4-5', 'claude-opus-4-6', 'claude-haiku-4-5'], 4096],
  // Published as 1,024 like Sonnet 4.5, but reported to cache only from 2,048 in practice (§14, #1194):
  // the simulator behaves as the API was seen to.
  [['claude-sonnet-4-6'], 2048],
  [['claude-sonnet-4-5', 'claude-opus-4', 'claude-opus-4-1', 'claude-sonnet-4', 'claude-3-7-sonnet'], 1024],
  [['claude-3-5-haiku', 'claude-3-haiku'], 2048],
];

/**
 * Newer models' minimums are not published (§14): the simulator assumes the largest known one, so that a
 * marked prefix is not cached just because nobody knows the model.
 */
export const UNKNOWN_MODEL_MIN_TOKENS = 4096;

/** Configured minimums: an exact model id, an id prefix ending in `*`, or `*` for every model not in the table. */
export type MinTokensOverrides = ReadonlyArray<readonly [pattern: string, tokens: number]>;

/** A dated snapshot (claude-sonnet-4-5-20250929) or a `-latest` alias is its model. */
function baseModel(model: string): string {
  return model.replace(/-(\d{8}|latest)$/, '');
}

function publishedMinimum(model: string): number | undefined {
  const base = baseModel(model);
  return MINIMUMS.find(([models]) => models.includes(base))?.[1];
}

/** The minimum the simulator applies to `model`: configured first, then the table, then `*`, then the default. */
export function minCacheableTokens(model: string, overrides: MinTokensOverrides = []): number {
  let fallback: number | undefined;
  for (const [pattern, tokens] of overrides) {
    if (pattern === '*') fallback = tokens;
    else if (pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : model === pattern) return tokens;
  }
  return publishedMinimum(model) ?? fallback ?? UNKNOWN_MODEL_MIN_TOKENS;
}
