// `batchline promote <experiment> <arm>`: the arm as a job on the experiment's whole source (the sample's
// answers reused from the result cache), followed like `run` until it ends, with run's exit codes.
import { expectPositionals, parseCommandArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { parseSink, parseUsd } from '../job-body.ts';
import { withSession } from '../session.ts';
import type { JobSnapshot } from '../types.ts';
import { watchJob } from '../watch.ts';

export const PROMOTE_USAGE = 'batchline promote <experiment> <arm> [--sink SPEC]... [--name NAME] [--max-usd USD] [--detach]';

export const PROMOTE_HELP = `Run an experiment's arm on its whole source, reusing the answers of the sample.

Usage:
  ${PROMOTE_USAGE}

Options:
  --sink SPEC      file:PATH | http:URL | connection:NAME; repeatable
  --name NAME      a name for the job
  --max-usd USD    a budget for the job
  -d, --detach     print the job id and return at once
  -h, --help       this help

Promoting the same arm again with the same options follows the same job. Exit codes as for run.
`;

const OPTIONS = {
  sink: { type: 'string', multiple: true },
  name: { type: 'string' },
  'max-usd': { type: 'string' },
  detach: { type: 'boolean', short: 'd' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function promoteCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, PROMOTE_USAGE);
  if (values.help) {
    ctx.stdout.write(PROMOTE_HELP);
    return 0;
  }
  const [experiment, arm] = expectPositionals(positionals, ['experiment', 'arm'], PROMOTE_USAGE) as [string, string];
  const sinks = (values.sink ?? []).map((spec) => parseSink(spec, ctx.cwd, PROMOTE_USAGE));
  const body = {
    arm,
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(sinks.length > 0 ? { sinks: sinks.map((s) => s.ref) } : {}),
    ...(values['max-usd'] !== undefined ? { max_usd: parseUsd(values['max-usd'], '--max-usd', PROMOTE_USAGE) } : {}),
  };
  const fileRoots = sinks.flatMap((s) => (s.root ? [s.root] : []));
  return withSession(ctx.env, { command: 'promote', fileRoots }, async (session) => {
    const startedAt = Date.now();
    const job = await session.api.post<JobSnapshot>(`/v1/experiments/${encodeURIComponent(experiment)}/promote`, body);
    if (values.detach) {
      ctx.stdout.write(`${job.id}\n`);
      return 0;
    }
    ctx.stdout.write(`job ${job.id} created from arm ${arm} of ${experiment} on the whole source; the sample's answers are reused\n`);
    return watchJob(session, job.id, ctx, { startedAt });
  });
}
