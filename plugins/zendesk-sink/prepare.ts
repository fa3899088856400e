// What the zendesk sink writes for a job, decided when the job is created from its task: a mapping must
// name fields the task's output has (a typo is a 422 then, not empty tags on every ticket later), and a
// ticket-triage job that says nothing gets the write-back a support lead would accept as is: tags from
// the category, priority and suggested tags, and a private note with the summary and whether a human is
// needed. Nothing that routes the ticket (priority, group, assignee, status) is set unless configured.
import { SinkConfigError, type SinkPrepareContext } from '../../src/plugins/contract.ts';
import { hasWriteOptions, type ZendeskSinkConfig } from './config.ts';
import { NOTE_FILTERS, NOTE_ROOTS, PLACEHOLDER } from './render.ts';

/** Every tag Batchline writes by default starts with this, so views and triggers can find them. */
export const TAG_PREFIX = 'batchline_';

/** The write-back of a ticket-triage job that configures none. */
export const TRIAGE_WRITE_BACK: Pick<ZendeskSinkConfig, 'tags' | 'internal_note'> = {
  tags: [
    `${TAG_PREFIX}triaged`,
    { from: 'category', prefix: `${TAG_PREFIX}category_` },
    { from: 'priority', prefix: `${TAG_PREFIX}priority_` },
    { from: 'suggested_tags', prefix: TAG_PREFIX },
  ],
  internal_note:
    'Batchline triage: {{output.category}}, priority {{output.priority}}, sentiment {{output.sentiment}}.\n' +
    '{{output.summary}}\n' +
    'Needs a human: {{output.needs_human|yesno}}',
};

type JsonSchema = { type?: unknown; properties?: Record<string, JsonSchema>; additionalProperties?: unknown; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; allOf?: JsonSchema[] };

export function prepareZendeskSink(config: ZendeskSinkConfig, ctx: SinkPrepareContext): ZendeskSinkConfig {
  const { task } = ctx;
  if (!hasWriteOptions(config)) {
    if (task.builtin && task.name === 'ticket-triage') return { ...config, ...TRIAGE_WRITE_BACK };
    throw new SinkConfigError('tags', `nothing to write for task "${task.name}": say what goes on each ticket with tags, custom_fields, ticket_fields or internal_note, e.g. ${exampleFor(task.output_schema)}`);
  }
  const output = task.output_schema as JsonSchema;
  const check = (field: string, path: string) => {
    const missing = missingStep(output, path.split('.'));
    if (missing !== undefined) throw new SinkConfigError(field, `"${path}" is not in the output of task "${task.name}"${fieldsHint(missing)}`);
  };
  const tags = config.tags === undefined ? [] : Array.isArray(config.tags) ? config.tags : [config.tags];
  tags.forEach((tag, i) => {
    if (typeof tag !== 'string') check(Array.isArray(config.tags) ? `tags.${i}.from` : 'tags.from', tag.from);
  });
  for (const [id, path] of Object.entries(config.custom_fields ?? {})) check(`custom_fields.${id}`, path);
  for (const [name, path] of Object.entries(config.ticket_fields ?? {})) if (path !== undefined) check(`ticket_fields.${name}`, path);
  if (config.internal_note !== undefined) checkTemplate(config.internal_note, (path) => check('internal_note', path));
  return config;
}

function checkTemplate(template: string, checkOutputPath: (path: string) => void): void {
  for (const match of template.matchAll(PLACEHOLDER)) {
    const [, path = '', filter] = match;
    const root = path.split('.')[0] ?? '';
    if (!(NOTE_ROOTS as readonly string[]).includes(root)) throw new SinkConfigError('internal_note', `{{${path}}} names nothing a result has; use {{output.<field>}}, or one of ${NOTE_ROOTS.map((r) => `{{${r}}}`).join(', ')}`);
    if (filter !== undefined && !(NOTE_FILTERS as readonly string[]).includes(filter)) throw new SinkConfigError('internal_note', `{{${path}|${filter}}}: unknown filter "${filter}"; there is ${NOTE_FILTERS.join(', ')}`);
    if (root === 'output' && path !== 'output') checkOutputPath(path.slice('output.'.length));
  }
  const unclosed = /\{\{(?![^}]*\}\})/.exec(template);
  if (unclosed) throw new SinkConfigError('internal_note', 'has a {{ without its }}');
}

/**
 * Where a dotted path leaves the schema: undefined when it fits, else the schema that has no such step.
 * A schema that does not list its properties (or allows more) takes any step; arrays take indexes.
 */
function missingStep(schema: JsonSchema | undefined, steps: readonly string[]): JsonSchema | undefined {
  if (steps.length === 0 || schema === undefined) return undefined;
  const alternatives = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  if (alternatives.length > 0 && alternatives.some((alt) => missingStep(alt, steps) === undefined)) return undefined;
  const [step = '', ...rest] = steps;
  if (schema.items !== undefined && /^\d+$/.test(step)) return missingStep(schema.items, rest);
  if (schema.properties !== undefined) {
    const next = schema.properties[step];
    if (next !== undefined) return missingStep(next, rest);
    return schema.additionalProperties === undefined || schema.additionalProperties === false ? schema : undefined;
  }
  if (alternatives.length > 0) return schema;
  // No properties listed: an open object, or a value the path cannot enter (then the step is missing).
  return schema.type === undefined || schema.type === 'object' ? undefined : schema;
}

function fieldsHint(schema: JsonSchema): string {
  const fields = Object.keys(schema.properties ?? {});
  return fields.length > 0 ? `; its fields: ${fields.join(', ')}` : '';
}

/** A mapping a user could start from, made of the task's own output fields. */
function exampleFor(output: Record<string, unknown>): string {
  const fields = Object.keys((output as JsonSchema).properties ?? {});
  const first = fields[0] ?? 'field';
  const second = fields[1] ?? first;
  return JSON.stringify({ tags: [{ from: first, prefix: `${TAG_PREFIX}${first}_`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40) }], internal_note: `Batchline: {{output.${second}}}` });
}
