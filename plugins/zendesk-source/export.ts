// The cursor-based incremental ticket export (formats.md A): every ticket changed since the start, a
// page at a time, with Zendesk's after_cursor saved after each page. The engine stores that cursor with
// the documents yielded before it, so a crashed read resumes at the page it was on, and the next job on
// the connection starts after the last one: it reads only the tickets changed since.
import { z } from 'zod';
import type { SourceContext, SourceDocument } from '../../src/plugins/contract.ts';
import { connectionLabel, expectShape, type ZendeskGet } from './client.ts';
import type { ZendeskSourceConfig } from './config.ts';
import { savedCursorOf, type ExportCursor } from './cursor.ts';
import { ownTickets } from './own-changes.ts';
import { ticketFieldsOf, type TicketFields } from './ticket-document.ts';

export const EXPORT_PATH = '/api/v2/incremental/tickets/cursor.json';

const pageSchema = z.looseObject({
  tickets: z.array(z.unknown()),
  after_cursor: z.string().nullish(),
  end_of_stream: z.boolean(),
});

type Start = { cursor: string } | { start_time: number };

export async function* exportTickets(
  config: ZendeskSourceConfig,
  ctx: SourceContext,
  get: ZendeskGet,
  toDocument: (ticket: TicketFields) => Promise<SourceDocument>,
): AsyncGenerator<SourceDocument> {
  let start = startOf(config, ctx);
  let skipped = 0;
  for (;;) {
    const params = new URLSearchParams('cursor' in start ? { cursor: start.cursor } : { start_time: String(start.start_time) });
    params.set('per_page', String(config.per_page));
    params.set('exclude_deleted', 'true');
    const page = expectShape(pageSchema, await get(`${EXPORT_PATH}?${params}`), 'an incremental export page', ctx.connection);
    const tickets: TicketFields[] = [];
    for (const raw of page.tickets) {
      const ticket = ticketFieldsOf(raw);
      if (!ticket) {
        skipped += 1;
        continue;
      }
      // Asked for with exclude_deleted; kept out here too in case an account ignores it.
      if (ticket.status !== 'deleted') tickets.push(ticket);
    }
    // Tickets whose last change is Batchline's own write-back are not new work (and their comments are not fetched).
    const own = await ownTickets(config, ctx, tickets);
    for (const ticket of tickets) if (!own.has(ticket.id)) yield await toDocument(ticket);
    const after = page.after_cursor ?? undefined;
    if (after !== undefined) await ctx.checkpoint({ after_cursor: after } satisfies ExportCursor);
    if (page.end_of_stream) break;
    if (after === undefined) throw new Error(`${connectionLabel(ctx.connection)}: an incremental export page had more to come but no after_cursor`);
    // A page that moves nowhere would repeat forever; what is read so far is kept and the next read goes on.
    if ('cursor' in start && start.cursor === after && page.tickets.length === 0) break;
    start = { cursor: after };
  }
  if (skipped > 0) ctx.log.warn({ connection: ctx.connection, skipped }, 'zendesk export tickets without a numeric id were skipped');
}

/** Resume after the saved cursor; else from start_time. A search read's cursor on the connection becomes a start time. */
function startOf(config: ZendeskSourceConfig, ctx: SourceContext): Start {
  const saved = savedCursorOf(ctx.cursor);
  if (saved.kind === 'export') return { cursor: saved.cursor.after_cursor };
  if (saved.kind === 'search') return { start_time: Math.max(0, Math.floor(Date.parse(saved.cursor.updated_after) / 1000)) };
  if (saved.kind === 'unknown') ctx.log.warn({ connection: ctx.connection }, 'zendesk cursor not understood; exporting from start_time');
  return { start_time: config.start_time };
}
