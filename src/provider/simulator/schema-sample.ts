// Produces a value valid against a JSON Schema (incl. zod v4 toJSONSchema output), varied but reproducible per seed.
import { createRandom } from './hash.ts';
import { sampleNumber, sampleString, type JsonSchemaObject } from './schema-scalars.ts';

interface SampleContext {
  root: unknown;
  random: () => number;
}

// Past this depth optional recursion is cut short (null branches, fewest array items, required keys only).
const SOFT_DEPTH = 10;
// A schema that still recurses here has no finite instance; stop rather than overflow the stack.
const HARD_DEPTH = 60;

export function sampleFromJsonSchema(schema: unknown, seed: string): unknown {
  return sample(schema, { root: schema, random: createRandom(seed) }, 0);
}

function isRecord(value: unknown): value is JsonSchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function without(schema: JsonSchemaObject, ...keys: string[]): JsonSchemaObject {
  const copy: JsonSchemaObject = { ...schema };
  for (const key of keys) delete copy[key];
  return copy;
}

function sample(schema: unknown, ctx: SampleContext, depth: number): unknown {
  if (depth > HARD_DEPTH || schema === false) return null;
  // `true`, `{}` or a missing schema accept anything.
  if (!isRecord(schema)) return 'sample';
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum[Math.floor(ctx.random() * schema.enum.length)];
  }
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(ctx.root, schema.$ref);
    return sample(mergeSchemas(target, without(schema, '$ref')), ctx, depth + 1);
  }
  if (Array.isArray(schema.allOf)) {
    const merged = schema.allOf.reduce<JsonSchemaObject>(
      (acc, part) => mergeSchemas(acc, derefShallow(part, ctx)),
      without(schema, 'allOf'),
    );
    return sample(merged, ctx, depth + 1);
  }
  const branches = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : null;
  if (branches && branches.length > 0) {
    const branch = chooseBranch(branches, ctx, depth);
    return sample(mergeSchemas(without(schema, 'anyOf', 'oneOf'), branch), ctx, depth + 1);
  }
  switch (chooseType(schema, depth)) {
    case 'object':
      return sampleObject(schema, ctx, depth);
    case 'array':
      return sampleArray(schema, ctx, depth);
    case 'integer':
      return sampleNumber(schema, true, ctx.random);
    case 'number':
      return sampleNumber(schema, false, ctx.random);
    case 'boolean':
      return ctx.random() < 0.5;
    case 'null':
      return null;
    default:
      return sampleString(schema, ctx.random);
  }
}

function isNullSchema(schema: unknown, ctx: SampleContext): boolean {
  const resolved = derefShallow(schema, ctx);
  return (
    resolved.type === 'null' ||
    ('const' in resolved && resolved.const === null) ||
    (Array.isArray(resolved.enum) && resolved.enum.length === 1 && resolved.enum[0] === null)
  );
}

function chooseBranch(branches: unknown[], ctx: SampleContext, depth: number): unknown {
  const nullBranch = branches.find((branch) => isNullSchema(branch, ctx));
  if (depth >= SOFT_DEPTH && nullBranch !== undefined) return nullBranch;
  return branches.find((branch) => !isNullSchema(branch, ctx)) ?? branches[0];
}

function chooseType(schema: JsonSchemaObject, depth: number): string {
  const declared = schema.type;
  if (Array.isArray(declared)) {
    const nonNull = declared.filter((type): type is string => typeof type === 'string' && type !== 'null');
    if (nonNull.length === 0 || (depth >= SOFT_DEPTH && declared.includes('null'))) return 'null';
    return nonNull[0] ?? 'null';
  }
  if (typeof declared === 'string') {
    return schema.nullable === true && depth >= SOFT_DEPTH ? 'null' : declared;
  }
  if ('properties' in schema || 'required' in schema || 'additionalProperties' in schema) return 'object';
  if ('items' in schema || 'prefixItems' in schema || 'minItems' in schema) return 'array';
  if ('minimum' in schema || 'maximum' in schema || 'exclusiveMinimum' in schema || 'exclusiveMaximum' in schema) {
    return 'number';
  }
  return 'string';
}

