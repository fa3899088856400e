// `batchline run`: creates a job from flags or a --job file, then follows it with a progress bar until it
// ends and prints a summary line. Exit 0 when it completed, 1 when it ended otherwise.
import path from 'node:path';
import { parseCommandArgs, expectPositionals } from '../args.ts';
import { INTERRUPTED, type CliContext } from '../context.ts';
import type { EmbeddedInfo } from '../embedded.ts';
import { readConfigFlags } from '../config-values.ts';
import { completeJobBody, planJob } from '../job-body.ts';
import { dryRunReport, type DryRunAnswer } from '../dry-run-report.ts';
import { withSession } from '../session.ts';
import type { JobSnapshot } from '../types.ts';
import { watchJob } from '../watch.ts';

export const RUN_USAGE = 'batchline run (--source PLUGIN | --connection NAME) --task TASK [--path FILE] [--preset NAME] [--config KEY=VALUE]... [--sink SPEC]..., or batchline run --job FILE (batchline run --help for more)';

export const RUN_HELP = `Create a job and follow it until it ends.

Usage:
  batchline run --source PLUGIN --task TASK [source options] [--sink SPEC]... [options]
  batchline run --job job.json [--sink SPEC]... [options]

Source:
  --source PLUGIN          source plugin (reviews, invoices, zendesk, …; see batchline plugins)
  --connection NAME        a named source connection instead of --source
  --path FILE              the source's path (file or folder), resolved against this directory
  --preset NAME            reviews layout: google-play, app-store, trustpilot, amazon, yelp
  -c, --config KEY=VALUE   any other source config field, typed by the plugin's schema;
                           dotted keys reach nested fields (columns.text=Body); repeatable. VALUE @FILE
                           reads a file, @- reads stdin, @@… is a literal @ (as in batchline connections)
  --unset FIELD            with --connection: leave this field of the connection's config out of this
                           job (repeatable)
  --job FILE               a complete POST /v1/jobs body (JSON; - reads stdin) instead of the flags above

Task and sinks:
  -t, --task NAME          built-in task: review-insights, invoice-extraction, ticket-triage
  --model MODEL            override the task's model
  --max-tokens N           override the task's max_tokens
  --sink SPEC              file:PATH | http:URL | connection:NAME; repeatable (added to a --job file's sinks)
  --name NAME              a name for the job

Cost:
  --dry-run                print what the job would cost (items, batches, tokens, $ at batch and standard
                           price) and stop: nothing is stored or sent
  --max-usd USD            budget: the job pauses (exit 3) rather than go over it; batchline resume continues
  --pilot N[:RATE]         send N items first; the rest only if RATE of their answers (default 0.95) pass
                           the task's schema, else the job pauses in pilot_failed (exit 3)
  --cache on|off           reuse answers to identical requests of earlier jobs (the result cache)

Following:
  -d, --detach             print the job id and return at once
  -h, --help               this help

The server reads the files: paths given in flags are made absolute here before they are sent. Without
BATCHLINE_URL an embedded server runs for the duration of the command (on DATABASE_URL when it is set,
else PGlite in BATCHLINE_DATA_DIR; the built-in simulator unless ANTHROPIC_API_KEY is set) and may use
this directory and the folders named in flags. Ctrl-C stops following; an embedded server then shuts down gracefully and the job resumes the
next time Batchline runs on the same data. Exit code: 0 completed; 1 completed_with_errors, failed or
canceled, or any error; 2 usage error; 3 paused (budget, pilot); 130 interrupted.
`;

const OPTIONS = {
  job: { type: 'string' },
  source: { type: 'string' },
  connection: { type: 'string' },
  path: { type: 'string' },
  preset: { type: 'string' },
  config: { type: 'string', short: 'c', multiple: true },
  unset: { type: 'string', multiple: true },
  task: { type: 'string', short: 't' },
  sink: { type: 'string', multiple: true },
  model: { type: 'string' },
  'max-tokens': { type: 'string' },
  name: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'max-usd': { type: 'string' },
  pilot: { type: 'string' },
  cache: { type: 'string' },
  detach: { type: 'boolean', short: 'd' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, RUN_USAGE);
  if (values.help) {
    ctx.stdout.write(RUN_HELP);
    return 0;
  }
  expectPositionals(positionals, [], RUN_USAGE);
  // Files and stdin named by --config values are read before anything starts (with --job, planJob refuses them).
  const { assignments, unset } = values.job === undefined ? await readConfigFlags(values.config, values.unset, ctx, RUN_USAGE) : { assignments: values.config, unset: values.unset };
  const plan = planJob({ ...values, config: assignments, unset, maxTokens: values['max-tokens'], maxUsd: values['max-usd'] }, ctx.cwd, RUN_USAGE);

  const onEmbedded = (info: EmbeddedInfo) => ctx.stderr.write(`${embeddedNotice(info, ctx.cwd)}\n`);
  return withSession(ctx.env, { command: 'run', fileRoots: plan.fileRoots, onEmbedded }, async (session) => {
    // Ctrl-C during the embedded server's start-up: stop before creating anything.
    if (ctx.signal.aborted) return INTERRUPTED;
    const body = await completeJobBody(plan, session.api, RUN_USAGE, ctx);
    if (values['dry-run']) {
      const dry = await session.api.post<DryRunAnswer>('/v1/jobs?dry_run=true', body);
      for (const line of dryRunReport(dry)) ctx.stdout.write(`${line}\n`);
      return 0;
    }
    const startedAt = Date.now();
    const job = await session.api.post<JobSnapshot>('/v1/jobs', body);
    if (values.detach) {
      ctx.stdout.write(`${job.id}\n`);
      if (session.embedded) ctx.stderr.write(`batchline: the embedded server stops now; job ${job.id} runs the next time Batchline runs on this data (batchline serve, or batchline status ${job.id} --follow)\n`);
      return 0;
    }
    const model = job.task?.model ? ` on ${job.task.model}` : '';
    ctx.stdout.write(`job ${job.id} created: ${job.task?.name ?? 'task'}${model}\n`);
    return watchJob(session, job.id, ctx, { startedAt });
  });
}

export function embeddedNotice(server: EmbeddedInfo, cwd: string): string {
  const shown = (p: string) => {
    const rel = path.relative(cwd, p);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
  };
  const database = server.database === 'pglite' ? `PGlite in ${shown(server.dataDir)}` : 'Postgres at DATABASE_URL';
  const provider = server.simulated ? 'the built-in batch simulator: answers are synthetic, nothing is billed' : 'the Message Batches API';
  return `batchline: no BATCHLINE_URL, so an embedded server runs for this command (${database}; ${provider}); its log: ${shown(server.logFile)}`;
}
