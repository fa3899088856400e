// Filters over a job's answers, shared by the results explorer, its export and the insights: `PATH OP VALUE`,
// where PATH is a field of the task's answer (`sentiment`, `vendor.name`) or `metadata.KEY`, and OP is one
// of = != < <= > >= ~. Each is checked against the field's schema type before any SQL is built, so a filter
// on an unknown field or of the wrong type is a 422 naming it, never a query error.
import { sql, type RawBuilder } from 'kysely';
import { invalidField } from '../errors.ts';
import type { InsightField } from './fields.ts';

export type FilterOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';

export interface ParsedFilter {
  path: string;
  op: FilterOp;
  value: string;
}

/** The SQL names of a row's answer and metadata, as the query that uses the filters aliases them. */
export interface RowColumns {
  output: RawBuilder<unknown>;
  metadata: RawBuilder<unknown>;
}

const FILTER_SYNTAX = /^\s*([A-Za-z0-9_.-]+)\s*(<=|>=|!=|=|<|>|~)\s*(.*)$/s;
const MAX_FILTERS = 20;

/** The light normalisation phrases are counted and matched under: case, inner whitespace, surrounding punctuation. */
export function normalizePhrase(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/^[\s.,;:!?"'()[\]{}*\-–—]+|[\s.,;:!?"'()[\]{}*\-–—]+$/g, '')
    .toLowerCase();
}

/** The same normalisation in SQL (the set of trimmed characters is normalizePhrase's). */
export function normalizedPhraseSql(text: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`lower(btrim(regexp_replace(${text}, '\\s+', ' ', 'g'), ${' .,;:!?"\'()[]{}*-–—'}))`;
}

export function pathArray(path: string): string[] {
  return path.split('.');
}

/** The answer's value at `path` as jsonb, as text, and as a number (null when it is not one). */
export function jsonAt(output: RawBuilder<unknown>, path: string): RawBuilder<unknown> {
  return sql`(${output} #> ${pathArray(path)}::text[])`;
}

export function textAt(output: RawBuilder<unknown>, path: string): RawBuilder<string | null> {
  return sql<string | null>`(${output} #>> ${pathArray(path)}::text[])`;
}

export function numberAt(output: RawBuilder<unknown>, path: string): RawBuilder<number | null> {
  return sql<number | null>`(CASE WHEN jsonb_typeof(${jsonAt(output, path)}) = 'number' THEN ${textAt(output, path)}::float8 END)`;
}

/** The members of a list field as text rows (none when the value is not a list). */
export function membersOf(output: RawBuilder<unknown>, path: string): RawBuilder<unknown> {
  return sql`jsonb_array_elements_text(CASE WHEN jsonb_typeof(${jsonAt(output, path)}) = 'array' THEN ${jsonAt(output, path)} ELSE '[]'::jsonb END)`;
}

/** Splits `score<=2` into its parts; a 422 naming `where` when it is not a filter. */
export function parseFilter(raw: string, where: string): ParsedFilter {
  const m = FILTER_SYNTAX.exec(raw);
  if (!m) throw invalidField(where, `"${raw}" is not a filter; write FIELD OP VALUE, e.g. sentiment=negative or score<=2 (OP: = != < <= > >= ~)`);
  return { path: m[1] ?? '', op: (m[2] ?? '=') as FilterOp, value: (m[3] ?? '').trim() };
}

export function parseFilters(raw: readonly string[], where: string): ParsedFilter[] {
  if (raw.length > MAX_FILTERS) throw invalidField(where, `at most ${MAX_FILTERS} filters`);
  return raw.map((r, i) => parseFilter(r, raw.length === 1 ? where : `${where}[${i}]`));
}

function fieldNamed(fields: readonly InsightField[], path: string, where: string): InsightField {
  const field = fields.find((f) => f.path === path);
  if (!field) {
    throw invalidField(where, `"${path}" is not a field of the task's answer; fields: ${fields.map((f) => f.path).join(', ')}, or metadata.KEY`);
  }
  return field;
}

const ORDER_OPS: ReadonlySet<FilterOp> = new Set(['<', '<=', '>', '>=']);

function opsOf(field: InsightField): FilterOp[] {
  switch (field.kind) {
    case 'number':
    case 'date':
      return ['=', '!=', '<', '<=', '>', '>='];
    case 'phrases':
    case 'text':
    case 'code':
      return ['=', '!=', '~'];
    case 'list':
      return [];
    default:
      return ['=', '!='];
  }
}

/** The value of an enum or boolean filter as the answer's JSON holds it, checked against the schema. */
function choiceValue(field: InsightField, value: string, where: string): string {
  const allowed = field.values ?? [];
  const match = allowed.find((v) => String(v) === value);
  if (match === undefined) throw invalidField(where, `${field.path} is one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}; "${value}" is not`);
  return JSON.stringify(match);
}

function compare(op: FilterOp, left: RawBuilder<unknown>, right: RawBuilder<unknown>): RawBuilder<boolean> {
  // The operator comes from a closed list (FILTER_SYNTAX), never from the caller's text.
  return sql<boolean>`(${left} ${sql.raw(op === '!=' ? 'IS DISTINCT FROM' : op)} ${right})`;
}

/** One checked filter as a SQL condition on a row of answers. */
export function filterCondition(fields: readonly InsightField[], filter: ParsedFilter, columns: RowColumns, where: string): RawBuilder<boolean> {
  if (filter.path.startsWith('metadata.')) {
    const key = filter.path.slice('metadata.'.length);
    if (!key) throw invalidField(where, 'name the metadata key: metadata.KEY');
    const value = sql`(${columns.metadata} ->> ${key})`;
    if (filter.op === '~') return sql<boolean>`(${value} ILIKE ${likePattern(filter.value)})`;
    if (ORDER_OPS.has(filter.op)) {
      const n = Number(filter.value);
      // A number compares as a number when the metadata holds one; dates and other text compare as text.
      if (filter.value !== '' && Number.isFinite(n)) {
        return compare(filter.op, sql`(CASE WHEN jsonb_typeof(${columns.metadata} -> ${key}) = 'number' THEN (${value})::float8 END)`, sql`${n}::float8`);
      }
      return compare(filter.op, value, sql`${filter.value}::text`);
    }
    return compare(filter.op, value, sql`${filter.value}::text`);
  }
  const field = fieldNamed(fields, filter.path, where);
  const allowed = opsOf(field);
  if (!allowed.includes(filter.op)) {
    const what = field.kind === 'list' ? 'a list of objects, which cannot be filtered' : `a ${describeKind(field)}; use ${allowed.join(' ')}`;
    throw invalidField(where, `${field.path} is ${what}`);
  }
  switch (field.kind) {
    case 'values': {
      if (filter.value === 'null') return compare(filter.op === '=' ? '=' : '!=', sql`coalesce(${jsonAt(columns.output, field.path)}, 'null'::jsonb)`, sql`'null'::jsonb`);
      return compare(filter.op, jsonAt(columns.output, field.path), sql`${choiceValue(field, filter.value, where)}::jsonb`);
    }
    case 'number': {
      const n = Number(filter.value);
      if (filter.value === '' || !Number.isFinite(n)) throw invalidField(where, `${field.path} is a number; "${filter.value}" is not`);
      if (field.integer && filter.op === '=' && !Number.isInteger(n)) throw invalidField(where, `${field.path} is an integer; "${filter.value}" is not`);
      return compare(filter.op, numberAt(columns.output, field.path), sql`${n}::float8`);
    }
    case 'date': {
      if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(filter.value)) throw invalidField(where, `${field.path} is a date; write YYYY-MM-DD (or YYYY-MM, YYYY); "${filter.value}" is not`);
      // Dates are ISO text: the order of the text is the order of the dates, and a prefix selects a month.
      if (filter.op === '=') return sql<boolean>`(${textAt(columns.output, field.path)} LIKE ${`${filter.value}%`})`;
      if (filter.op === '!=') return sql<boolean>`(${textAt(columns.output, field.path)} IS NULL OR ${textAt(columns.output, field.path)} NOT LIKE ${`${filter.value}%`})`;
      return compare(filter.op, textAt(columns.output, field.path), sql`${filter.value}::text`);
    }
    case 'phrases': {
      const member = sql`${normalizedPhraseSql(sql`e`)}`;
      const test =
        filter.op === '~'
          ? sql<boolean>`EXISTS (SELECT 1 FROM ${membersOf(columns.output, field.path)} AS e WHERE e ILIKE ${likePattern(filter.value)})`
          : sql<boolean>`EXISTS (SELECT 1 FROM ${membersOf(columns.output, field.path)} AS e WHERE ${member} = ${normalizePhrase(filter.value)})`;
      return filter.op === '!=' ? sql<boolean>`(NOT ${test})` : test;
    }
    default: {
      if (filter.op === '~') return sql<boolean>`(${textAt(columns.output, field.path)} ILIKE ${likePattern(filter.value)})`;
      return compare(filter.op, textAt(columns.output, field.path), sql`${filter.value}::text`);
    }
  }
}

