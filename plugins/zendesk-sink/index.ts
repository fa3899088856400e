// The `zendesk` sink: writes each result back onto the ticket it came from (external_id = ticket id) —
// tags added, custom fields set, a private note posted — with one update_many job per 100 tickets.
//
// What to write comes from the config, or, for a ticket-triage job that names none, from the task
// (prepare.ts). Each write is recorded (ctx.ownWrites) so the zendesk source knows these updates for
// Batchline's own and never reads them back as new work.
//
// Delivery is at least once. update_many takes no Idempotency-Key (Zendesk honours that header on ticket
// creation only), so a retried delivery is made safe by what it writes: added tags and field values come
// out the same the second time. The internal note is the exception — a retry after a lost answer posts
// it again; that duplicate note is the price of at-least-once.
import type { DeliveredResult, DeliveryOutcome, SinkContext, SinkPlugin } from '../../src/plugins/contract.ts';
import { ACCOUNT_CREDENTIAL_FIELDS, ACCOUNT_DESTINATION_FIELDS, writeScopeOf } from '../zendesk-shared/account.ts';
import { configSchema, type ZendeskSinkConfig } from './config.ts';
import { MAX_TICKETS_PER_UPDATE, updateMany, type JobAnswer } from './job.ts';
import { prepareZendeskSink } from './prepare.ts';
import { outcomeForTicket } from './outcomes.ts';
import { ticketIdOf, ticketUpdateOf, type TicketUpdate } from './render.ts';

export type { ZendeskSinkConfig };

interface Pending {
  index: number;
  update: TicketUpdate;
}

const OK: DeliveryOutcome = { ok: true };

async function deliver(config: ZendeskSinkConfig, results: DeliveredResult[], ctx: SinkContext): Promise<DeliveryOutcome[]> {
  const outcomes: Array<DeliveryOutcome | undefined> = results.map(() => undefined);
  const pending: Pending[] = [];
  results.forEach((result, index) => {
    if (config.only_succeeded && result.status !== 'succeeded') {
      outcomes[index] = OK;
      return;
    }
    const id = ticketIdOf(result.external_id);
    if (id === undefined) {
      outcomes[index] = { ok: false, retryable: false, error: `external_id "${result.external_id}" is not a Zendesk ticket id` };
      return;
    }
    const update = ticketUpdateOf(config, result, id);
    if (update) pending.push({ index, update });
    else outcomes[index] = OK;
  });

  // After a failure of a whole request (rate limit, bad credentials, Zendesk down) the rest would meet
  // the same answer; they are handed back with it instead of being sent.
  let stopped: DeliveryOutcome | undefined;
  const scope = writeScopeOf(config);
  for (const chunk of chunksOf(pending)) {
    if (!stopped) {
      const records = chunk.map((p) => String(p.update.id));
      // Marked before the update goes out: Zendesk's webhook about it can arrive before its job is over.
      await ctx.ownWrites?.begin(scope, records);
      let answer: JobAnswer | undefined;
      try {
        answer = await updateMany(config, chunk.map((p) => p.update), ctx.signal);
      } finally {
        // Done, refused or given up: the window closes now, in Zendesk's clock where it told us.
        await ctx.ownWrites?.end(scope, records, { ...(answer?.acceptedAt ? { began: answer.acceptedAt } : {}), ...(answer?.doneAt ? { ended: answer.doneAt } : {}) });
      }
      if (answer.ok) {
        for (const p of chunk) outcomes[p.index] = outcomeForTicket(answer.job, p.update.id);
        ctx.log.debug({ job_id: ctx.jobId, zendesk_job: answer.job.id, tickets: chunk.length, status: answer.job.status }, 'zendesk bulk update finished');
        continue;
      }
      stopped = { ok: false, ...answer.failure };
      ctx.log.warn({ job_id: ctx.jobId, tickets: chunk.length, retryable: answer.failure.retryable, error: answer.failure.error }, 'zendesk bulk update failed');
    }
    for (const p of chunk) outcomes[p.index] = stopped;
  }
  return outcomes.map((o) => o ?? { ok: false, retryable: true, error: 'no outcome recorded' });
}

/**
 * Requests of at most MAX_TICKETS_PER_UPDATE tickets, each ticket at most once per request: two results
 * for one ticket go in different requests, since the job reports per ticket id, not per entry.
 */
function chunksOf(pending: Pending[]): Pending[][] {
  const chunks: Array<{ items: Pending[]; ids: Set<number> }> = [];
  for (const p of pending) {
    let chunk = chunks.find((c) => c.items.length < MAX_TICKETS_PER_UPDATE && !c.ids.has(p.update.id));
    if (!chunk) {
      chunk = { items: [], ids: new Set() };
      chunks.push(chunk);
    }
    chunk.items.push(p);
    chunk.ids.add(p.update.id);
  }
  return chunks.map((c) => c.items);
}

export const zendeskSink: SinkPlugin<ZendeskSinkConfig> = {
  name: 'zendesk',
  description:
    'Writes each result back onto its Zendesk ticket (external_id): added tags, custom fields, ticket fields and a private note; ' +
    'a ticket-triage job needs no mapping (batchline_* tags and a note with the summary)',
  configSchema,
  secretFields: ['api_token', 'oauth_token'],
  credentialFields: ACCOUNT_CREDENTIAL_FIELDS,
  destinationFields: ACCOUNT_DESTINATION_FIELDS,
  prepare: prepareZendeskSink,
  deliver,
};
