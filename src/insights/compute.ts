// Computes a job's insights in Postgres over its stored answers (the final result of every succeeded item),
// never by loading the answers into the process: a few statements that each scan the job's answers once —
// statistics of every numeric measure, counts per value of every counted field, the top phrases of every
// list — grouped by GROUPING SETS so the overall figures and those per `by` value come from the same scan.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/types.ts';
import { invalidField } from '../errors.ts';
import type { InsightField } from './fields.ts';
import { filtersCondition, jsonAt, membersOf, normalizedPhraseSql, numberAt, textAt, type ParsedFilter } from './filters.ts';
import type { FieldAggregate, FieldInsight, HistogramBin, NumberStats, OverPoint } from './types.ts';

export interface InsightsQuery {
  by?: string | undefined;
  over?: string | undefined;
  filters: readonly ParsedFilter[];
  q?: string | undefined;
}

/** What the statements below compute, before the job's own counts are added around it. */
export interface ComputedInsights {
  answered: number;
  by: { field: string; values: string[]; other: boolean } | null;
  over: { field: string; unit: 'day' | 'week'; points: OverPoint[]; undated: number } | null;
  fields: FieldInsight[];
}

export const BY_VALUES_MAX = 50;
export const TOP_PHRASES = 25;
export const TOP_CODES = 25;
/** An integer field whose range is at most this wide gets one bin per value (a 1–5 score: five bars). */
const INTEGER_BINS_MAX = 30;
const HISTOGRAM_BINS = 12;
/** Over a longer span than this the series is weekly, so a year is 52 points, not 365. */
const DAILY_SPAN_DAYS = 92;
const OTHER = '(other)';
const NOT_SET = '(not set)';
const METADATA_KEY = /^[A-Za-z0-9_.-]{1,100}$/;

const O = sql`r.output`;
const M = sql`(i.document -> 'metadata')`;

/** The group key of a row: '' without `by`; the metadata value among the top ones, or (other). */
function groupExpr(by: string | undefined, top: readonly string[]): RawBuilder<string> {
  if (!by) return sql<string>`''`;
  return sql<string>`(CASE WHEN coalesce(${M} ->> ${by}, ${NOT_SET}) = ANY(${[...top]}::text[]) THEN coalesce(${M} ->> ${by}, ${NOT_SET}) ELSE ${OTHER} END)`;
}

function groupingSets(by: string | undefined, keys: RawBuilder<unknown>): RawBuilder<unknown> {
  return by ? sql`GROUPING SETS ((${keys}), (g, ${keys}))` : sql`${keys}, g`;
}

/** The day a metadata value names, as YYYY-MM-DD text, or null (kept as text: no cast can fail on a bad date). */
function overDay(over: string, metadata: RawBuilder<unknown> = M): RawBuilder<string | null> {
  return sql<string | null>`(CASE WHEN ${metadata} ->> ${over} ~ '^\\d{4}-\\d{2}-\\d{2}' THEN left(${metadata} ->> ${over}, 10) END)`;
}

interface Measure {
  field: number;
  what: 'value' | 'length';
  expr: RawBuilder<number | null>;
}

function measuresOf(fields: readonly InsightField[]): Measure[] {
  const out: Measure[] = [];
  fields.forEach((f, index) => {
    if (f.kind === 'number') out.push({ field: index, what: 'value', expr: numberAt(O, f.path) });
    if (f.kind === 'text') out.push({ field: index, what: 'length', expr: sql<number | null>`char_length(${textAt(O, f.path)})` });
    if (f.kind === 'list' || f.kind === 'phrases') {
      out.push({ field: index, what: 'length', expr: sql<number | null>`(CASE WHEN jsonb_typeof(${jsonAt(O, f.path)}) = 'array' THEN jsonb_array_length(${jsonAt(O, f.path)}) END)` });
    }
  });
  return out;
}

/** A value that holds something: not missing, not JSON null. */
function presentExpr(f: InsightField): RawBuilder<boolean> {
  return sql<boolean>`(coalesce(jsonb_typeof(${jsonAt(O, f.path)}), 'null') <> 'null')`;
}

function emptyExpr(f: InsightField): RawBuilder<boolean> | undefined {
  if (f.kind === 'text') return sql<boolean>`(btrim(${textAt(O, f.path)}) = '')`;
  if (f.kind === 'list' || f.kind === 'phrases') return sql<boolean>`(${jsonAt(O, f.path)} = '[]'::jsonb)`;
  return undefined;
}

