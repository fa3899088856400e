// A job's insights as text: on a terminal, a bar per value scaled to the widest count; in a pipe, plain
// tab-separated lines (field, group, what, key, count, share) that a script can cut and sort.
import type { Insights } from '../insights/types.ts';
import type { FieldAggregate, FieldInsight } from '../insights/types.ts';

interface Row {
  label: string;
  count: number;
  /** 0–1, shown after the count; undefined for rows that are not shares (a histogram bin, a total). */
  share?: number | undefined;
  /** Shown instead of the count (a currency total). */
  text?: string | undefined;
}

const TOP_SHOWN = 10;

function rowsOf(f: FieldInsight | (FieldAggregate & { kind: FieldInsight['kind'] })): { title: string; rows: Row[] }[] {
  const out: { title: string; rows: Row[] }[] = [];
  if (f.values) out.push({ title: f.kind === 'code' ? `most frequent (${f.distinct ?? f.values.length} different)` : 'answers per value', rows: f.values.slice(0, f.kind === 'code' ? TOP_SHOWN : undefined).map((v) => ({ label: v.value === null ? '(no answer)' : String(v.value), count: v.count, share: v.share })) });
  if (f.histogram) out.push({ title: 'histogram', rows: f.histogram.map((b) => ({ label: b.from === b.to ? String(b.from) : `${fmt(b.from)}–${fmt(b.to)}`, count: b.count })) });
  if (f.totals) out.push({ title: 'total per currency', rows: f.totals.map((t) => ({ label: t.currency, count: t.count, text: `${fmt(t.total)} in ${t.count}` })) });
  if (f.months) out.push({ title: 'per month', rows: f.months.map((m) => ({ label: m.month, count: m.count })) });
  if (f.phrases) out.push({ title: `top phrases (${f.distinct ?? f.phrases.length} different; documents mentioning each)`, rows: f.phrases.slice(0, TOP_SHOWN).map((p) => ({ label: p.phrase, count: p.documents, share: p.share })) });
  return out;
}

function fmt(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  return Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) >= 100 ? 1 : 2);
}

function pct(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

function summaryLine(f: FieldAggregate, kind: FieldInsight['kind']): string {
  const parts = [`${f.answered} answered`];
  if (f.missing > 0) parts.push(`${f.missing} without a value`);
  if (f.empty !== undefined) parts.push(`${f.empty} empty`);
  if (f.stats && f.stats.count > 0) {
    const what = kind === 'number' ? '' : kind === 'text' ? 'length ' : 'members ';
    parts.push(`${what}min ${fmt(f.stats.min)} · median ${fmt(f.stats.median)} · mean ${fmt(f.stats.mean)} · max ${fmt(f.stats.max)}`);
  }
  if (f.corrected.count > 0) parts.push(`${f.corrected.count} corrected (${pct(f.corrected.share)})`);
  return parts.join(' · ');
}

/** Text bars for a terminal `columns` wide. */
export function insightsBars(insights: Insights, columns: number): string[] {
  const lines = [headline(insights)];
  if (insights.note) lines.push(insights.note);
  for (const f of insights.fields) {
    lines.push('', `${f.path} (${f.kind})`, `  ${summaryLine(f, f.kind)}`);
    const groups = f.groups ? f.groups.map((g) => ({ name: `${insights.by?.field ?? 'by'} = ${g.by}`, agg: { ...g, kind: f.kind } })) : [{ name: '', agg: f }];
    for (const group of groups) {
      if (group.name) lines.push(`  ${group.name}: ${summaryLine(group.agg, f.kind)}`);
      for (const block of rowsOf(group.agg)) {
        if (block.rows.length === 0) continue;
        lines.push(`  ${group.name ? '  ' : ''}${block.title}:`);
        lines.push(...barLines(block.rows, columns, group.name ? 6 : 4));
      }
    }
  }
  if (insights.over) {
    lines.push('', `over ${insights.over.field}, per ${insights.over.unit}${insights.over.undated ? ` (${insights.over.undated} without a date)` : ''}:`);
    lines.push(...barLines(insights.over.points.map((p) => ({ label: p.period, count: p.count })), columns, 4));
  }
  return lines;
}

function barLines(rows: readonly Row[], columns: number, indent: number): string[] {
  const labelWidth = Math.min(28, Math.max(...rows.map((r) => r.label.length)));
  const max = Math.max(1, ...rows.map((r) => r.count));
  const tailWidth = Math.max(...rows.map((r) => tail(r).length));
  const barWidth = Math.max(8, columns - indent - labelWidth - tailWidth - 3);
  return rows.map((r) => {
    const label = r.label.length > labelWidth ? `${r.label.slice(0, labelWidth - 1)}…` : r.label.padEnd(labelWidth);
    const filled = Math.round((r.count / max) * barWidth);
    const bar = `${'█'.repeat(filled)}${r.count > 0 && filled === 0 ? '▏' : ''}`.padEnd(barWidth);
    return `${' '.repeat(indent)}${label} ${bar} ${tail(r)}`;
  });
}

function tail(r: Row): string {
  if (r.text) return r.text;
  return r.share === undefined ? String(r.count) : `${r.count} (${pct(r.share)})`;
}

function headline(i: Insights): string {
  const scope = [i.filters.length > 0 ? `filtered by ${i.filters.join(' and ')}` : '', i.q ? `matching "${i.q}"` : ''].filter(Boolean).join(', ');
  return `job ${i.job_id} (${i.job_status}): ${i.answered} answers of ${i.documents} documents${scope ? `, ${scope}` : ''}${i.complete ? '' : ' — so far'}`;
}

/** Plain lines for a pipe: field, group, what, key, count, share (tab-separated, one figure each). */
export function insightsLines(insights: Insights): string[] {
  const lines: string[] = [];
  const line = (...cells: Array<string | number>) => lines.push(cells.join('\t'));
  for (const f of insights.fields) {
    const groups = f.groups ? f.groups.map((g) => ({ name: g.by, agg: { ...g, kind: f.kind } })) : [{ name: '', agg: f }];
    for (const { name, agg } of groups) {
      line(f.path, name, 'answered', '', agg.answered, '');
      line(f.path, name, 'missing', '', agg.missing, '');
      line(f.path, name, 'corrected', '', agg.corrected.count, agg.corrected.share);
      if (agg.empty !== undefined) line(f.path, name, 'empty', '', agg.empty, '');
      if (agg.stats) for (const k of ['min', 'median', 'mean', 'max'] as const) line(f.path, name, k, '', agg.stats[k] ?? '', '');
      for (const v of agg.values ?? []) line(f.path, name, 'value', v.value === null ? 'null' : String(v.value), v.count, v.share);
      for (const b of agg.histogram ?? []) line(f.path, name, 'bin', b.from === b.to ? String(b.from) : `${b.from}..${b.to}`, b.count, '');
      for (const t of agg.totals ?? []) line(f.path, name, 'total', t.currency, t.total, '');
      for (const m of agg.months ?? []) line(f.path, name, 'month', m.month, m.count, '');
      for (const p of agg.phrases ?? []) line(f.path, name, 'phrase', p.phrase, p.documents, p.share);
    }
  }
  for (const p of insights.over?.points ?? []) line(insights.over?.field ?? '', '', insights.over?.unit ?? 'day', p.period, p.count, '');
  return lines;
}
