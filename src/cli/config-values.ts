// `--config key=value` and `--unset field` flags → a plugin config object, read the same way by every
// command that takes them (run, compare, connections). Values are typed by the plugin's config JSON
// Schema (GET /v1/plugins): "5" stays a string for a column name and becomes 5 for a number field.
// Dotted keys reach nested objects (`columns.text=Body`). A value `@FILE` is read from that file, `@-`
// from stdin, `@@…` is a literal `@…` (secret-values.ts); `--unset FIELD` sends null, which a JSON merge
// patch reads as "remove" (a connection's field, or a job's override of it).
import type { CliContext } from './context.ts';
import { UsageError } from './errors.ts';
import { resolveValueSources } from './secret-values.ts';
import type { ConfigAssignment, JsonSchema } from './types.ts';

export interface ConfigFlags {
  /** The --config values, in order, with `@FILE` and `@-` read in. */
  assignments: ConfigAssignment[];
  /** The --unset fields. */
  unset: string[];
}

/** Reads a command's `--config` and `--unset` flags: the values from files and stdin, and checks they do not contradict each other. */
export async function readConfigFlags(
  config: readonly string[] | undefined,
  unset: readonly string[] | undefined,
  ctx: Pick<CliContext, 'cwd' | 'stdin'>,
  usage: string,
): Promise<ConfigFlags> {
  const parsed = (config ?? []).map((c) => parseAssignment(c, usage));
  const fields = (unset ?? []).map((f) => f.trim());
  for (const field of fields) {
    if (field === '' || field.split('.').some((part) => part === '')) throw new UsageError(`--unset "${field}" is not a field name`, usage);
    const clash = parsed.find((a) => a.key === field || a.key.startsWith(`${field}.`) || field.startsWith(`${a.key}.`));
    if (clash) throw new UsageError(`--unset ${field} and --config ${clash.key}=… contradict each other`, usage);
  }
  return { assignments: await resolveValueSources(parsed, ctx, usage), unset: fields };
}

/** Sets each --unset field (dotted for a nested one) to null in `target` (mutated): a merge patch removes it. */
export function applyUnset(target: Record<string, unknown>, fields: readonly string[], usage: string): void {
  for (const field of fields) {
    const path = field.split('.');
    let node = target;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (next === undefined) node[part] = {};
      else if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new UsageError(`--unset ${field}: "${part}" is already set to a value`, usage);
      node = node[part] as Record<string, unknown>;
    }
    node[path[path.length - 1] as string] = null;
  }
}

export function parseAssignment(flag: string, usage: string): ConfigAssignment {
  const at = flag.indexOf('=');
  if (at <= 0) throw new UsageError(`--config needs key=value, got "${flag}"`, usage);
  return { key: flag.slice(0, at).trim(), raw: flag.slice(at + 1) };
}

/** Sets each assignment into `target` (mutated), typed by `schema` when it is known. */
export function applyAssignments(target: Record<string, unknown>, assignments: readonly ConfigAssignment[], schema: JsonSchema | undefined, usage: string): void {
  for (const { key, raw } of assignments) {
    const path = key.split('.');
    if (path.some((part) => part === '')) throw new UsageError(`--config key "${key}" is not a field name`, usage);
    let node = target;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (next === undefined) node[part] = {};
      else if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new UsageError(`--config ${key}: "${part}" is already set to a value`, usage);
      node = node[part] as Record<string, unknown>;
    }
    node[path[path.length - 1] as string] = coerce(raw, schemaAt(schema, path), key, usage);
  }
}

function schemaAt(schema: JsonSchema | undefined, path: readonly string[]): JsonSchema | undefined {
  let node = schema;
  for (const part of path) node = node?.properties?.[part];
  return node;
}

function typesOf(schema: JsonSchema | undefined): Set<string> {
  const types = new Set<string>();
  if (!schema) return types;
  if (typeof schema.type === 'string') types.add(schema.type);
  if (Array.isArray(schema.type)) for (const t of schema.type) types.add(t);
  if (schema.enum) for (const v of schema.enum) types.add(typeof v === 'string' ? 'string' : typeof v);
  for (const alt of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) for (const t of typesOf(alt)) types.add(t);
  return types;
}

function coerce(raw: string, schema: JsonSchema | undefined, key: string, usage: string): unknown {
  const types = typesOf(schema);
  // Unknown field, or a schema too loose to say: JSON when it parses (numbers, true, [..], {..}), else the text.
  if (types.size === 0) return parseJsonOr(raw, raw);
  if (types.has('string') && !types.has('object') && !types.has('array')) return raw;
  if ((types.has('integer') || types.has('number')) && raw.trim() !== '' && Number.isFinite(Number(raw))) {
    const n = Number(raw);
    if (types.has('integer') && !types.has('number') && !Number.isInteger(n)) throw new UsageError(`--config ${key} must be a whole number, got "${raw}"`, usage);
    return n;
  }
  if (types.has('boolean')) {
    const flag = raw.trim().toLowerCase();
    if (['true', 'yes', '1', 'on'].includes(flag)) return true;
    if (['false', 'no', '0', 'off'].includes(flag)) return false;
  }
  if (types.has('array')) {
    if (raw.trim().startsWith('[')) return parseJsonStrict(raw, key, usage);
    const itemSchema = schema?.items;
    return raw === '' ? [] : raw.split(',').map((part) => coerce(part.trim(), itemSchema, key, usage));
  }
  if (types.has('object')) return parseJsonStrict(raw, key, usage);
  if (types.has('string')) return raw;
  throw new UsageError(`--config ${key} must be ${[...types].join(' or ')}, got "${raw}"`, usage);
}

function parseJsonOr(raw: string, fallback: unknown): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function parseJsonStrict(raw: string, key: string, usage: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new UsageError(`--config ${key} must be JSON here, got "${raw}"`, usage);
  }
}
