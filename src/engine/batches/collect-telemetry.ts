// What collecting a batch reports: sums of stored results by outcome, tokens and cost, as span
// attributes (GenAI semantic conventions) and as metrics.
import type { Attributes } from '@opentelemetry/api';
import { countAdd } from '../../telemetry/metrics.ts';
import { costOf, type Usage } from '../money/cost.ts';

/** One row of the collect insert's summary: new results of one outcome and model. */
export interface StoredGroup extends Usage {
  outcome: string;
  model: string | null;
  n: number;
}

export interface ParseTotals {
  byOutcome: Map<string, number>;
  usage: Usage;
}

export function newTotals(): ParseTotals {
  return { byOutcome: new Map(), usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } };
}

export function addRow(totals: ParseTotals, row: StoredGroup): void {
  totals.byOutcome.set(row.outcome, (totals.byOutcome.get(row.outcome) ?? 0) + Number(row.n));
  totals.usage.input_tokens += Number(row.input_tokens);
  totals.usage.output_tokens += Number(row.output_tokens);
  totals.usage.cache_creation_input_tokens += Number(row.cache_creation_input_tokens);
  totals.usage.cache_read_input_tokens += Number(row.cache_read_input_tokens);
}

/** Counts by outcome and token usage; with a model, the cost at batch price too. */
export function totalsAttributes(totals: ParseTotals, model?: string): Attributes {
  const attributes: Attributes = {
    'gen_ai.usage.input_tokens': totals.usage.input_tokens,
    'gen_ai.usage.output_tokens': totals.usage.output_tokens,
    'gen_ai.usage.cache_creation.input_tokens': totals.usage.cache_creation_input_tokens,
    'gen_ai.usage.cache_read.input_tokens': totals.usage.cache_read_input_tokens,
  };
  let results = 0;
  for (const [outcome, n] of totals.byOutcome) {
    attributes[`batchline.results.${outcome}`] = n;
    results += n;
  }
  attributes['batchline.results.stored'] = results;
  if (model) {
    const cost = costOf(model, totals.usage);
    attributes['batchline.cost.usd'] = cost.usd;
    attributes['batchline.cost.standard_usd'] = cost.standard_usd;
  }
  return attributes;
}

/** Results, tokens and money of newly stored results, as metrics. */
export function recordCollected(groups: StoredGroup[]): void {
  for (const g of groups) {
    countAdd('resultsCollected', Number(g.n), { status: g.outcome });
    if (!g.model) continue;
    const model = { 'gen_ai.request.model': g.model };
    countAdd('tokens', Number(g.input_tokens), { 'gen_ai.token.type': 'input', ...model });
    countAdd('tokens', Number(g.output_tokens), { 'gen_ai.token.type': 'output', ...model });
    countAdd('tokens', Number(g.cache_creation_input_tokens), { 'gen_ai.token.type': 'cache_creation', ...model });
    countAdd('tokens', Number(g.cache_read_input_tokens), { 'gen_ai.token.type': 'cache_read', ...model });
    countAdd('costUsd', costOf(g.model, g).usd, model);
  }
}
