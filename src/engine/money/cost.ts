// What tokens cost: a per-model price table (standard API, USD per million tokens) and the batch discount.
// Batch usage is billed at 50% of the standard price (Message Batches docs), cache reads and writes included.

export interface ModelPrice {
  input: number;
  output: number;
  /** 5-minute cache writes cost 1.25× input, reads 0.1× input (prompt caching docs). */
  cacheWrite: number;
  cacheRead: number;
}

function price(input: number, output: number): ModelPrice {
  return { input, output, cacheWrite: input * 1.25, cacheRead: input * 0.1 };
}

const PRICES: ReadonlyArray<[RegExp, ModelPrice]> = [
  [/opus/, price(5, 25)],
  [/sonnet/, price(3, 15)],
  [/haiku/, price(1, 5)],
];
const FALLBACK = price(3, 15);
export const BATCH_DISCOUNT = 0.5;

export function priceOf(model: string): { price: ModelPrice; known: boolean } {
  const hit = PRICES.find(([pattern]) => pattern.test(model));
  return hit ? { price: hit[1], known: true } : { price: FALLBACK, known: false };
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface Cost {
  usd: number;
  standard_usd: number;
  saved_usd: number;
}

export function standardCostUsd(model: string, u: Usage): number {
  const p = priceOf(model).price;
  return (u.input_tokens * p.input + u.output_tokens * p.output + u.cache_creation_input_tokens * p.cacheWrite + u.cache_read_input_tokens * p.cacheRead) / 1e6;
}

export function costOf(model: string, u: Usage): Cost {
  const standard = standardCostUsd(model, u);
  const usd = standard * BATCH_DISCOUNT;
  return { usd: round(usd), standard_usd: round(standard), saved_usd: round(standard - usd) };
}

/** The same tokens with no prompt cache: every cached token priced as plain input. */
export function withoutPromptCache(u: Usage): Usage {
  return { input_tokens: u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens, output_tokens: u.output_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

/** Where the money not spent went, relative to the standard-price equivalent; the parts add up to saved_usd. */
export interface Savings {
  batch_discount_usd: number;
  prompt_cache_usd: number;
  result_cache_usd: number;
}

export interface Money extends Cost {
  savings: Savings;
}

/** Usage of one model: answered by the provider (`paid`) or reused from the result cache (`reused`, what it cost first). */
export interface UsageByOrigin {
  model: string;
  paid: Usage;
  reused: Usage;
}

/**
 * Spend and its standard-price equivalent (every item at standard price, no prompt cache, no result
 * cache), with the savings split: the batch discount on all of it, what prompt-cache reads took off the
 * batch price, and what reused answers would have cost at batch price (with their prompt cache).
 */
export function moneyOf(rows: readonly UsageByOrigin[]): Money {
  let paidPlain = 0;
  let paidActual = 0;
  let reusedPlain = 0;
  let reusedActual = 0;
  for (const r of rows) {
    paidActual += standardCostUsd(r.model, r.paid);
    paidPlain += standardCostUsd(r.model, withoutPromptCache(r.paid));
    reusedActual += standardCostUsd(r.model, r.reused);
    reusedPlain += standardCostUsd(r.model, withoutPromptCache(r.reused));
  }
  const spent = paidActual * BATCH_DISCOUNT;
  const standard = paidPlain + reusedPlain;
  const savings = {
    batch_discount_usd: round(standard * (1 - BATCH_DISCOUNT)),
    prompt_cache_usd: round((paidPlain - paidActual + reusedPlain - reusedActual) * BATCH_DISCOUNT),
    // A reused answer saves exactly what it cost the job that paid for it.
    result_cache_usd: round(reusedActual * BATCH_DISCOUNT),
  };
  return { usd: round(spent), standard_usd: round(standard), saved_usd: round(standard - spent), savings };
}

/** USD of one usage at batch price. */
export function batchCostUsd(model: string, u: Usage): number {
  return standardCostUsd(model, u) * BATCH_DISCOUNT;
}

/** Micro-dollar precision: enough for per-item costs, stable in JSON. */
export function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
