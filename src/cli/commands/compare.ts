// `batchline compare`: creates an experiment from flags (arms as repeated --arm) or a file, follows it until
// its arms end and prints the comparison table. Exit codes as for `run`: 0 every arm completed, 1 one ended
// otherwise, 3 one paused (budget), 2 usage error, 130 interrupted.
import fs from 'node:fs';
import path from 'node:path';
import { parseArm } from '../arm-spec.ts';
import { expectPositionals, parseCommandArgs } from '../args.ts';
import { comparisonReport, experimentProgressLine, type ExperimentAnswer } from '../comparison-table.ts';
import { INTERRUPTED, PAUSED, type CliContext } from '../context.ts';
import { readConfigFlags } from '../config-values.ts';
import { CliError, UsageError } from '../errors.ts';
import { completeJobBody, parseUsd, planJob } from '../job-body.ts';
import { exitCodeFor } from '../progress.ts';
import { withSession } from '../session.ts';
import { embeddedNotice } from './run.ts';

export const COMPARE_USAGE =
  'batchline compare (--source PLUGIN | --connection NAME) --task TASK --sample N --arm SPEC --arm SPEC [--labels FILE] [options], or batchline compare --experiment FILE (batchline compare --help for more)';

export const COMPARE_HELP = `Pit task variants (models, prompts) against each other on a sample, and compare their answers.

Usage:
  batchline compare --source reviews --path reviews.csv --preset google-play --task review-insights \\
    --sample 200 --seed 42 --arm haiku:model=claude-haiku-5-5 --arm sonnet:model=claude-sonnet-5-5 --labels gold.csv
  batchline compare --experiment experiment.json     a complete POST /v1/experiments body (- reads stdin)

Documents (as for run):
  --source PLUGIN | --connection NAME, --path FILE, --preset NAME, -t/--task NAME
  -c, --config KEY=VALUE   a source config field; VALUE @FILE reads a file, @- stdin, @@… is a literal @
  --unset FIELD            with --connection: leave this field of the connection's config out

Sample:
  --sample N               documents in the sample (at most what the source holds)
  --seed SEED              the same seed picks the same documents (default: random, printed)
  --stratify FIELD         give each value of a metadata field (e.g. rating) its share of the sample

Arms (two or more):
  --arm [NAME:]KEY=VALUE[,KEY=VALUE…]   keys: model, max_tokens, prompt, system; VALUE @FILE reads a file
                           as it is (prompts keep their newlines; no @- here: stdin is for --config)
                           e.g. --arm baseline --arm terse:prompt=@terse.txt,max_tokens=512

Labels and comparison:
  --labels FILE            gold labels: CSV/TSV (id column + one column per field), JSONL or JSON
  --labels-column F=KEY    the expected value of answer field F is in metadata KEY of the source (repeatable)
  --tolerance F=N          number field F agrees within N (repeatable)
  --exact F                compare plain string field F exactly (repeatable)
  --max-usd USD            budget of all arms together; an arm that would go over it pauses (exit 3)
  --name NAME              a name for the experiment

Output:
  --json                   print the experiment as the API answers it once it has ended
  -d, --detach             print the experiment id and return at once
  -h, --help               this help

The comparison shows each arm's schema-valid rate, tokens, cost per 1,000 documents and for the whole
source, accuracy against the labels with a 95% Wilson interval, agreement per field and the confusion
matrix of each enum field. Run the winner on everything with: batchline promote <experiment> <arm>.
Exit code: 0 every arm completed; 1 an arm ended completed_with_errors, failed or canceled (or any
error); 2 usage error; 3 an arm paused (budget); 130 interrupted.
`;

