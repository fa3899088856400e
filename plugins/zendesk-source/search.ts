// A search query's tickets through the search export (cursor-paginated, no 1,000-result cap). Results
// come in no useful order, so the resume point — the latest updated_at seen — is saved once the whole
// result set is read; the next job appends ` updated>…` and reads only tickets changed since. A read that
// crashes midway starts the query over, and the engine drops the documents the job already holds.
import { z } from 'zod';
import type { SourceContext, SourceDocument } from '../../src/plugins/contract.ts';
import { connectionLabel, expectShape, sameAccountPath, type ZendeskGet } from './client.ts';
import type { ZendeskSourceConfig } from './config.ts';
import { isoSeconds, isRecord, savedCursorOf, type SearchCursor } from './cursor.ts';
import { ownTickets } from './own-changes.ts';
import { ticketFieldsOf, type TicketFields } from './ticket-document.ts';

export const SEARCH_PATH = '/api/v2/search/export.json';

const pageSchema = z.looseObject({
  results: z.array(z.unknown()),
  meta: z.looseObject({ has_more: z.boolean(), after_cursor: z.string().nullish() }),
  links: z.looseObject({ next: z.string().nullish() }).nullish(),
});

export async function* searchTickets(
  config: ZendeskSourceConfig & { query: string },
  ctx: SourceContext,
  get: ZendeskGet,
  toDocument: (ticket: TicketFields) => Promise<SourceDocument>,
): AsyncGenerator<SourceDocument> {
  const since = updatedAfterOf(ctx);
  const query = since === undefined ? config.query : `${config.query} updated>${since}`;
  const first = new URLSearchParams({ query, 'filter[type]': 'ticket', 'page[size]': String(config.per_page) });
  let path: string | undefined = `${SEARCH_PATH}?${first}`;
  let latest = since === undefined ? undefined : Date.parse(since);
  const seenCursors = new Set<string>();
  while (path !== undefined) {
    const page = expectShape(pageSchema, await get(path), 'a search export page', ctx.connection);
    const tickets = page.results.flatMap((raw) => {
      if (isRecord(raw) && typeof raw.result_type === 'string' && raw.result_type !== 'ticket') return [];
      const ticket = ticketFieldsOf(raw);
      return ticket ? [ticket] : [];
    });
    const own = await ownTickets(config, ctx, tickets);
    for (const ticket of tickets) {
      // Batchline's own write-back is not new work; it still moves the resume point past it.
      if (!own.has(ticket.id)) yield await toDocument(ticket);
      const updated = ticket.updated_at === undefined ? NaN : Date.parse(ticket.updated_at);
      if (!Number.isNaN(updated) && (latest === undefined || updated > latest)) latest = updated;
    }
    path = undefined;
    if (page.meta.has_more) {
      const cursor = page.meta.after_cursor ?? undefined;
      if (cursor !== undefined && !seenCursors.has(cursor)) {
        seenCursors.add(cursor);
        first.set('page[after]', cursor);
        path = `${SEARCH_PATH}?${first}`;
      } else if (cursor === undefined && page.links?.next) {
        path = sameAccountPath(config, page.links.next);
      }
      if (path === undefined) throw new Error(`${connectionLabel(ctx.connection)}: a search export page had more to come but no usable next cursor`);
    }
  }
  if (latest !== undefined) await ctx.checkpoint({ updated_after: isoSeconds(latest) } satisfies SearchCursor);
}

/** The saved `updated_after`, when the cursor is a search cursor; an export cursor cannot narrow a search. */
function updatedAfterOf(ctx: SourceContext): string | undefined {
  const saved = savedCursorOf(ctx.cursor);
  if (saved.kind === 'search') return isoSeconds(Date.parse(saved.cursor.updated_after));
  if (saved.kind !== 'none') ctx.log.warn({ connection: ctx.connection }, 'zendesk cursor is not a search cursor; running the whole query');
  return undefined;
}
