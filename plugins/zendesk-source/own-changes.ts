// How this source recognises Batchline's own updates of tickets (docs/plugins.md, "How Batchline
// recognises its own Zendesk updates"): the zendesk sink records each write-back under the account's
// scope, from just before its update_many is sent to when Zendesk reports the job done; a ticket whose
// updated_at falls inside that window was last changed by Batchline, and is skipped. A later change by
// anyone else moves updated_at past the window, and the ticket is read again.
import type { SourceContext, SourceDocument } from '../../src/plugins/contract.ts';
import { writeScopeOf } from '../zendesk-shared/account.ts';
import type { ZendeskAccess } from './config.ts';
import type { TicketFields } from './ticket-document.ts';

/** The ids of the tickets whose last change is Batchline's own. */
export async function ownTickets(config: ZendeskAccess, ctx: Pick<SourceContext, 'ownChanges' | 'log' | 'connection'>, tickets: readonly TicketFields[]): Promise<Set<number>> {
  if (!ctx.ownChanges || tickets.length === 0) return new Set();
  const changes = tickets.flatMap((t) => (t.updated_at ? [{ record: String(t.id), changed_at: t.updated_at }] : []));
  const own = await ctx.ownChanges.ownOf(writeScopeOf(config), changes);
  if (own.size > 0) ctx.log.info({ connection: ctx.connection, tickets: own.size }, "zendesk tickets last changed by Batchline's own write-back: skipped");
  return new Set([...own].map(Number));
}

/** Which ticket and which change of it a webhook document is, for the engine to drop Batchline's own. */
export function changeOfDocument(config: ZendeskAccess, document: SourceDocument): { scope: string; record: string; changed_at: string } | undefined {
  const ticketId = document.metadata?.ticket_id;
  // A webhook document's id is `<ticket id>@<updated_at, or the event's time when it had none>`.
  const suffix = document.id.slice(document.id.indexOf('@') + 1);
  const changedAt = document.version ?? document.metadata?.updated_at ?? (document.id.includes('@') && !Number.isNaN(Date.parse(suffix)) ? suffix : undefined);
  if (typeof ticketId !== 'number' || typeof changedAt !== 'string') return undefined;
  return { scope: writeScopeOf(config), record: String(ticketId), changed_at: changedAt };
}
