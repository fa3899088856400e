// What `batchline run --dry-run` prints: the estimate of POST /v1/jobs?dry_run=true, one fact per line.
import { formatUsd } from './progress.ts';

export interface DryRunAnswer {
  task?: { name: string; model: string; max_tokens: number };
  estimate: {
    items: number;
    rejected: number;
    batches: number;
    input_tokens: { estimate: number; method: string; sample_size: number; error_bound: number };
    output_tokens: { estimate: number; per_item: number; basis: string; max: number };
    prompt_cache?: { prefix_tokens: number; min_prefix_tokens?: number; cacheable?: boolean; hit_rate?: number; hit_rate_basis?: string; writes: number; reads: number };
    result_cache?: { hits: number; saved_usd: number } | null;
    cost: { usd: number; no_cache_hit_usd?: number; standard_usd: number; worst_case_usd: number };
  };
  budget?: { max_usd: number; fits_expected: boolean; fits_worst_case: boolean } | null;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

export function dryRunReport(dry: DryRunAnswer): string[] {
  const e = dry.estimate;
  const lines = [`dry run${dry.task ? ` of ${dry.task.name} on ${dry.task.model}` : ''}: nothing was stored or sent`];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(11)}${value}`);
  row('items', `${n(e.items)} to send in ${n(e.batches)} batch${e.batches === 1 ? '' : 'es'}${e.rejected > 0 ? ` · ${n(e.rejected)} rejected (cannot be sent)` : ''}`);
  const input = e.input_tokens;
  row(
    'input',
    input.method === 'count_tokens_sample'
      ? `${n(input.estimate)} tokens ± ${n(input.error_bound)} (95%; ${input.sample_size} requests counted exactly, the rest by size)`
      : `${n(input.estimate)} tokens (from request sizes: count_tokens was not available)`,
  );
  const basis = e.output_tokens.basis === 'observed_mean' ? 'the mean of earlier answers to this task' : "a typical answer of the task's schema";
  row('output', `${n(e.output_tokens.estimate)} tokens (${e.output_tokens.per_item} per item, from ${basis}; at most ${n(e.output_tokens.max)})`);
  const pc = e.prompt_cache;
  if (pc && pc.prefix_tokens > 0) {
    if (pc.cacheable === false) {
      row('cache', `none: the shared prefix of ${n(pc.prefix_tokens)} tokens is below the model's minimum of ${n(pc.min_prefix_tokens ?? 0)}, so it is not marked`);
    } else {
      const rate = pc.hit_rate === undefined ? '' : `, ${Math.round(pc.hit_rate * 100)}% expected to hit (${pc.hit_rate_basis === 'observed' ? 'as earlier runs did' : 'assumed'})`;
      row('cache', `shared prefix of ${n(pc.prefix_tokens)} tokens${rate}: ${n(pc.writes)} write${pc.writes === 1 ? '' : 's'}, ${n(pc.reads)} reads`);
    }
  }
  if (e.result_cache) row('reuse', `${n(e.result_cache.hits)} answers from the result cache (${formatUsd(e.result_cache.saved_usd)} not spent)`);
  const noHit = e.cost.no_cache_hit_usd !== undefined && e.cost.no_cache_hit_usd !== e.cost.usd ? ` · ${formatUsd(e.cost.no_cache_hit_usd)} if no request hits the cache` : '';
  row('cost', `${formatUsd(e.cost.usd)} at batch price${noHit} · ${formatUsd(e.cost.standard_usd)} at standard price · ${formatUsd(e.cost.worst_case_usd)} at worst`);
  if (dry.budget) {
    const verdict = dry.budget.fits_worst_case ? 'fits even at worst' : dry.budget.fits_expected ? 'fits the expected cost, not the worst case: the job may pause' : 'too small: the job will pause before it ends';
    row('budget', `${formatUsd(dry.budget.max_usd)}: ${verdict}`);
  }
  return lines;
}
