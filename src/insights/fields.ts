// The fields of a task's answer as insights see them: each field's JSON Schema type decides its aggregate
// (counts per value, number statistics, top phrases, months, length statistics), from the schema alone,
// so built-in and inline tasks are read the same way. Nested objects flatten to dotted paths.
import { isFreeText, isRecord, nonNull, propertiesOf, schemaLeaves } from '../tasks/answer-schema.ts';

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

const DATE_PATTERN = /\\d\{4\}-\\d\{2\}-\\d\{2\}/;

function isDate(s: Schema): boolean {
  if (s.type !== 'string') return false;
  if (s.format === 'date' || s.format === 'date-time') return true;
  return typeof s.pattern === 'string' && DATE_PATTERN.test(s.pattern);
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
  const properties = propertiesOf(schema);
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string' && r in properties) : [];
  const keys = [...new Set([...required, ...Object.keys(properties)])];
  return Object.fromEntries(keys.map((k) => [k, properties[k]]));
}

/** The insight fields of an output schema, in the schema's order. */
export function insightFieldsOf(outputSchema: Schema): InsightField[] {
  return schemaLeaves(outputSchema, inOrder).map(({ path, prefix, raw, schema: s, siblings }) => {
    const kind = kindOf(s);
    const field: InsightField = { path, kind, schema: raw };
    if (kind === 'values') field.values = s.type === 'boolean' ? [false, true] : Array.isArray(s.enum) ? [...s.enum] : [s.const];
    if (kind === 'number') {
      field.integer = s.type === 'integer';
      const currencyKey = Object.entries(siblings).find(([key, sibling]) => isRecord(sibling) && isCurrencyCode(key, nonNull(sibling)))?.[0];
      if (currencyKey) field.currency = prefix ? `${prefix}.${currencyKey}` : currencyKey;
    }
    return field;
  });
}
