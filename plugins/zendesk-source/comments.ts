// A ticket's comments (formats.md A, "Comments"), every page of them, for documents that carry the thread.
import { z } from 'zod';
import type { SourceContext } from '../../src/plugins/contract.ts';
import { expectShape, sameAccountPath, ZendeskRefusedError, type ZendeskGet } from './client.ts';
import type { ZendeskAccess } from './config.ts';
import type { TicketComment } from './ticket-document.ts';

/** Zendesk's largest page for this endpoint with cursor pagination. */
const PAGE_SIZE = 100;
/** A bound against a server that keeps saying has_more: 100 pages is 10,000 comments. */
const MAX_PAGES = 100;

const commentSchema = z.looseObject({
  author_id: z.number().int().nullish(),
  public: z.boolean().nullish(),
  created_at: z.string().nullish(),
  plain_body: z.string().nullish(),
  body: z.string().nullish(),
});

const pageSchema = z.looseObject({
  comments: z.array(commentSchema),
  meta: z.looseObject({ has_more: z.boolean().nullish(), after_cursor: z.string().nullish() }).nullish(),
  links: z.looseObject({ next: z.string().nullish() }).nullish(),
  /** Offset pagination, from accounts or proxies that ignore page[size]. */
  next_page: z.string().nullish(),
});

/** The comments of one ticket, oldest first; none when the ticket is gone by the time they are asked for. */
export async function commentsOf(get: ZendeskGet, config: ZendeskAccess, ticketId: number, ctx: Pick<SourceContext, 'log' | 'connection'>): Promise<TicketComment[]> {
  const base = `/api/v2/tickets/${ticketId}/comments.json`;
  const comments: TicketComment[] = [];
  let path: string | undefined = `${base}?${new URLSearchParams({ 'page[size]': String(PAGE_SIZE) })}`;
  for (let pages = 0; path !== undefined && pages < MAX_PAGES; pages++) {
    let body: unknown;
    try {
      body = await get(path);
    } catch (error) {
      // Deleted (or merged away) between the export and now: the ticket is still read, without its thread.
      if (error instanceof ZendeskRefusedError && error.status === 404) {
        ctx.log.info({ connection: ctx.connection, ticket_id: ticketId }, 'zendesk ticket has no comments to read (gone since it was listed)');
        return comments;
      }
      throw error;
    }
    const page = expectShape(pageSchema, body, `the comments of ticket ${ticketId}`, ctx.connection);
    for (const c of page.comments) {
      const text = c.plain_body ?? c.body ?? '';
      if (text.trim().length === 0) continue;
      comments.push({
        text,
        ...(c.author_id !== undefined && c.author_id !== null ? { author_id: c.author_id } : {}),
        ...(c.public !== undefined && c.public !== null ? { public: c.public } : {}),
        ...(c.created_at ? { created_at: c.created_at } : {}),
      });
    }
    path = nextPath(config, base, page);
  }
  return comments;
}

function nextPath(config: ZendeskAccess, base: string, page: z.infer<typeof pageSchema>): string | undefined {
  if (page.meta) {
    if (page.meta.has_more !== true) return undefined;
    if (page.meta.after_cursor) return `${base}?${new URLSearchParams({ 'page[size]': String(PAGE_SIZE), 'page[after]': page.meta.after_cursor })}`;
  }
  const next = page.links?.next ?? page.next_page;
  return next ? sameAccountPath(config, next) : undefined;
}
