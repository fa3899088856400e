// How the API describes a plugin: its config as JSON Schema (for a UI to render a form), with secret
// fields marked write-only so forms mask them and clients know they never come back.
import { z } from 'zod';
import type { SinkPlugin, SourcePlugin } from './contract.ts';

export interface PluginDescription {
  name: string;
  kind: 'source' | 'sink';
  description: string;
  origin: string;
  config_schema: Record<string, unknown>;
  secret_fields: string[];
  /** Sources only: whether jobs may stay open for later documents (watch), and take signed webhooks. */
  follows: boolean;
  inbound: boolean;
}

export function describePlugin(plugin: SourcePlugin | SinkPlugin, kind: 'source' | 'sink', origin: string): PluginDescription {
  const secretFields = [...(plugin.secretFields ?? [])];
  return {
    name: plugin.name,
    kind,
    description: plugin.description,
    origin,
    config_schema: configJsonSchema(plugin.configSchema, secretFields),
    secret_fields: secretFields,
    follows: 'follow' in plugin && typeof plugin.follow === 'function',
    inbound: 'inbound' in plugin && plugin.inbound !== undefined,
  };
}

export function configJsonSchema(schema: z.ZodType, secretFields: readonly string[]): Record<string, unknown> {
  // io: 'input' describes what a user sends (defaults make fields optional); refinements are not expressible.
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const properties = json.properties as Record<string, Record<string, unknown>> | undefined;
  for (const field of secretFields) {
    const property = properties?.[field];
    if (property) Object.assign(property, { writeOnly: true, 'x-secret': true });
  }
  return json;
}
