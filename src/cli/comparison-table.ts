// What `batchline compare` prints when the arms have ended: one column per arm (answers, schema-valid rate,
// tokens, cost, cost per 1,000 and for the whole source, accuracy with its interval), then agreement per
// field, the confusion matrix of each enum field, and where to read the disagreements.
import { formatUsd, visibleWidth } from './progress.ts';

interface RateView {
  k: number;
  n: number;
  rate: number | null;
  interval: { low: number; high: number } | null;
}

export interface ExperimentAnswer {
  id: string;
  name?: string | null;
  status: string;
  population: { documents: number; rejected: number };
  sample: { size: number; seed: string; stratify_by: string | null };
  budget?: { max_usd: number; spent_usd: number } | null;
  arms: Array<{ name: string; model: string; status: string; job_id: string | null; counts: { total: number; succeeded: number; failed: number; open: number }; cost_usd: number }>;
  comparison: null | {
    documents: number;
    arms: Array<{ arm: string; answered: number; schema_valid: RateView; usage: { per_document: { input_tokens: number; output_tokens: number } }; cost: { usd: number; reused_usd: number; per_1000_usd: number; projected_source_usd: number } }>;
    agreement: Array<RateView & { field: string; kind: string; arms: [string, string]; mean_overlap: number | null; mean_length: Record<string, number> | null }>;
    confusion: Array<{ field: string; rows: string; columns: string; values: unknown[]; counts: number[][] }>;
    accuracy: Array<RateView & { arm: string; field: string }> | null;
    differences: Array<{ field: string; arms: [string, string]; accuracy_difference: number; p_value: number }> | null;
    fields: Array<{ field: string; kind: string; tolerance: number | null }>;
    disagreements: { documents: number; by_field: Record<string, number> };
  };
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const rateText = (r: RateView | undefined) => (r && r.rate !== null ? `${pct(r.rate)} [${pct(r.interval?.low ?? null).replace('%', '')}–${pct(r.interval?.high ?? null)}]` : '—');
const count = (n: number) => n.toLocaleString('en-US');

function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell))));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleWidth(cell) + 2))).join('').trimEnd());
}

/** The one-line progress of an experiment that is still running. */
export function experimentProgressLine(e: ExperimentAnswer): string {
  const arms = e.arms.map((a) => `${a.name} ${count(a.counts.succeeded + a.counts.failed)}/${count(a.counts.total)}${a.counts.failed > 0 ? ` (${count(a.counts.failed)} failed)` : ''} ${a.status}`).join(' · ');
  return `experiment ${e.id} ${e.status}: ${arms}`;
}

export function comparisonReport(e: ExperimentAnswer, elapsedMs: number): string[] {
  const c = e.comparison;
  const spent = e.arms.reduce((sum, a) => sum + a.cost_usd, 0);
  const head = `experiment ${e.id} ${e.status}: ${count(e.sample.size)} of ${count(e.population.documents)} documents (seed ${e.sample.seed}${e.sample.stratify_by ? `, stratified by ${e.sample.stratify_by}` : ''}) · ${e.arms.length} arms · ${formatUsd(spent)}${e.budget ? ` of ${formatUsd(e.budget.max_usd)}` : ''} in ${(elapsedMs / 1000).toFixed(1)}s`;
  if (!c) return [head];
  const lines = [head, ''];
  const metric = (name: string) => c.arms.find((m) => m.arm === name);
  const rows: string[][] = [['', ...e.arms.map((a) => a.name)]];
  rows.push(['model', ...e.arms.map((a) => a.model)]);
  rows.push(['answered', ...e.arms.map((a) => `${count(metric(a.name)?.answered ?? 0)}/${count(c.documents)}`)]);
  rows.push(['schema-valid', ...e.arms.map((a) => pct(metric(a.name)?.schema_valid.rate ?? null))]);
  rows.push(['tokens/doc in/out', ...e.arms.map((a) => `${count(metric(a.name)?.usage.per_document.input_tokens ?? 0)} / ${count(metric(a.name)?.usage.per_document.output_tokens ?? 0)}`)]);
  rows.push(['cost of the sample', ...e.arms.map((a) => formatUsd((metric(a.name)?.cost.usd ?? 0) + (metric(a.name)?.cost.reused_usd ?? 0)))]);
  rows.push(['per 1,000 docs', ...e.arms.map((a) => formatUsd(metric(a.name)?.cost.per_1000_usd ?? 0))]);
  rows.push([`all ${count(e.population.documents)} docs`, ...e.arms.map((a) => formatUsd(metric(a.name)?.cost.projected_source_usd ?? 0))]);
  for (const field of [...new Set((c.accuracy ?? []).map((a) => a.field))]) {
    rows.push([`${field} accuracy`, ...e.arms.map((a) => rateText(c.accuracy?.find((x) => x.arm === a.name && x.field === field)))]);
  }
  lines.push(...table(rows));

  lines.push('', '  agreement');
  const agreement: string[][] = [];
  for (const a of c.agreement) {
    const tolerance = c.fields.find((f) => f.field === a.field)?.tolerance;
    const kind = a.kind === 'number' && tolerance ? `number ±${tolerance}` : a.kind === 'text' || a.kind === 'text_list' ? `${a.kind} (emptiness)` : a.kind;
    const extra = a.mean_overlap !== null ? ` · overlap ${pct(a.mean_overlap)}` : a.mean_length ? ` · mean length ${Object.entries(a.mean_length).map(([arm, len]) => `${arm} ${len.toFixed(1)}`).join(', ')}` : '';
    agreement.push([a.field, kind, `${a.arms[0]} vs ${a.arms[1]}`, `${rateText(a)} (${count(a.k)}/${count(a.n)})${extra}`]);
  }
  lines.push(...table(agreement, '    '));

  for (const m of c.confusion) {
    lines.push('', `  ${m.field}: ${m.rows} (rows) against ${m.columns} (columns)`);
    const label = (v: unknown) => (v === null ? '(none)' : String(v));
    lines.push(...table([['', ...m.values.map(label)], ...m.counts.map((row, r) => [label(m.values[r]), ...row.map(count)])], '    '));
  }
  for (const d of c.differences ?? []) {
    lines.push('', `  ${d.field}: ${d.arms[0]} − ${d.arms[1]} accuracy ${d.accuracy_difference >= 0 ? '+' : ''}${pct(d.accuracy_difference)} (McNemar p = ${d.p_value})`);
  }
  const byField = Object.entries(c.disagreements.by_field).map(([f, n]) => `${f} ${count(n)}`).join(', ');
  lines.push('', `  disagreements: ${count(c.disagreements.documents)} document${c.disagreements.documents === 1 ? '' : 's'}${byField ? ` (${byField})` : ''}; with their text: GET /v1/experiments/${e.id}/documents?filter=disagreements`);
  lines.push(`  run an arm on the whole source, reusing these answers: batchline promote ${e.id} <arm>`);
  return lines;
}