type Num = number | string | null;
const num = (v: Num): number | null => (v === null ? null : Number(v));

interface StatsRow {
  overall: number;
  g: string;
  n: Num;
  [column: string]: Num | string;
}

export async function computeInsights(db: Kysely<DB>, jobId: string, fields: readonly InsightField[], query: InsightsQuery): Promise<ComputedInsights> {
  const condition = filtersCondition(fields, query.filters, query.q, { output: O, metadata: M }, 'query.filter');
  const base = sql`FROM items i JOIN results r ON r.item_id = i.id AND r.attempt = i.attempts
    WHERE i.job_id = ${jobId} AND i.status = 'succeeded' AND r.output IS NOT NULL AND ${condition}`;

  let top: string[] = [];
  let other = false;
  if (query.by !== undefined) {
    if (!METADATA_KEY.test(query.by)) throw invalidField('query.by', 'is a metadata key: letters, digits, _ . -');
    const values = await sql<{ v: string; n: Num }>`
      SELECT coalesce(${M} ->> ${query.by}, ${NOT_SET}) AS v, count(*) AS n ${base}
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${BY_VALUES_MAX + 1}`.execute(db);
    if (values.rows.length === 0 || values.rows.every((r) => r.v === NOT_SET)) {
      throw invalidField('query.by', `no answered document of this job has metadata "${query.by}"`);
    }
    top = values.rows.slice(0, BY_VALUES_MAX).map((r) => r.v);
    other = values.rows.length > BY_VALUES_MAX;
  }
  if (query.over !== undefined && !METADATA_KEY.test(query.over)) throw invalidField('query.over', 'is a metadata key: letters, digits, _ . -');
  const g = groupExpr(query.by, top);

  const measures = measuresOf(fields);
  const [stats, phrases] = await Promise.all([statsOf(db, base, g, query, fields, measures), phrasesOf(db, base, g, query.by, fields)]);
  const overall = stats.find((r) => Number(r.overall) === 1 || !query.by);
  if (query.over !== undefined && (overall?.over_min ?? null) === null) {
    throw invalidField('query.over', `no answered document of this job has a date (YYYY-MM-DD…) in metadata "${query.over}"`);
  }
  const bounds = new Map<number, { min: number; max: number }>();
  for (const m of measures) {
    if (m.what !== 'value') continue;
    const min = num((overall?.[`min_${m.field}_${m.what}`] ?? null) as Num);
    const max = num((overall?.[`max_${m.field}_${m.what}`] ?? null) as Num);
    if (min !== null && max !== null) bounds.set(m.field, { min, max });
  }
  const overSpan = overallDays(overall);
  const unit: 'day' | 'week' = overSpan !== null && overSpan > DAILY_SPAN_DAYS ? 'week' : 'day';
  const [tally, corrections] = await Promise.all([tallyOf(db, base, g, query, fields, bounds), correctionsOf(db, base, g, query.by)]);

  // Assemble per group: '' is the overall figures, other keys the `by` values.
  const groupKeys = ['', ...(query.by ? [...top, ...(other ? [OTHER] : [])] : [])];
  const keyOf = (row: { overall?: Num; g: string }) => (!query.by || Number(row.overall) === 1 ? '' : row.g);
  const statsBy = new Map(stats.map((row) => [keyOf(row), row]));
  const insights: FieldInsight[] = fields.map((f) => ({ path: f.path, kind: f.kind, ...emptyAggregate() }));
  const aggregates = new Map<string, FieldAggregate[]>();
  for (const key of groupKeys) {
    const row = statsBy.get(key);
    const n = Number(row?.n ?? 0);
    aggregates.set(
      key,
      fields.map((f, index) => {
        const answered = Number(row?.[`present_${index}`] ?? 0);
        const agg: FieldAggregate = { answered, missing: n - answered, corrected: { count: 0, share: 0 } };
        const empty = row?.[`empty_${index}`];
        if (empty !== undefined) agg.empty = Number(empty);
        const m = measures.find((x) => x.field === index);
        if (m && row) agg.stats = statsFrom(row, `${index}_${m.what}`);
        return agg;
      }),
    );
  }
  for (const t of tally) {
    const agg = aggregates.get(keyOf(t))?.[Number(t.f)];
    const field = fields[Number(t.f)];
    if (!agg || !field) continue;
    const count = Number(t.n);
    const groupTotal = Number(statsBy.get(keyOf(t))?.n ?? 0);
    if (t.what === 'value') {
      (agg.values ??= []).push({ value: t.k, count, share: share(count, groupTotal) });
      if (field.kind === 'code') agg.distinct = Number(t.distinct_n);
    } else if (t.what === 'month') {
      (agg.months ??= []).push({ month: String(t.k), count });
      agg.distinct = Number(t.distinct_n);
    } else if (t.what === 'bin') {
      (agg.histogram ??= []).push(binOf(field, bounds.get(Number(t.f)), Number(t.k), count));
    } else if (t.what === 'currency') {
      (agg.totals ??= []).push({ currency: String(t.k), total: Number(t.s ?? 0), count });
    }
  }
  for (const p of phrases) {
    const agg = aggregates.get(keyOf(p))?.[Number(p.f)];
    if (!agg) continue;
    const groupTotal = Number(statsBy.get(keyOf(p))?.n ?? 0);
    (agg.phrases ??= []).push({ phrase: p.k, count: Number(p.n), documents: Number(p.docs), share: share(Number(p.docs), groupTotal) });
    agg.distinct = Number(p.distinct_n);
  }
  for (const c of corrections) {
    const index = fields.findIndex((f) => f.path === c.field);
    const agg = aggregates.get(keyOf(c))?.[index];
    if (!agg) continue;
    agg.corrected = { count: Number(c.n), share: share(Number(c.n), agg.answered) };
  }
  for (const aggs of aggregates.values()) {
    fields.forEach((f, index) => {
      const agg = aggs[index];
      if (!agg) return;
      if (f.kind === 'values') agg.values = allValues(f, agg.values ?? [], agg.answered + agg.missing);
      agg.values?.sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)));
      if (f.kind === 'code' && agg.values) agg.values = agg.values.slice(0, TOP_CODES);
      agg.months?.sort((a, b) => a.month.localeCompare(b.month));
      agg.histogram?.sort((a, b) => a.from - b.from);
      agg.totals?.sort((a, b) => b.count - a.count || a.currency.localeCompare(b.currency));
      agg.phrases?.sort((a, b) => b.documents - a.documents || b.count - a.count || a.phrase.localeCompare(b.phrase));
      if (f.kind === 'number' && f.integer && agg.histogram) agg.histogram = fillIntegerBins(agg.histogram);
    });
  }
  insights.forEach((insight, index) => {
    Object.assign(insight, aggregates.get('')?.[index]);
    if (query.by) insight.groups = groupKeys.slice(1).map((key) => ({ by: key, ...(aggregates.get(key)?.[index] ?? emptyAggregate()) }));
  });

  return {
    answered: Number(statsBy.get('')?.n ?? 0),
    by: query.by ? { field: query.by, values: groupKeys.slice(1), other } : null,
    over: query.over ? overSeries(query.over, unit, tally, fields, Number(overall?.over_undated ?? 0)) : null,
    fields: insights,
  };
}

