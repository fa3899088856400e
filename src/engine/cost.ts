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

export function sumCosts(costs: Cost[]): Cost {
  const total = costs.reduce((a, c) => ({ usd: a.usd + c.usd, standard_usd: a.standard_usd + c.standard_usd, saved_usd: a.saved_usd + c.saved_usd }), { usd: 0, standard_usd: 0, saved_usd: 0 });
  return { usd: round(total.usd), standard_usd: round(total.standard_usd), saved_usd: round(total.saved_usd) };
}

/** Micro-dollar precision: enough for per-item costs, stable in JSON. */
function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
