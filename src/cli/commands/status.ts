// `batchline status <job>`: one job's state, counts, batches, tokens, cost and deliveries; --follow
// watches it to the end like `run` does (and with run's exit codes), --json prints the API's answer.
import { expectPositionals, parseCommandArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { statusReport } from '../progress.ts';
import { withSession } from '../session.ts';
import type { JobSnapshot } from '../types.ts';
import { watchJob } from '../watch.ts';

export const STATUS_USAGE = 'batchline status <job> [--follow] [--json]';

export const STATUS_HELP = `Show a job: status, items by state, batches, tokens, cost, deliveries.

Usage:
  ${STATUS_USAGE}

Options:
  -f, --follow   follow the job with a progress bar until it ends, then print the summary line
                 (exit code as for run: 0 completed, 1 otherwise, 130 interrupted)
  --json         print the job as the API answers it (GET /v1/jobs/{id})
  -h, --help     this help
`;

const OPTIONS = {
  follow: { type: 'boolean', short: 'f' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function statusCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, STATUS_USAGE);
  if (values.help) {
    ctx.stdout.write(STATUS_HELP);
    return 0;
  }
  const [jobId] = expectPositionals(positionals, ['job'], STATUS_USAGE) as [string];
  if (values.follow && values.json) throw new UsageError('--follow and --json do not go together', STATUS_USAGE);

  return withSession(ctx.env, { command: 'status' }, async (session) => {
    const job = await session.api.get<JobSnapshot>(`/v1/jobs/${encodeURIComponent(jobId)}`);
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
      return 0;
    }
    if (!values.follow) {
      ctx.stdout.write(`${statusReport(job).join('\n')}\n`);
      return 0;
    }
    // Elapsed time counts from the job's creation (the server's clock; negative skew is clamped).
    const age = job.created_at ? Math.max(0, Date.now() - Date.parse(job.created_at)) : 0;
    return watchJob(session, jobId, ctx, { startedAt: Date.now(), elapsedOffsetMs: Number.isFinite(age) ? age : 0 });
  });
}
