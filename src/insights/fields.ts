// The fields of a task's answer as insights see them: each field's JSON Schema type decides its aggregate
// (counts per value, number statistics, top phrases, months, length statistics), from the schema alone,
// so built-in and inline tasks are read the same way. Nested objects flatten to dotted paths.
import { nonNull } from '../experiments/fields.ts';

type Schema = Record<string, unknown>;

/**
 * - `values`: enums and booleans, counted per value;
 * - `number`: numbers and integers, with statistics and a histogram (and totals per currency when the
 *   object also holds a currency code);
 * - `phrases`: lists of strings, their most frequent members after a light normalisation;
 * - `date`: strings that hold a date, counted per month;
 * - `code`: other constrained strings (a pattern, a format, a short cap), counted per value (the top ones);
 * - `text`: free text, answered/empty and length;
 * - `list`: lists of objects, how many members each answer has.
 */
export type InsightKind = 'values' | 'number' | 'phrases' | 'date' | 'code' | 'text' | 'list';

export interface InsightField {
  /** Dotted path from the answer's root: `sentiment`, `vendor.name`. */
  path: string;
  kind: InsightKind;
  /** `values` fields: the values the schema allows (booleans: false, true). */
  values?: unknown[];
  /** `number` fields: whether the schema says integer. */
  integer?: boolean;
  /** `number` fields: the dotted path of the currency code beside the amount, when there is one. */
  currency?: string;
  /** The field's JSON Schema, for checking a correction or a filter value. */
  schema: Schema;
}

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DATE_PATTERN = /\\d\{4\}-\\d\{2\}-\\d\{2\}/;

function isDate(s: Schema): boolean {
  if (s.type !== 'string') return false;
  if (s.format === 'date' || s.format === 'date-time') return true;
  return typeof s.pattern === 'string' && DATE_PATTERN.test(s.pattern);
}

function isFreeText(s: Schema): boolean {
  return s.type === 'string' && !Array.isArray(s.enum) && s.const === undefined && s.pattern === undefined && s.format === undefined;
}

/** A currency code: a string field named like one, or constrained to three capital letters. */
function isCurrencyCode(key: string, s: Schema): boolean {
  if (s.type !== 'string') return false;
  if (/^(currency|currency_code)$/i.test(key)) return true;
  return s.pattern === '^[A-Z]{3}$';
}

function kindOf(s: Schema): InsightKind {
  if (Array.isArray(s.enum) || s.const !== undefined || s.type === 'boolean') return 'values';
  if (s.type === 'number' || s.type === 'integer') return 'number';
  if (s.type === 'array') {
    const items = isRecord(s.items) ? nonNull(s.items) : {};
    if (items.type === 'object') return 'list';
    return 'phrases';
  }
  if (isDate(s)) return 'date';
  if (isFreeText(s)) return 'text';
  return 'code';
}

/**
 * The properties of an object schema in the order the task wrote them. A stored schema is jsonb, which keeps
 * an object's keys in its own order (shortest first), but keeps arrays as they are: `required` lists the
 * fields in the author's order, and the rest follow in the stored order.
 */
function inOrder(schema: Schema): Schema {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string' && r in properties) : [];
  const keys = [...new Set([...required, ...Object.keys(properties)])];
  return Object.fromEntries(keys.map((k) => [k, properties[k]]));
}

/** The insight fields of an output schema, in the schema's order. */
export function insightFieldsOf(outputSchema: Schema): InsightField[] {
  const out: InsightField[] = [];
  const walk = (schema: Schema, prefix: string) => {
    const properties = inOrder(schema);
    const currencyKey = Object.entries(properties).find(([key, raw]) => isRecord(raw) && isCurrencyCode(key, nonNull(raw)))?.[0];
    for (const [key, raw] of Object.entries(properties)) {
      if (!isRecord(raw)) continue;
      const path = prefix ? `${prefix}.${key}` : key;
      const s = nonNull(raw);
      if (s.type === 'object' && isRecord(s.properties)) {
        walk(s, path);
        continue;
      }
      const kind = kindOf(s);
      const field: InsightField = { path, kind, schema: raw };
      if (kind === 'values') field.values = s.type === 'boolean' ? [false, true] : Array.isArray(s.enum) ? [...s.enum] : [s.const];
      if (kind === 'number') {
        field.integer = s.type === 'integer';
        if (currencyKey) field.currency = prefix ? `${prefix}.${currencyKey}` : currencyKey;
      }
      out.push(field);
    }
  };
  walk(outputSchema, '');
  return out;
}
