// `batchline resume <job>`: continues a job paused for its budget (with --max-usd) or after a failed
// pilot (with --accept-pilot); --wait follows it until it ends or pauses again.
import { expectPositionals, parseCommandArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { parseUsd } from '../job-body.ts';
import { formatUsd, moneyText } from '../progress.ts';
import { withSession } from '../session.ts';
import type { JobSnapshot } from '../types.ts';
import { watchJob } from '../watch.ts';

export const RESUME_USAGE = 'batchline resume <job> [--max-usd USD] [--accept-pilot] [--wait]';

export const RESUME_HELP = `Continue a paused job (awaiting_budget, pilot_failed), or change a running job's budget.

Usage:
  ${RESUME_USAGE}

Options:
  --max-usd USD    the new budget (a job paused for its budget needs a higher one to go on)
  --accept-pilot   a job whose pilot failed: send the rest anyway
  -w, --wait       follow the job until it ends or pauses again (exit 0 completed, 3 paused again)
  -h, --help       this help
`;

const OPTIONS = {
  'max-usd': { type: 'string' },
  'accept-pilot': { type: 'boolean' },
  wait: { type: 'boolean', short: 'w' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function resumeCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, RESUME_USAGE);
  if (values.help) {
    ctx.stdout.write(RESUME_HELP);
    return 0;
  }
  const [jobId] = expectPositionals(positionals, ['job'], RESUME_USAGE) as [string];
  const body = {
    ...(values['max-usd'] !== undefined ? { max_usd: parseUsd(values['max-usd'], '--max-usd', RESUME_USAGE) } : {}),
    ...(values['accept-pilot'] ? { accept_pilot: true } : {}),
  };
  return withSession(ctx.env, { command: 'resume' }, async (session) => {
    const startedAt = Date.now();
    const job = await session.api.post<JobSnapshot>(`/v1/jobs/${encodeURIComponent(jobId)}/resume`, body);
    const budget = job.budget ? `; budget ${formatUsd(job.budget.max_usd)}, ${formatUsd(job.budget.spent_usd)} spent` : '';
    ctx.stdout.write(`job ${job.id} ${job.status}${budget}${moneyText(job) ? ` · ${moneyText(job)}` : ''}\n`);
    if (!values.wait) return 0;
    return watchJob(session, job.id, ctx, { startedAt });
  });
}