const OPTIONS = {
  experiment: { type: 'string' },
  source: { type: 'string' },
  connection: { type: 'string' },
  path: { type: 'string' },
  preset: { type: 'string' },
  config: { type: 'string', short: 'c', multiple: true },
  unset: { type: 'string', multiple: true },
  task: { type: 'string', short: 't' },
  sample: { type: 'string' },
  seed: { type: 'string' },
  stratify: { type: 'string' },
  arm: { type: 'string', multiple: true },
  labels: { type: 'string' },
  'labels-column': { type: 'string', multiple: true },
  tolerance: { type: 'string', multiple: true },
  exact: { type: 'string', multiple: true },
  'max-usd': { type: 'string' },
  name: { type: 'string' },
  json: { type: 'boolean' },
  detach: { type: 'boolean', short: 'd' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FINAL = new Set(['completed', 'completed_with_errors', 'canceled', 'failed']);
const PAUSED_STATUSES = new Set(['awaiting_budget', 'pilot_failed']);
const POLL_MS = 500;

function pairs(list: readonly string[] | undefined, flag: string): Array<[string, string]> {
  return (list ?? []).map((raw) => {
    const at = raw.indexOf('=');
    if (at <= 0 || at === raw.length - 1) throw new UsageError(`${flag} must be FIELD=VALUE, got "${raw}"`, COMPARE_USAGE);
    return [raw.slice(0, at), raw.slice(at + 1)];
  });
}

function readExperimentFile(file: string, cwd: string): Record<string, unknown> {
  const label = file === '-' ? 'the experiment on stdin' : file;
  let parsed: unknown;
  try {
    parsed = JSON.parse(file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(path.resolve(cwd, file), 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read ${label} as JSON: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(`${label} must hold a JSON object (a POST /v1/experiments body)`);
  return parsed as Record<string, unknown>;
}

export async function compareCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, COMPARE_USAGE);
  if (values.help) {
    ctx.stdout.write(COMPARE_HELP);
    return 0;
  }
  expectPositionals(positionals, [], COMPARE_USAGE);

  let body: Record<string, unknown>;
  let plan: ReturnType<typeof planJob> | undefined;
  const fileRoots: string[] = [];
  if (values.experiment !== undefined) {
    const clash = (['source', 'connection', 'path', 'preset', 'config', 'unset', 'task', 'sample', 'arm', 'labels'] as const).find((f) => values[f] !== undefined);
    if (clash) throw new UsageError(`--${clash} cannot be combined with --experiment (put it in the file)`, COMPARE_USAGE);
    body = readExperimentFile(values.experiment, ctx.cwd);
  } else {
    if (values.sample === undefined) throw new UsageError('missing --sample N (documents in the sample)', COMPARE_USAGE);
    if (!/^\d+$/.test(values.sample) || Number(values.sample) < 1) throw new UsageError(`--sample must be a positive whole number, got "${values.sample}"`, COMPARE_USAGE);
    const arms = (values.arm ?? []).map((spec) => parseArm(spec, ctx.cwd, COMPARE_USAGE));
    if (arms.length < 2) throw new UsageError(`give at least two --arm (got ${arms.length})`, COMPARE_USAGE);
    const { assignments, unset } = await readConfigFlags(values.config, values.unset, ctx, COMPARE_USAGE);
    plan = planJob({ source: values.source, connection: values.connection, path: values.path, preset: values.preset, config: assignments, unset, task: values.task }, ctx.cwd, COMPARE_USAGE);
    fileRoots.push(...plan.fileRoots);
    const labelColumns = pairs(values['labels-column'], '--labels-column');
    if (values.labels !== undefined && labelColumns.length > 0) throw new UsageError('give --labels or --labels-column, not both', COMPARE_USAGE);
    let labels: Record<string, unknown> | undefined;
    if (values.labels !== undefined) {
      const file = path.resolve(ctx.cwd, values.labels);
      fileRoots.push(path.dirname(file));
      labels = { path: file };
    } else if (labelColumns.length > 0) labels = { metadata: Object.fromEntries(labelColumns) };
    const tolerance = pairs(values.tolerance, '--tolerance').map(([f, v]): [string, number] => {
      if (!/^\d+(\.\d+)?$/.test(v)) throw new UsageError(`--tolerance ${f}=${v}: the tolerance must be a number of 0 or more`, COMPARE_USAGE);
      return [f, Number(v)];
    });
    body = {
      ...(values.name !== undefined ? { name: values.name } : {}),
      task: plan.body.task,
      source: plan.body.source,
      sample: { size: Number(values.sample), ...(values.seed !== undefined ? { seed: values.seed } : {}), ...(values.stratify !== undefined ? { stratify_by: values.stratify } : {}) },
      arms,
      ...(labels ? { labels } : {}),
      ...(tolerance.length > 0 || values.exact ? { compare: { ...(tolerance.length > 0 ? { tolerance: Object.fromEntries(tolerance) } : {}), ...(values.exact ? { exact: values.exact } : {}) } } : {}),
      ...(values['max-usd'] !== undefined ? { max_usd: parseUsd(values['max-usd'], '--max-usd', COMPARE_USAGE) } : {}),
    };
  }

  const onEmbedded = (info: Parameters<typeof embeddedNotice>[0]) => ctx.stderr.write(`${embeddedNotice(info, ctx.cwd)}\n`);
  return withSession(ctx.env, { command: 'compare', fileRoots, onEmbedded }, async (session) => {
    if (ctx.signal.aborted) return INTERRUPTED;
    if (plan) body = { ...body, source: (await completeJobBody(plan, session.api, COMPARE_USAGE, ctx)).source };
    const startedAt = Date.now();
    const created = await session.api.post<ExperimentAnswer>('/v1/experiments', body);
    if (values.detach) {
      ctx.stdout.write(`${created.id}\n`);
      return 0;
    }
    ctx.stdout.write(`experiment ${created.id} created: ${created.sample.size} of ${created.population.documents} documents (seed ${created.sample.seed}), arms ${created.arms.map((a) => `${a.name} (${a.model})`).join(', ')}\n`);
    let last = '';
    let experiment = created;
    for (;;) {
      const line = experimentProgressLine(experiment);
      if (line !== last) ctx.stdout.write(`${line}\n`);
      last = line;
      if (experiment.comparison || PAUSED_STATUSES.has(experiment.status)) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (ctx.signal.aborted) {
        ctx.stderr.write(`batchline: stopped following experiment ${created.id}; its arms go on${session.embedded ? ' the next time Batchline runs on this data' : ' on the server'}: GET /v1/experiments/${created.id}\n`);
        return INTERRUPTED;
      }
      experiment = await session.api.get<ExperimentAnswer>(`/v1/experiments/${encodeURIComponent(created.id)}`);
    }
    if (values.json) ctx.stdout.write(`${JSON.stringify(experiment, null, 2)}\n`);
    else for (const line of comparisonReport(experiment, Date.now() - startedAt)) ctx.stdout.write(`${line}\n`);
    if (PAUSED_STATUSES.has(experiment.status)) {
      const paused = experiment.arms.filter((a) => PAUSED_STATUSES.has(a.status));
      ctx.stdout.write(`  paused: ${paused.map((a) => `${a.name} (job ${a.job_id})`).join(', ')} wait for budget: batchline resume <job> --max-usd <USD>\n`);
      return PAUSED;
    }
    return FINAL.has(experiment.status) ? exitCodeFor(experiment.status) : 1;
  });
}