function describeKind(field: InsightField): string {
  switch (field.kind) {
    case 'values':
      return field.values?.every((v) => typeof v === 'boolean') ? 'boolean' : 'choice of fixed values';
    case 'number':
      return field.integer ? 'integer' : 'number';
    case 'phrases':
      return 'list of phrases';
    case 'date':
      return 'date';
    case 'code':
      return 'code';
    default:
      return 'free text';
  }
}

/** `text` anywhere in a value, matched literally (the caller's % and _ are not wildcards). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** All filters and a text search over the answer, ANDed; `true` when there are none. */
export function filtersCondition(fields: readonly InsightField[], filters: readonly ParsedFilter[], search: string | undefined, columns: RowColumns, where: string): RawBuilder<boolean> {
  const parts = filters.map((f, i) => filterCondition(fields, f, columns, filters.length === 1 ? where : `${where}[${i}]`));
  // Every string value of the answer, however deep (keys are not searched: "sentiment" would match all).
  if (search && search.trim() !== '') {
    parts.push(sql<boolean>`EXISTS (SELECT 1 FROM jsonb_path_query(${columns.output}, 'strict $.**') AS v WHERE jsonb_typeof(v) = 'string' AND v #>> '{}' ILIKE ${likePattern(search.trim())})`);
  }
  if (parts.length === 0) return sql<boolean>`true`;
  return sql<boolean>`(${sql.join(parts, sql` AND `)})`;
}