// Assigning through defineProperty keeps a property literally named "__proto__" an ordinary key.
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function sampleObject(schema: JsonSchemaObject, ctx: SampleContext, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((k) => typeof k === 'string') : []);
  const extra = schema.additionalProperties;
  for (const key of Object.keys(properties)) {
    if (depth < SOFT_DEPTH || required.has(key)) setKey(out, key, sample(properties[key], ctx, depth + 1));
  }
  for (const key of required) {
    if (!Object.hasOwn(out, key)) setKey(out, key, isRecord(extra) ? sample(extra, ctx, depth + 1) : 'sample');
  }
  const minProperties = typeof schema.minProperties === 'number' ? schema.minProperties : 0;
  for (let n = 0; Object.keys(out).length < minProperties && extra !== false; n++) {
    if (!Object.hasOwn(out, `extra_${n}`)) setKey(out, `extra_${n}`, isRecord(extra) ? sample(extra, ctx, depth + 1) : 'sample');
  }
  return out;
}

function sampleArray(schema: JsonSchemaObject, ctx: SampleContext, depth: number): unknown[] {
  // 2020-12 tuples use prefixItems + items; draft-07 tuples use an items array + additionalItems.
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
  const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
  const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Number.POSITIVE_INFINITY;
  let count: number;
  if (rest === false) count = prefix.length;
  else if (depth >= SOFT_DEPTH) count = minItems;
  else count = Math.min(Math.max(1 + Math.floor(ctx.random() * 3), minItems), maxItems);

  const unique = schema.uniqueItems === true;
  const seen = new Set<string>();
  const out: unknown[] = [];
  // Unique items may need a few extra draws; enums too small to fill the array end the loop.
  for (let attempt = 0; out.length < count && attempt < count * 10 + 10; attempt++) {
    const index = out.length;
    const itemSchema = index < prefix.length ? prefix[index] : rest;
    let item = itemSchema === undefined ? `item ${index}` : sample(itemSchema, ctx, depth + 1);
    if (unique) {
      if (itemSchema === undefined || itemSchema === true) item = `item ${index}`;
      const key = JSON.stringify(item);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    out.push(item);
  }
  return out;
}

function resolveRef(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return true;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isRecord(node) && !Array.isArray(node)) return true;
    node = (node as Record<string, unknown>)[key];
  }
  return node ?? true;
}

function derefShallow(schema: unknown, ctx: SampleContext): JsonSchemaObject {
  let current = schema;
  for (let hops = 0; hops < 20 && isRecord(current) && typeof current.$ref === 'string'; hops++) {
    current = mergeSchemas(resolveRef(ctx.root, current.$ref), without(current, '$ref'));
  }
  return isRecord(current) ? current : {};
}

const TAKE_MAX = new Set(['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties']);
const TAKE_MIN = new Set(['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties']);

// Combines two schemas that must both hold (allOf, or a $ref with sibling keywords).
function mergeSchemas(left: unknown, right: unknown): JsonSchemaObject {
  const out: JsonSchemaObject = isRecord(left) ? { ...left } : {};
  if (!isRecord(right)) return out;
  for (const [key, value] of Object.entries(right)) {
    const existing = out[key];
    if (existing === undefined) {
      out[key] = value;
    } else if (key === 'properties' && isRecord(existing) && isRecord(value)) {
      const properties: JsonSchemaObject = { ...existing };
      for (const [name, sub] of Object.entries(value)) {
        properties[name] = name in existing ? { allOf: [existing[name], sub] } : sub;
      }
      out[key] = properties;
    } else if (key === 'required' && Array.isArray(existing) && Array.isArray(value)) {
      out[key] = [...new Set([...existing, ...value])];
    } else if (TAKE_MAX.has(key) && typeof existing === 'number' && typeof value === 'number') {
      out[key] = Math.max(existing, value);
    } else if (TAKE_MIN.has(key) && typeof existing === 'number' && typeof value === 'number') {
      out[key] = Math.min(existing, value);
    } else if (key === 'type') {
      out[key] = intersectTypes(existing, value);
    } else if (key === 'enum' && Array.isArray(existing) && Array.isArray(value)) {
      const allowed = new Set(value.map((item) => JSON.stringify(item)));
      const both = existing.filter((item) => allowed.has(JSON.stringify(item)));
      out[key] = both.length > 0 ? both : value;
    } else if (key === 'additionalProperties') {
      out[key] = existing === false || value === false ? false : value;
    } else {
      out[key] = value;
    }
  }
  return out;
}

function intersectTypes(left: unknown, right: unknown): unknown {
  const asList = (value: unknown): string[] =>
    (Array.isArray(value) ? value : [value]).filter((type): type is string => typeof type === 'string');
  const rightList = asList(right);
  const both = asList(left).filter(
    (type) => rightList.includes(type) || (type === 'integer' && rightList.includes('number')),
  );
  if (both.length === 0) return right;
  return both.length === 1 ? both[0] : both;
}
