// `batchline delete <job>`: deletes a job and everything derived from it, its provider batches included
// (DELETE /v1/jobs/{id}); --wait follows the delete until the job is gone. With the embedded server the
// command always waits: the server stops with the command, and the rest of the delete would only run the
// next time Batchline starts on this data.
import { expectPositionals, parseCommandArgs } from '../args.ts';
import { INTERRUPTED, type CliContext } from '../context.ts';
import { ApiProblemError } from '../errors.ts';
import { withSession, type Session } from '../session.ts';
import type { JobSnapshot } from '../types.ts';

export const DELETE_USAGE = 'batchline delete <job> [--wait]';

export const DELETE_HELP = `Delete a job: its open work is canceled, then its documents, answers and deliveries are removed
and its batches are deleted at the provider. A tombstone (who, when, counts, cost; no text) stays in
GET /v1/deleted-jobs.

Usage:
  ${DELETE_USAGE}

Options:
  -w, --wait     wait until every part of the job is gone (always, with the embedded server)
  -h, --help     this help
`;

const OPTIONS = {
  wait: { type: 'boolean', short: 'w' },
  help: { type: 'boolean', short: 'h' },
} as const;

const POLL_MS = 250;

export async function deleteCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, DELETE_USAGE);
  if (values.help) {
    ctx.stdout.write(DELETE_HELP);
    return 0;
  }
  const [jobId] = expectPositionals(positionals, ['job'], DELETE_USAGE) as [string];

  return withSession(ctx.env, { command: 'delete' }, async (session) => {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
    const job = await session.api.deleteJson<JobSnapshot>(path);
    ctx.stdout.write(`job ${job.id}: deleting (${job.counts.total} items; provider batches are deleted once they have ended)\n`);
    if (!values.wait && !session.embedded) return 0;
    const gone = await waitUntilGone(session, path, ctx.signal);
    if (!gone) return INTERRUPTED;
    ctx.stdout.write(`job ${job.id} deleted\n`);
    return 0;
  });
}

/** Polls the job until it answers 404; false when Ctrl-C stopped the wait. */
async function waitUntilGone(session: Session, path: string, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    try {
      await session.api.get<JobSnapshot>(path);
    } catch (error) {
      if (error instanceof ApiProblemError && error.status === 404) return true;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return false;
}
