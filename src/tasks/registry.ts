// The built-in tasks, and how a job's `task` (a name or an inline definition) becomes a ResolvedTask.
// zod as extended by @hono/zod-openapi: the HTTP layer names this schema in the OpenAPI document, and
// zod 4 gives `.openapi()` only to schemas made after the extension is loaded.
import { z } from '@hono/zod-openapi';
import { invalidField } from '../errors.ts';
import { invoiceExtraction } from './invoice-extraction.ts';
import { reviewInsights } from './review-insights.ts';
import { ticketTriage } from './ticket-triage.ts';
import { templatePlaceholderError } from './template.ts';
import type { ResolvedTask, TaskDefinition } from './types.ts';

const BUILTIN: ReadonlyMap<string, TaskDefinition> = new Map(
  [reviewInsights, invoiceExtraction, ticketTriage].map((t) => [t.name, t]),
);

export function builtinTasks(): TaskDefinition[] {
  return [...BUILTIN.values()];
}

export function builtinTask(name: string): TaskDefinition | undefined {
  return BUILTIN.get(name);
}

/** JSON Schema of a zod schema, as a tool's input_schema wants it (no $schema key). */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'output' }) as Record<string, unknown>;
  return rest;
}

export const customTaskSchema = z.object({
  name: z.string().min(1).max(100).regex(/^[a-zA-Z0-9_.-]+$/, 'use letters, digits, _ . -'),
  prompt: z.string().min(1).max(100_000),
  system: z.string().max(200_000).optional(),
  output_schema: z.record(z.string(), z.unknown()),
  model: z.string().min(1).optional(),
  max_tokens: z.number().int().min(1).max(128_000).optional(),
});
export type CustomTaskInput = z.infer<typeof customTaskSchema>;

export interface TaskOverrides {
  model?: string | undefined;
  max_tokens?: number | undefined;
}

/** Resolves the job request's task; throws a 422 naming the field on anything unusable. */
export function resolveTask(task: string | CustomTaskInput, overrides: TaskOverrides = {}): ResolvedTask {
  if (typeof task === 'string') {
    const def = BUILTIN.get(task);
    if (!def) throw invalidField('task', `unknown task "${task}"; known tasks: ${[...BUILTIN.keys()].join(', ')}`);
    return {
      name: def.name,
      builtin: true,
      system: def.system,
      prompt: def.prompt,
      output_schema: toJsonSchema(def.output),
      model: overrides.model ?? def.model,
      max_tokens: overrides.max_tokens ?? def.max_tokens,
    };
  }
  const placeholderError = templatePlaceholderError(task.prompt);
  if (placeholderError) throw invalidField('task.prompt', placeholderError);
  checkOutputSchema(task.output_schema);
  return {
    name: task.name,
    builtin: false,
    system: task.system ?? null,
    prompt: task.prompt,
    output_schema: task.output_schema,
    model: overrides.model ?? task.model ?? reviewInsights.model,
    max_tokens: overrides.max_tokens ?? task.max_tokens ?? 1024,
  };
}

const JSON_SCHEMA_TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

/** A tool's input_schema must describe an object; zod must be able to validate answers against it. */
function checkOutputSchema(schema: Record<string, unknown>): void {
  if (schema.type !== 'object') throw invalidField('task.output_schema.type', 'must be "object" (the answer is a JSON object)');
  const bad = findBadType(schema, 'task.output_schema');
  if (bad) throw invalidField(bad.field, bad.message);
  try {
    z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw invalidField('task.output_schema', `is not a usable JSON Schema: ${(error as Error).message}`);
  }
}

function findBadType(node: unknown, field: string): { field: string; message: string } | undefined {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    return { field, message: 'must be a JSON Schema object' };
  }
  const schema = node as Record<string, unknown>;
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  for (const t of types) {
    if (typeof t !== 'string' || !JSON_SCHEMA_TYPES.has(t)) return { field: `${field}.type`, message: `unknown type ${JSON.stringify(t)}` };
  }
  if (schema.properties !== undefined) {
    if (typeof schema.properties !== 'object' || schema.properties === null || Array.isArray(schema.properties)) {
      return { field: `${field}.properties`, message: 'must be an object of schemas' };
    }
    for (const [key, child] of Object.entries(schema.properties)) {
      const bad = findBadType(child, `${field}.properties.${key}`);
      if (bad) return bad;
    }
  }
  if (schema.required !== undefined && !(Array.isArray(schema.required) && schema.required.every((r) => typeof r === 'string'))) {
    return { field: `${field}.required`, message: 'must be an array of property names' };
  }
  if (schema.items !== undefined) return findBadType(schema.items, `${field}.items`);
  return undefined;
}

const validators = new Map<string, z.ZodType>();

/** The validator for a stored task's answers (cached: collect calls this once per chunk). */
export function outputValidator(task: ResolvedTask): z.ZodType {
  const builtin = task.builtin ? BUILTIN.get(task.name) : undefined;
  if (builtin) return builtin.output;
  return schemaValidator(task.output_schema);
}

/** A zod validator for a JSON Schema (a task's answer, or one field of it), cached by the schema's text. */
export function schemaValidator(schema: Record<string, unknown>): z.ZodType {
  const key = JSON.stringify(schema);
  let validator = validators.get(key);
  if (!validator) {
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    if (validators.size > 1000) validators.clear();
    validators.set(key, validator);
  }
  return validator;
}
