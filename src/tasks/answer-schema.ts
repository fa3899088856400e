// Reading a task's answer schema (its output JSON Schema) and the answers it describes: nullable fields
// unwrapped, free text told from codes, nested objects flattened to dotted paths, values found by path and
// compared by content. Experiments and insights each decide what a field means to them from these.

type Schema = Record<string, unknown>;

export function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `anyOf: [X, {type: null}]` (a nullable field) → X; a type list with null → the other type. */
export function nonNull(schema: Schema): Schema {
  const branches = Array.isArray(schema.anyOf) ? schema.anyOf.filter(isRecord) : Array.isArray(schema.oneOf) ? schema.oneOf.filter(isRecord) : [];
  const real = branches.filter((b) => b.type !== 'null');
  if (real.length === 1 && real[0]) return real[0];
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== 'null');
    if (types.length === 1) return { ...schema, type: types[0] };
  }
  return schema;
}

/** Free text: a string with no enum, const, pattern or format that makes it a code. */
export function isFreeText(s: Schema): boolean {
  return s.type === 'string' && !Array.isArray(s.enum) && s.const === undefined && s.pattern === undefined && s.format === undefined;
}

/** One answer field that is not itself an object of fields. */
export interface SchemaLeaf {
  /** Dotted path from the answer's root: `sentiment`, `vendor.name`. */
  path: string;
  /** Its name within its object. */
  key: string;
  /** The path of the object that holds it ('' at the root). */
  prefix: string;
  /** Its schema as written (a nullable field keeps its null branch: what a value is checked against). */
  raw: Schema;
  /** Its schema without the null branch: what decides its kind. */
  schema: Schema;
  /** The properties of the object that holds it (a currency code beside an amount, say). */
  siblings: Record<string, unknown>;
}

/** An object schema's properties in the stored order. */
export function propertiesOf(schema: Schema): Record<string, unknown> {
  return isRecord(schema.properties) ? schema.properties : {};
}

/** The leaf fields of an output schema, objects walked in `order` (the stored order by default). */
export function schemaLeaves(outputSchema: Schema, order: (objectSchema: Schema) => Record<string, unknown> = propertiesOf): SchemaLeaf[] {
  const out: SchemaLeaf[] = [];
  const walk = (schema: Schema, prefix: string) => {
    const siblings = order(schema);
    for (const [key, raw] of Object.entries(siblings)) {
      if (!isRecord(raw)) continue;
      const path = prefix ? `${prefix}.${key}` : key;
      const s = nonNull(raw);
      if (s.type === 'object' && isRecord(s.properties)) walk(s, path);
      else out.push({ path, key, prefix, raw, schema: s, siblings });
    }
  };
  walk(outputSchema, '');
  return out;
}

/** The value at a dotted path; undefined when a step is missing. */
export function valueAt(answer: unknown, path: string): unknown {
  let node: unknown = answer;
  for (const key of path.split('.')) {
    if (!isRecord(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Sorted keys, so two objects that differ only in key order are the same value. */
export function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const record = value as Schema;
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`)
    .join(',')}}`;
}