function emptyAggregate(): FieldAggregate {
  return { answered: 0, missing: 0, corrected: { count: 0, share: 0 } };
}

function share(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;
}

function statsFrom(row: StatsRow, suffix: string): NumberStats {
  return {
    count: Number(row[`count_${suffix}`] ?? 0),
    min: num((row[`min_${suffix}`] ?? null) as Num),
    max: num((row[`max_${suffix}`] ?? null) as Num),
    mean: num((row[`mean_${suffix}`] ?? null) as Num),
    median: num((row[`median_${suffix}`] ?? null) as Num),
  };
}

function overallDays(row: StatsRow | undefined): number | null {
  const min = row?.over_min;
  const max = row?.over_max;
  if (typeof min !== 'string' || typeof max !== 'string') return null;
  const span = (Date.parse(`${max}T00:00:00Z`) - Date.parse(`${min}T00:00:00Z`)) / 86_400_000;
  return Number.isFinite(span) ? span : null;
}

/** Every allowed value of an enum or boolean is listed, those no answer gave with 0, and null when some did not answer. */
function allValues(field: InsightField, counted: ValueCountLike[], total: number): ValueCountLike[] {
  const out = [...counted];
  for (const v of field.values ?? []) {
    if (!out.some((c) => c.value === v)) out.push({ value: v, count: 0, share: 0 });
  }
  return out.map((c) => ({ ...c, share: share(c.count, total) }));
}
type ValueCountLike = { value: unknown; count: number; share: number };

