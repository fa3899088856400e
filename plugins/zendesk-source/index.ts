// The `zendesk` source: support tickets as documents, one per ticket, id = ticket id (what the zendesk
// sink writes back to). Three ways in: the cursor-based incremental export (default; each job on a
// connection reads the tickets changed since the last), a search query (`query`), or tickets pushed by
// signed Zendesk webhooks into a job that stays open (`stream: true`).
import type { SourceContext, SourceDocument, SourcePlugin } from '../../src/plugins/contract.ts';
import { zendeskClient } from './client.ts';
import { commentsOf } from './comments.ts';
import { configSchema, ZENDESK_SOURCE_SECRET_FIELDS, type ZendeskSourceConfig } from './config.ts';
import { exportTickets } from './export.ts';
import { searchTickets } from './search.ts';
import { ticketDocument, type TicketFields } from './ticket-document.ts';
import { baseUrlOf } from './config.ts';
import { changeOfDocument } from './own-changes.ts';
import { zendeskInbound } from './webhook.ts';
import { ACCOUNT_CREDENTIAL_FIELDS, ACCOUNT_DESTINATION_FIELDS } from '../zendesk-shared/account.ts';

export type { ZendeskSourceConfig } from './config.ts';
export type { ExportCursor, SearchCursor } from './cursor.ts';
export { ZENDESK_SOURCE_SECRET_FIELDS } from './config.ts';
export { signZendeskWebhook } from './webhook.ts';

async function* read(config: ZendeskSourceConfig, ctx: SourceContext): AsyncGenerator<SourceDocument> {
  // A streaming job reads nothing itself: its tickets arrive through `inbound`.
  if (config.stream) return;
  const get = zendeskClient(config, ctx);
  const toDocument = async (ticket: TicketFields): Promise<SourceDocument> => ({
    ...ticketDocument(ticket, config.include_comments ? { comments: await commentsOf(get, config, ticket.id, ctx) } : {}),
    // Seen twice in one read (it changed while the export ran), the later version is the one kept.
    ...(ticket.updated_at !== undefined ? { version: ticket.updated_at } : {}),
  });
  const { query } = config;
  if (query !== undefined) yield* searchTickets({ ...config, query }, ctx, get, toDocument);
  else yield* exportTickets(config, ctx, get, toDocument);
}

export const zendeskSource: SourcePlugin<ZendeskSourceConfig> = {
  name: 'zendesk',
  description: 'Zendesk tickets, one document per ticket (id = ticket id): the incremental export (each job reads what changed since the last), a search query, or tickets pushed by signed webhooks (stream)',
  configSchema,
  secretFields: ZENDESK_SOURCE_SECRET_FIELDS,
  credentialFields: [...ACCOUNT_CREDENTIAL_FIELDS, 'webhook_secret'],
  destinationFields: ACCOUNT_DESTINATION_FIELDS,
  // A connection's place in the export belongs to its account, query and start: a new token, timeout or
  // page size keeps it; another account or query starts its own.
  cursorScope: (config) => ({ account: baseUrlOf(config).toLowerCase(), query: config.query ?? null, start_time: config.start_time }),
  read,
  follow: (config) => (config.stream ? {} : undefined),
  inbound: { ...zendeskInbound, changeOf: changeOfDocument },
};
