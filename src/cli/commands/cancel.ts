// `batchline cancel <job>`: cancels open work (queued items at once, provider batches through the API);
// --wait follows the job until the cancel has taken effect.
import { expectPositionals, parseCommandArgs } from '../args.ts';
import { INTERRUPTED, type CliContext } from '../context.ts';
import { withSession } from '../session.ts';
import { isFinal, type JobSnapshot } from '../types.ts';
import { watchJob } from '../watch.ts';

export const CANCEL_USAGE = 'batchline cancel <job> [--wait]';

export const CANCEL_HELP = `Cancel a job's open work: queued items at once, submitted batches through the provider.
Results already in are kept.

Usage:
  ${CANCEL_USAGE}

Options:
  -w, --wait     follow the job until it has ended (exit 0 once it has)
  -h, --help     this help
`;

const OPTIONS = {
  wait: { type: 'boolean', short: 'w' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function cancelCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, CANCEL_USAGE);
  if (values.help) {
    ctx.stdout.write(CANCEL_HELP);
    return 0;
  }
  const [jobId] = expectPositionals(positionals, ['job'], CANCEL_USAGE) as [string];

  return withSession(ctx.env, { command: 'cancel' }, async (session) => {
    const startedAt = Date.now();
    const job = await session.api.post<JobSnapshot>(`/v1/jobs/${encodeURIComponent(jobId)}/cancel`);
    const c = job.counts;
    const open = c.queued + c.submitted + (c.retry_wait ?? 0);
    ctx.stdout.write(
      isFinal(job.status)
        ? `job ${job.id} ${job.status}: ${c.canceled} items canceled\n`
        : `job ${job.id}: cancel requested (${job.status}; ${c.canceled} items canceled, ${open} still open)\n`,
    );
    if (!values.wait || isFinal(job.status)) return 0;
    const code = await watchJob(session, job.id, ctx, { startedAt });
    // The job ending (canceled, or finished first) is what was asked for.
    return code === INTERRUPTED ? code : 0;
  });
}