function binOf(field: InsightField, bounds: { min: number; max: number } | undefined, bin: number, count: number): HistogramBin {
  if (!bounds || integerBins(field, bounds)) return { from: bin, to: bin, count };
  const width = (bounds.max - bounds.min) / HISTOGRAM_BINS || 1;
  const from = bounds.min + (bin - 1) * width;
  return { from: round(from), to: round(bin === HISTOGRAM_BINS ? bounds.max : from + width), count };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function integerBins(field: InsightField, bounds: { min: number; max: number }): boolean {
  return field.integer === true && bounds.max - bounds.min <= INTEGER_BINS_MAX;
}

/** A 1–5 score with no 2s still shows a bar for 2 (at zero), so the axis reads as the scale. */
function fillIntegerBins(bins: HistogramBin[]): HistogramBin[] {
  if (bins.length === 0) return bins;
  const first = bins[0]?.from ?? 0;
  const last = bins[bins.length - 1]?.from ?? 0;
  if (last - first > INTEGER_BINS_MAX) return bins;
  const out: HistogramBin[] = [];
  for (let v = first; v <= last; v++) out.push(bins.find((b) => b.from === v) ?? { from: v, to: v, count: 0 });
  return out;
}

/** One scan: the answers counted, every field's presence and emptiness, and min/max/mean/median of every measure. */
async function statsOf(db: Kysely<DB>, base: RawBuilder<unknown>, g: RawBuilder<string>, query: InsightsQuery, fields: readonly InsightField[], measures: readonly Measure[]): Promise<StatsRow[]> {
  const columns: RawBuilder<unknown>[] = [];
  const inner: RawBuilder<unknown>[] = [sql`${g} AS g`];
  fields.forEach((f, index) => {
    inner.push(sql`${presentExpr(f)} AS ${sql.ref(`p${index}`)}`);
    columns.push(sql`count(*) FILTER (WHERE ${sql.ref(`p${index}`)}) AS ${sql.ref(`present_${index}`)}`);
    const empty = emptyExpr(f);
    if (empty) {
      inner.push(sql`${empty} AS ${sql.ref(`e${index}`)}`);
      columns.push(sql`count(*) FILTER (WHERE ${sql.ref(`e${index}`)}) AS ${sql.ref(`empty_${index}`)}`);
    }
  });
  for (const m of measures) {
    const x = sql.ref(`x${m.field}_${m.what}`);
    const s = `${m.field}_${m.what}`;
    inner.push(sql`${m.expr} AS ${x}`);
    columns.push(sql`count(${x}) AS ${sql.ref(`count_${s}`)}, min(${x}) AS ${sql.ref(`min_${s}`)}, max(${x}) AS ${sql.ref(`max_${s}`)},
      avg(${x}) AS ${sql.ref(`mean_${s}`)}, percentile_cont(0.5) WITHIN GROUP (ORDER BY ${x}) AS ${sql.ref(`median_${s}`)}`);
  }
  if (query.over !== undefined) {
    inner.push(sql`${overDay(query.over)} AS d`);
    columns.push(sql`min(d) AS over_min, max(d) AS over_max, count(*) FILTER (WHERE d IS NULL) AS over_undated`);
  }
  const grouping = query.by ? sql`GROUPING(g) AS overall, g,` : sql`1 AS overall, '' AS g,`;
  const groupBy = query.by ? sql`GROUP BY GROUPING SETS ((), (g))` : sql``;
  const rows = await sql<StatsRow>`
    SELECT ${grouping} count(*) AS n, ${sql.join(columns)}
    FROM (SELECT ${sql.join(inner)} ${base}) s ${groupBy}`.execute(db);
  return rows.rows;
}

interface TallyRow {
  overall: Num;
  g: string;
  f: Num;
  what: 'value' | 'month' | 'bin' | 'currency' | 'over' | 'over_value';
  k: unknown;
  n: Num;
  s: Num;
  distinct_n: Num;
}

/** Rows above this rank in their (group, field) are left out: the most frequent codes and months are enough. */
const TALLY_RANK_MAX = 200;

/**
 * One scan: counts per value of every counted field — enum and boolean values, codes, months of dates,
 * histogram bins of numbers, totals per currency, and the days of `over` (alone and per value). Each row
 * of answers becomes one (field, key) pair per field through a LATERAL VALUES list.
 */
async function tallyOf(db: Kysely<DB>, base: RawBuilder<unknown>, g: RawBuilder<string>, query: InsightsQuery, fields: readonly InsightField[], bounds: ReadonlyMap<number, { min: number; max: number }>): Promise<TallyRow[]> {
  // The LATERAL list reads the columns of `b`, the answers' subquery.
  const O = sql`b.output`;
  const pairs: RawBuilder<unknown>[] = [];
  const pair = (f: number, what: TallyRow['what'], key: RawBuilder<unknown>, amount: RawBuilder<unknown> = sql`NULL::float8`) =>
    pairs.push(sql`(${f}::int, ${what}::text, ${key}, ${amount})`);
  fields.forEach((f, index) => {
    if (f.kind === 'values') pair(index, 'value', sql`coalesce(${jsonAt(O, f.path)}, 'null'::jsonb)`);
    if (f.kind === 'code') pair(index, 'value', sql`(CASE WHEN jsonb_typeof(${jsonAt(O, f.path)}) = 'string' THEN ${jsonAt(O, f.path)} END)`);
    if (f.kind === 'date') pair(index, 'month', sql`(CASE WHEN ${textAt(O, f.path)} ~ '^\\d{4}-\\d{2}' THEN to_jsonb(left(${textAt(O, f.path)}, 7)) END)`);
    if (f.kind === 'number') {
      const b = bounds.get(index);
      if (b) {
        const x = numberAt(O, f.path);
        const bin = integerBins(f, b)
          ? sql`to_jsonb(round(${x})::int)`
          : b.max > b.min
            ? sql`to_jsonb(least(width_bucket(${x}, ${b.min}::float8, ${b.max}::float8, ${HISTOGRAM_BINS}::int), ${HISTOGRAM_BINS}::int))`
            : sql`to_jsonb(1)`;
        pair(index, 'bin', sql`(CASE WHEN ${x} IS NOT NULL THEN ${bin} END)`);
      }
      if (f.currency) pair(index, 'currency', sql`(CASE WHEN ${numberAt(O, f.path)} IS NOT NULL THEN to_jsonb(coalesce(${textAt(O, f.currency)}, '?')) END)`, numberAt(O, f.path));
    }
  });
  if (query.over !== undefined) {
    const day = overDay(query.over, sql`b.metadata`);
    pair(-1, 'over', sql`to_jsonb(${day})`);
    fields.forEach((f, index) => {
      if (f.kind === 'values') pair(index, 'over_value', sql`(CASE WHEN ${day} IS NOT NULL THEN jsonb_build_array(${day}, coalesce(${jsonAt(O, f.path)}, 'null'::jsonb)) END)`);
    });
  }
  if (pairs.length === 0) return [];
  const grouping = query.by ? sql`GROUPING(g) AS overall, g,` : sql`1 AS overall, '' AS g,`;
  const keys = sql`t.f, t.what, t.k`;
  const groupBy = query.by ? sql`GROUP BY GROUPING SETS ((${keys}), (g, ${keys}))` : sql`GROUP BY ${keys}`;
  const rows = await sql<TallyRow>`
    SELECT * FROM (
      SELECT c.*, row_number() OVER (PARTITION BY overall, g, f, what ORDER BY n DESC, k) AS rk,
        count(*) OVER (PARTITION BY overall, g, f, what) AS distinct_n
      FROM (
        SELECT ${grouping} t.f, t.what, t.k, count(*) AS n, sum(t.x) AS s
        FROM (SELECT ${g} AS g, r.output, i.document -> 'metadata' AS metadata ${base}) b
        CROSS JOIN LATERAL (VALUES ${sql.join(pairs)}) AS t(f, what, k, x)
        WHERE t.k IS NOT NULL
        ${groupBy}) c) d
    WHERE rk <= ${TALLY_RANK_MAX} OR what IN ('over', 'over_value', 'bin')`.execute(db);
  return rows.rows;
}

interface PhraseRow {
  overall: Num;
  g: string;
  f: Num;
  k: string;
  n: Num;
  docs: Num;
  distinct_n: Num;
}

/** One scan: the most frequent members of every list of strings, normalised, with the documents that mention each. */
async function phrasesOf(db: Kysely<DB>, base: RawBuilder<unknown>, g: RawBuilder<string>, by: string | undefined, fields: readonly InsightField[]): Promise<PhraseRow[]> {
  const lists = fields.map((f, index) => ({ f, index })).filter(({ f }) => f.kind === 'phrases');
  if (lists.length === 0) return [];
  const members = sql.join(
    lists.map(({ f, index }) => sql`SELECT ${index}::int AS f, ${normalizedPhraseSql(sql`e`)} AS k FROM ${membersOf(sql`b.output`, f.path)} AS e`),
    sql` UNION ALL `,
  );
  const grouping = by ? sql`GROUPING(g) AS overall, g,` : sql`1 AS overall, '' AS g,`;
  const groupBy = by ? sql`GROUP BY GROUPING SETS ((p.f, p.k), (g, p.f, p.k))` : sql`GROUP BY p.f, p.k`;
  const rows = await sql<PhraseRow>`
    SELECT * FROM (
      SELECT c.*, row_number() OVER (PARTITION BY overall, g, f ORDER BY docs DESC, n DESC, k) AS rk,
        count(*) OVER (PARTITION BY overall, g, f) AS distinct_n
      FROM (
        SELECT ${grouping} p.f, p.k, count(*) AS n, count(DISTINCT b.id) AS docs
        FROM (SELECT ${g} AS g, i.id, r.output ${base}) b
        CROSS JOIN LATERAL (${members}) AS p
        WHERE p.k <> ''
        ${groupBy}) c) d
    WHERE rk <= ${TOP_PHRASES}`.execute(db);
  return rows.rows;
}

interface CorrectionRow {
  overall: Num;
  g: string;
  field: string;
  n: Num;
}

/** Corrections per field among the answers counted (few rows: read through the corrections' own index). */
async function correctionsOf(db: Kysely<DB>, base: RawBuilder<unknown>, g: RawBuilder<string>, by: string | undefined): Promise<CorrectionRow[]> {
  const grouping = by ? sql`GROUPING(g) AS overall, g,` : sql`1 AS overall, '' AS g,`;
  const groupBy = by ? sql`GROUP BY GROUPING SETS ((c.field), (g, c.field))` : sql`GROUP BY c.field`;
  const rows = await sql<CorrectionRow>`
    SELECT ${grouping} c.field, count(*) AS n
    FROM (SELECT ${g} AS g, i.id ${base}) b JOIN corrections c ON c.item_id = b.id
    ${groupBy}`.execute(db);
  return rows.rows;
}

function overSeries(field: string, unit: 'day' | 'week', tally: readonly TallyRow[], fields: readonly InsightField[], undated: number): NonNullable<ComputedInsights['over']> {
  const points = new Map<string, OverPoint>();
  const periodOf = (day: string) => (unit === 'day' ? day : mondayOf(day));
  const point = (period: string) => {
    let p = points.get(period);
    if (!p) {
      p = { period, count: 0, values: {} };
      points.set(period, p);
    }
    return p;
  };
  for (const t of tally) {
    if (Number(t.overall) !== 1) continue;
    if (t.what === 'over' && typeof t.k === 'string') point(periodOf(t.k)).count += Number(t.n);
    if (t.what === 'over_value' && Array.isArray(t.k)) {
      const [day, value] = t.k as [string, unknown];
      const path = fields[Number(t.f)]?.path;
      if (!path) continue;
      const values = (point(periodOf(day)).values[path] ??= {});
      const key = String(value);
      values[key] = (values[key] ?? 0) + Number(t.n);
    }
  }
  return { field, unit, points: [...points.values()].sort((a, b) => a.period.localeCompare(b.period)), undated };
}

/** The Monday of an ISO date's week (a day that is not a real date stays as it is). */
export function mondayOf(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(t)) return day;
  const weekday = (new Date(t).getUTCDay() + 6) % 7;
  return new Date(t - weekday * 86_400_000).toISOString().slice(0, 10);
}
