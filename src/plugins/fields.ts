// Which config fields a plugin's schema knows, read from the JSON Schema the API serves, so a field no
// plugin knows (a typo: `intenal_note`) is a 422 naming it instead of being dropped without a word.
import { z } from 'zod';
import { invalidField } from '../errors.ts';

const knownFieldsCache = new WeakMap<object, ReadonlySet<string> | null>();

/**
 * The config fields a plugin's schema knows, or undefined when its schema takes any field (a loose
 * object, a record): then nothing can be called unknown. Read from the JSON Schema the API serves.
 */
export function knownFields(plugin: { configSchema: z.ZodType }): ReadonlySet<string> | undefined {
  let known = knownFieldsCache.get(plugin.configSchema);
  if (known === undefined) {
    known = null;
    try {
      const json = z.toJSONSchema(plugin.configSchema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown>; additionalProperties?: unknown };
      // An object schema that strips or refuses other keys lists its fields; a loose one takes any.
      if (json.properties && (json.additionalProperties === undefined || json.additionalProperties === false)) known = new Set(Object.keys(json.properties));
    } catch {
      known = null;
    }
    knownFieldsCache.set(plugin.configSchema, known);
  }
  return known ?? undefined;
}

/** Throws a 422 naming the first field that none of the plugins knows. */
export function refuseUnknownFields(plugins: ReadonlyArray<{ configSchema: z.ZodType }>, config: Record<string, unknown>, field: string, what: string): void {
  const sets = plugins.map(knownFields);
  if (sets.some((s) => s === undefined)) return;
  const all = new Set(sets.flatMap((s) => [...(s ?? [])]));
  const unknown = Object.keys(config).find((key) => !all.has(key));
  if (unknown !== undefined) throw invalidField(`${field}.${unknown}`, `is not a field of ${what}; its fields: ${[...all].join(', ')}`);
}

