// What a finished job says about each ticket in it: the per-ticket `results` entries of a bulk update
// (`{ id, action, success, status }`, or `{ id, error, details, status: "Failed" }` — formats.md A).
import type { DeliveryOutcome } from '../../src/plugins/contract.ts';
import type { JobResult, JobStatus } from './job.ts';

/**
 * Ticket errors that another attempt will meet again (missing ticket, invalid value, no permission,
 * closed ticket). Anything else is retryable: the delivery's bounded retries dead-letter it in the end.
 */
const PERMANENT_ERRORS = /RecordNotFound|NotFound|RecordInvalid|InvalidValue|InvalidEndpoint|BadRequest|Unprocessable|PermissionDenied|Forbidden|Unauthorized|TicketUpdateFailed|closed/i;

export function outcomeForTicket(job: JobStatus, ticketId: number): DeliveryOutcome {
  const entries = job.results.filter((r) => Number(r.id) === ticketId);
  const failed = entries.find((r) => !succeeded(r));
  if (failed) {
    const error = `Zendesk could not update ticket ${ticketId}: ${describe(failed)}`;
    return { ok: false, retryable: !PERMANENT_ERRORS.test(error), error };
  }
  if (entries.length > 0) return { ok: true };
  const why = job.status === 'completed' ? 'reported no result for it' : `ended ${job.status}${job.message ? ` (${job.message})` : ''}`;
  return { ok: false, retryable: true, error: `Zendesk job ${job.id} ${why}; ticket ${ticketId} may not be updated` };
}

function succeeded(r: JobResult): boolean {
  if (r.success !== undefined) return r.success;
  return r.error === undefined && r.errors === undefined && r.status?.toLowerCase() !== 'failed';
}

function describe(r: JobResult): string {
  const parts = [r.error, r.errors, r.details].filter((p) => p !== undefined && p !== null).map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
  return parts.length > 0 ? parts.join(': ') : (r.status ?? 'failed');
}
