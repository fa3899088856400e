// A Zendesk ticket as a document: subject as title, subject and description (and comments) as text, the
// fields a task or a sink might route on as metadata. The same shape whether the ticket came from the
// export, a search or a webhook, so one task serves all three.
import { z } from 'zod';
import type { SourceDocument } from '../../src/plugins/contract.ts';

/** The ticket fields a document is made of, already normalised (numbers for ids, lower-case values). */
export interface TicketFields {
  id: number;
  subject?: string;
  description?: string;
  status?: string;
  priority?: string;
  type?: string;
  tags?: string[];
  created_at?: string;
  updated_at?: string;
  channel?: string;
  requester_id?: number;
  group_id?: number;
  organization_id?: number;
}

export interface TicketComment {
  author_id?: number;
  public?: boolean;
  created_at?: string;
  text: string;
}

type Nullable<T> = { [K in keyof T]?: T[K] | null };

const text = z.string().nullish();
const optionalId = z.number().int().nullish();

/** A ticket as the REST API answers it (formats.md A, "Ticket object"); fields not read here are kept loose. */
const apiTicketSchema = z.looseObject({
  id: z.number().int().positive(),
  subject: text,
  description: text,
  status: text,
  priority: text,
  type: text,
  tags: z.array(z.string()).nullish(),
  created_at: text,
  updated_at: text,
  via: z.looseObject({ channel: z.union([z.string(), z.number()]).nullish() }).nullish(),
  requester_id: optionalId,
  group_id: optionalId,
  organization_id: optionalId,
});

/** The fields of a ticket from the export or search; undefined when it has no usable id. */
export function ticketFieldsOf(raw: unknown): TicketFields | undefined {
  const parsed = apiTicketSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const t = parsed.data;
  return withoutEmpty({
    id: t.id,
    subject: t.subject,
    description: t.description,
    status: t.status,
    priority: t.priority,
    type: t.type,
    tags: t.tags,
    created_at: t.created_at,
    updated_at: t.updated_at,
    channel: t.via?.channel === undefined || t.via.channel === null ? undefined : String(t.via.channel),
    requester_id: t.requester_id,
    group_id: t.group_id,
    organization_id: t.organization_id,
  });
}

/** Drops null and undefined fields, so metadata carries only what the ticket has. */
export function withoutEmpty(fields: { id: number } & Nullable<Omit<TicketFields, 'id'>>): TicketFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined)) as unknown as TicketFields;
}

/**
 * The document of a ticket. `id` defaults to the ticket id, which is what the zendesk sink writes back to.
 * Comments, when given, follow the description; the first one is left out when it only repeats the
 * description (Zendesk's description is the first comment's text).
 */
export function ticketDocument(ticket: TicketFields, options: { id?: string; comments?: readonly TicketComment[] } = {}): SourceDocument {
  const head = [ticket.subject, ticket.description].filter((s): s is string => s !== undefined && s.trim().length > 0).join('\n\n');
  const comments = [...(options.comments ?? [])];
  if (comments[0] && ticket.description !== undefined && comments[0].text.trim() === ticket.description.trim()) comments.shift();
  const thread = comments.map(commentText).join('\n\n');
  const { id: ticketId, subject: _subject, description: _description, ...fields } = ticket;
  return {
    id: options.id ?? String(ticketId),
    ...(ticket.subject !== undefined ? { title: ticket.subject } : {}),
    text: thread ? `${head}\n\nComments:\n\n${thread}` : head,
    metadata: { ticket_id: ticketId, ...fields },
  };
}

function commentText(c: TicketComment): string {
  const who = c.author_id !== undefined ? `author ${c.author_id}` : 'unknown author';
  const visibility = c.public === false ? 'internal note' : 'public';
  return `[${c.created_at ?? 'unknown time'}] ${who}, ${visibility}:\n${c.text.trim()}`;
}
