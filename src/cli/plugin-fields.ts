// A plugin's config JSON Schema as rows a person can read: dotted field name, type, default, notes.
import type { JsonSchema } from './types.ts';

export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  secret: boolean;
  description: string;
}

export function configFields(schema: JsonSchema | undefined, secretFields: readonly string[] = [], prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  const required = new Set(schema?.required ?? []);
  for (const [key, field] of Object.entries(schema?.properties ?? {})) {
    const name = prefix + key;
    const nested = field.type === 'object' && field.properties ? field : undefined;
    if (nested) {
      rows.push(...configFields(nested, [], `${name}.`));
      continue;
    }
    rows.push({
      name,
      type: typeLabel(field) + (field.default !== undefined ? ` = ${JSON.stringify(field.default)}` : ''),
      required: required.has(key),
      secret: secretFields.includes(key) || field['x-secret'] === true,
      description: field.description ?? '',
    });
  }
  return rows;
}

function typeLabel(field: JsonSchema): string {
  if (field.enum) return field.enum.map((v) => String(v)).join('|');
  if (field.anyOf || field.oneOf) return [...(field.anyOf ?? []), ...(field.oneOf ?? [])].map(typeLabel).join('|');
  if (field.type === 'array') return `${field.items ? typeLabel(field.items) : 'any'}[]`;
  if (field.type === 'object') return 'object';
  if (Array.isArray(field.type)) return field.type.join('|');
  return field.type ?? 'any';
}
