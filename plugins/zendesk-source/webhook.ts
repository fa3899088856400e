// Tickets pushed by Zendesk webhooks, for `stream: true` connections. Zendesk signs each delivery with
// base64(HMAC-SHA256(signing secret, timestamp + raw body)) in X-Zendesk-Webhook-Signature, the timestamp
// in X-Zendesk-Webhook-Signature-Timestamp (formats.md A, "Outbound webhooks signing"; not Standard
// Webhooks). Event-subscription payloads (`zen:event-type:ticket.*`) and trigger payloads (`{ ticket }`)
// both become one document per ticket change, keyed `<ticket id>@<updated_at>`: a later change of the
// ticket is a new document, a redelivered event the same one.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SourceDocument, SourceInbound } from '../../src/plugins/contract.ts';
import type { ZendeskSourceConfig } from './config.ts';
import { isRecord } from './cursor.ts';
import { ticketDocument, withoutEmpty, type TicketFields } from './ticket-document.ts';

const SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
const TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';
/** How far a signature's timestamp may be from now, either way: the window for replaying a captured delivery. */
export const MAX_SIGNATURE_AGE_MS = 5 * 60 * 1000;
const TICKET_EVENT_PREFIX = 'zen:event-type:ticket.';
/** Ticket events that bring nothing to read: the ticket is gone or is spam. */
const IGNORED_EVENTS = new Set(['soft_deleted', 'permanently_deleted', 'marked_as_spam']);

/** The signature Zendesk would send for this body: for tests and for checking by hand. */
export function signZendeskWebhook(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(timestamp).update(rawBody).digest('base64');
}

export function verifyZendeskWebhook(config: Pick<ZendeskSourceConfig, 'webhook_secret'>, rawBody: Buffer, headers: Record<string, string>, now = Date.now()): boolean {
  const secrets = (config.webhook_secret ?? '').split(/\s+/).filter(Boolean);
  const signature = headers[SIGNATURE_HEADER];
  const timestamp = headers[TIMESTAMP_HEADER];
  if (secrets.length === 0 || !signature || !timestamp) return false;
  const sentAt = timestampMs(timestamp);
  if (sentAt === undefined || Math.abs(now - sentAt) > MAX_SIGNATURE_AGE_MS) return false;
  const given = Buffer.from(signature.trim(), 'base64');
  // Every secret is checked (no early exit), so the time taken says nothing about which one matched.
  let valid = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(timestamp).update(rawBody).digest();
    valid = (given.length === expected.length && timingSafeEqual(given, expected)) || valid;
  }
  return valid;
}

/** Zendesk sends ISO 8601 (`2024-05-01T12:00:00Z`); Unix seconds are taken too. */
function timestampMs(value: string): number | undefined {
  const trimmed = value.trim();
  if (/^\d{9,11}$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return undefined;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : ms;
}

export function webhookDocuments(config: Pick<ZendeskSourceConfig, 'include_comments'>, event: unknown): SourceDocument[] {
  if (!isRecord(event)) return [];
  if (typeof event.type === 'string' && isRecord(event.detail)) {
    if (!event.type.startsWith(TICKET_EVENT_PREFIX) || IGNORED_EVENTS.has(event.type.slice(TICKET_EVENT_PREFIX.length))) return [];
    const ticket = ticketOf(event.detail);
    if (!ticket) return [];
    const added = config.include_comments ? addedComment(event.event) : undefined;
    return [documentOf(ticket, event.detail, stringOf(event.time), added)];
  }
  if (isRecord(event.ticket)) {
    const ticket = ticketOf(event.ticket);
    return ticket ? [documentOf(ticket, event.ticket, undefined, undefined)] : [];
  }
  return [];
}

function documentOf(ticket: TicketFields, raw: Record<string, unknown>, eventTime: string | undefined, comment: string | undefined): SourceDocument {
  // Without an updated_at or an event time, the content itself tells a redelivery from a change.
  const version = ticket.updated_at ?? eventTime ?? createHash('sha256').update(JSON.stringify(raw)).digest('hex').slice(0, 16);
  const doc = ticketDocument(ticket, { id: `${ticket.id}@${version}` });
  return comment ? { ...doc, text: `${doc.text ?? ''}\n\nNew comment:\n${comment}` } : doc;
}

/** A ticket from a webhook, where ids may be strings, enums upper-case and tags one space-separated string. */
function ticketOf(raw: Record<string, unknown>): TicketFields | undefined {
  const id = idOf(raw.id);
  if (id === undefined) return undefined;
  const status = lowerOf(raw.status);
  if (status === 'deleted') return undefined;
  return withoutEmpty({
    id,
    subject: stringOf(raw.subject),
    description: stringOf(raw.description),
    status,
    priority: lowerOf(raw.priority),
    type: lowerOf(raw.type),
    tags: tagsOf(raw.tags),
    created_at: stringOf(raw.created_at),
    updated_at: stringOf(raw.updated_at),
    channel: isRecord(raw.via) ? stringOf(raw.via.channel) : stringOf(raw.channel),
    requester_id: idOf(raw.requester_id),
    group_id: idOf(raw.group_id),
    organization_id: idOf(raw.organization_id),
  });
}

/** The comment a `ticket.comment_added` event carries, if any. */
function addedComment(event: unknown): string | undefined {
  if (!isRecord(event) || !isRecord(event.comment)) return undefined;
  const body = stringOf(event.comment.body);
  return body && body.trim() ? body.trim() : undefined;
}

function idOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^[1-9][0-9]*$/.test(value.trim()) ? Number(value.trim()) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function lowerOf(value: unknown): string | undefined {
  return stringOf(value)?.toLowerCase();
}

function tagsOf(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((t): t is string => typeof t === 'string' && t.length > 0);
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return undefined;
}

export const zendeskInbound: SourceInbound<ZendeskSourceConfig> = {
  verify: (config, rawBody, headers) => verifyZendeskWebhook(config, rawBody, headers),
  documents: webhookDocuments,
};
