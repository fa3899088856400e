// What one result writes on its ticket: the per-ticket entry of an update_many body (formats.md A,
// "Bulk update"). Tags go in `additional_tags` so the ticket's own tags are kept, not replaced.
import type { DeliveredResult } from '../../src/plugins/contract.ts';
import type { ZendeskSinkConfig } from './config.ts';

export interface TicketUpdate {
  id: number;
  additional_tags?: string[];
  custom_fields?: Array<{ id: number; value: CustomFieldValue }>;
  comment?: { body: string; public: false };
  priority?: string;
  type?: string;
  status?: string;
  group_id?: number;
  assignee_id?: number;
}

type CustomFieldValue = string | number | boolean | null | Array<string | number | boolean>;

/**
 * The Zendesk ticket id an external_id names, or undefined when it is not one. The zendesk source
 * names exported tickets `<id>` and webhook-fed ticket versions `<id>@<updated_at>`.
 */
export function ticketIdOf(externalId: string): number | undefined {
  const match = /^([1-9][0-9]*)(@.+)?$/.exec(externalId);
  if (!match) return undefined;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** The value at a dotted path (`a.b.0`), or undefined when any step is missing. */
export function valueAt(root: unknown, path: string): unknown {
  let here = root;
  for (const step of path.split('.')) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string, unknown>)[step];
  }
  return here;
}

/** The update for one result, or undefined when the config yields nothing to write for it. */
export function ticketUpdateOf(config: ZendeskSinkConfig, result: DeliveredResult, id: number): TicketUpdate | undefined {
  const update: TicketUpdate = { id };
  const tags = tagsOf(config, result);
  if (tags.length > 0) update.additional_tags = tags;
  const fields = customFieldsOf(config, result);
  if (fields.length > 0) update.custom_fields = fields;
  Object.assign(update, ticketFieldsOf(config, result));
  if (config.internal_note !== undefined) {
    const body = renderNote(config.internal_note, result);
    // Zendesk refuses an empty comment body, so a template that renders blank writes no note.
    if (body.trim().length > 0) update.comment = { body, public: false };
  }
  return Object.keys(update).length > 1 ? update : undefined;
}

function tagsOf(config: ZendeskSinkConfig, result: DeliveredResult): string[] {
  if (config.tags === undefined) return [];
  const entries = Array.isArray(config.tags) ? config.tags : [config.tags];
  const tags = entries.flatMap((entry) => {
    if (typeof entry === 'string') return [zendeskTag(entry)];
    const raw = valueAt(result.output, entry.from);
    const values = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
    return values
      .filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v))
      .map((v) => zendeskTag(`${entry.prefix ?? ''}${String(v)}`));
  });
  return [...new Set(tags.filter((t) => t.length > 0))];
}

/**
 * A valid Zendesk tag: lower case, and one word, since Zendesk splits a tag at whitespace (one value must
 * stay one tag); characters Zendesk refuses in tags become `_`.
 */
export function zendeskTag(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '_')
    .replace(/[^\p{L}\p{N}_\-/:.]/gu, '_');
}

/** Standard fields (priority, status, group…) the config maps, each set only when the output has a usable value. */
function ticketFieldsOf(config: ZendeskSinkConfig, result: DeliveredResult): Partial<Omit<TicketUpdate, 'id'>> {
  const fields: Partial<Omit<TicketUpdate, 'id'>> = {};
  for (const [field, path] of Object.entries(config.ticket_fields ?? {})) {
    const value = valueAt(result.output, path);
    if (field === 'group_id' || field === 'assignee_id') {
      const id = typeof value === 'number' ? value : typeof value === 'string' && /^[1-9][0-9]*$/.test(value) ? Number(value) : undefined;
      if (id !== undefined && Number.isSafeInteger(id)) fields[field] = id;
    } else if ((field === 'priority' || field === 'type' || field === 'status') && typeof value === 'string' && value.trim() !== '') {
      fields[field] = value.trim().toLowerCase();
    }
  }
  return fields;
}

function customFieldsOf(config: ZendeskSinkConfig, result: DeliveredResult): Array<{ id: number; value: CustomFieldValue }> {
  const fields: Array<{ id: number; value: CustomFieldValue }> = [];
  for (const [fieldId, path] of Object.entries(config.custom_fields ?? {})) {
    const value = valueAt(result.output, path);
    // A missing value leaves the field as it is rather than clearing it.
    if (value === undefined) continue;
    fields.push({ id: Number(fieldId), value: asFieldValue(value) });
  }
  return fields;
}

function asFieldValue(value: unknown): CustomFieldValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) return value as Array<string | number | boolean>;
  return JSON.stringify(value);
}

/** `{{path}}` or `{{path|filter}}` in a note template. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_$.-]+)\s*(?:\|\s*([a-z_]+)\s*)?\}\}/g;
/** What a template may name besides `output.…`. */
export const NOTE_ROOTS = ['output', 'status', 'error', 'external_id', 'item_id', 'job_id', 'attempts', 'metadata'] as const;
export const NOTE_FILTERS = ['yesno'] as const;

/** Fills `{{output.summary}}`, `{{status}}`, `{{error.message}}`, … from the result; missing → empty; `|yesno` turns a flag into yes/no. */
export function renderNote(template: string, result: DeliveredResult): string {
  const scope = { output: result.output, status: result.status, error: result.error, external_id: result.external_id, item_id: result.item_id, job_id: result.job_id, attempts: result.attempts, metadata: result.metadata };
  return template.replace(PLACEHOLDER, (_, path: string, filter: string | undefined) => {
    const value = valueAt(scope, path);
    if (value === undefined || value === null) return '';
    if (filter === 'yesno') return value === true ? 'yes' : value === false ? 'no' : String(value);
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
