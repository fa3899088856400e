// The fields an experiment compares, read from the task's output schema, and what "the same answer" means
// for each kind: exact for enums, booleans and constrained strings (dates, codes), within a tolerance for
// numbers, the same set for lists of values (with their overlap measured), and for free text (and lists of
// free-text phrases) only whether it is empty and how long it is.
import { canonical, isFreeText, isRecord, nonNull, schemaLeaves } from '../tasks/answer-schema.ts';

export type FieldKind = 'enum' | 'boolean' | 'number' | 'exact' | 'set' | 'text' | 'text_list';

export interface FieldSpec {
  /** Dotted path from the answer's root: `sentiment`, `vendor.name`. */
  path: string;
  kind: FieldKind;
  /** Enum fields: the allowed values (booleans: false, true). */
  values?: unknown[];
  /** Number fields: the largest difference that counts as agreement. */
  tolerance?: number;
  /** The field's JSON Schema (for checking gold labels). */
  schema: Record<string, unknown>;
}

type Schema = Record<string, unknown>;

function kindOf(s: Schema, path: string, exact: ReadonlySet<string>): FieldKind {
  if (Array.isArray(s.enum) || s.const !== undefined) return 'enum';
  if (s.type === 'boolean') return 'boolean';
  if (s.type === 'number' || s.type === 'integer') return 'number';
  if (s.type === 'array') {
    const items = isRecord(s.items) ? nonNull(s.items) : {};
    return isFreeText(items) && !exact.has(path) ? 'text_list' : 'set';
  }
  if (s.type === 'string') return isFreeText(s) && !exact.has(path) ? 'text' : 'exact';
  return 'exact';
}

/**
 * The compared fields of an output schema, nested objects flattened to dotted paths. `tolerance` and
 * `exact` are the experiment's options, already checked against these fields.
 */
function rank(order: readonly string[], path: string): number {
  const at = order.indexOf(path);
  return at < 0 ? order.length : at;
}

export function fieldsOf(outputSchema: Schema, options: { tolerance?: Record<string, number>; exact?: readonly string[]; order?: readonly string[] } = {}): FieldSpec[] {
  const exact = new Set(options.exact ?? []);
  const out = schemaLeaves(outputSchema).map(({ path, raw, schema: s }) => {
    const kind = kindOf(s, path, exact);
    const spec: FieldSpec = { path, kind, schema: raw };
    if (kind === 'enum') spec.values = Array.isArray(s.enum) ? [...s.enum] : [s.const];
    if (kind === 'boolean') spec.values = [false, true];
    if (kind === 'number') spec.tolerance = options.tolerance?.[path] ?? (s.type === 'integer' ? 0 : 0.01);
    return spec;
  });
  const order = options.order;
  if (order) out.sort((a, b) => rank(order, a.path) - rank(order, b.path));
  return out;
}

/** A list as a set of normalized members: strings trimmed and lowercased, anything else as canonical JSON. */
export function memberSet(value: unknown): Set<string> {
  if (!Array.isArray(value)) return new Set();
  return new Set(value.map((v) => (typeof v === 'string' ? v.trim().toLowerCase().replace(/\s+/g, ' ') : canonical(v))));
}

/** Jaccard index of two lists as sets; two empty lists overlap fully. */
export function overlap(a: unknown, b: unknown): number {
  const x = memberSet(a);
  const y = memberSet(b);
  if (x.size === 0 && y.size === 0) return 1;
  let both = 0;
  for (const m of x) if (y.has(m)) both += 1;
  return both / (x.size + y.size - both);
}

export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

/** Whether two answers' values of a field are "the same" for the field's kind (missing equals null). */
export function sameValue(field: FieldSpec, a: unknown, b: unknown): boolean {
  switch (field.kind) {
    case 'number': {
      if (typeof a !== 'number' || typeof b !== 'number') return (a ?? null) === (b ?? null);
      return Math.abs(a - b) <= (field.tolerance ?? 0) + 1e-9;
    }
    case 'set': {
      const x = memberSet(a);
      const y = memberSet(b);
      return x.size === y.size && [...x].every((m) => y.has(m));
    }
    case 'text':
    case 'text_list':
      return isEmptyValue(a) === isEmptyValue(b);
    default:
      return canonical(a ?? null) === canonical(b ?? null);
  }
}

/** Length of a free-text value (characters) or of a list (items). */
export function lengthOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  return Array.isArray(value) ? value.length : 0;
}

/** Fields whose disagreements are listed and scored against labels (free text is only measured). */
export function isScored(field: FieldSpec): boolean {
  return field.kind !== 'text' && field.kind !== 'text_list';
}
