// `batchline results <job>`: every result of the job as NDJSON (one JSON object per line), streamed
// from the API (Accept: application/x-ndjson) to stdout or to a file written here, by the CLI.
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { expectPositionals, parseCommandArgs } from '../args.ts';
import { INTERRUPTED, type CliContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { withSession } from '../session.ts';

export const RESULTS_USAGE = 'batchline results <job> [--out FILE] [--status succeeded|failed|canceled]';

export const RESULTS_HELP = `Print a job's results as NDJSON: {"item_id", "external_id", "status", "output", "error", "attempts", "usage", …}.

Usage:
  ${RESULTS_USAGE}

Options:
  -o, --out FILE   write to FILE (on this machine) instead of stdout; it is replaced only once complete
  --status STATE   only succeeded, failed or canceled results
  -h, --help       this help
`;

const OPTIONS = {
  out: { type: 'string', short: 'o' },
  status: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const STATES = ['succeeded', 'failed', 'canceled'];

export async function resultsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, RESULTS_USAGE);
  if (values.help) {
    ctx.stdout.write(RESULTS_HELP);
    return 0;
  }
  const [jobId] = expectPositionals(positionals, ['job'], RESULTS_USAGE) as [string];
  if (values.status !== undefined && !STATES.includes(values.status)) throw new UsageError(`--status must be one of ${STATES.join(', ')}, got "${values.status}"`, RESULTS_USAGE);
  const query = values.status ? `?status=${values.status}` : '';
  const outFile = values.out === undefined ? undefined : path.resolve(ctx.cwd, values.out);

  return withSession(ctx.env, { command: 'results' }, async (session) => {
    const response = await session.api.open(`/v1/jobs/${encodeURIComponent(jobId)}/results${query}`, 'application/x-ndjson', ctx.signal);
    if (!response.body) return 0;
    if (outFile === undefined) {
      const outcome = await copyTo(response.body, ctx.stdout, ctx.signal);
      return outcome.interrupted ? INTERRUPTED : 0;
    }
    // Written beside the target and renamed at the end: an interrupted download never looks complete.
    const partial = `${outFile}.partial`;
    let file: fs.WriteStream;
    try {
      fs.mkdirSync(path.dirname(outFile), { recursive: true });
      file = fs.createWriteStream(partial);
      await once(file, 'open');
    } catch (error) {
      throw new CliError(`cannot write ${values.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const outcome = await copyTo(response.body, file, ctx.signal);
    file.end();
    await once(file, 'close');
    if (outcome.interrupted) {
      fs.rmSync(partial, { force: true });
      return INTERRUPTED;
    }
    fs.renameSync(partial, outFile);
    ctx.stderr.write(`batchline: wrote ${outcome.lines} results to ${values.out}\n`);
    return 0;
  });
}

/** Copies the stream with backpressure; a reader that went away (`| head`) ends it quietly. */
async function copyTo(body: ReadableStream<Uint8Array>, out: NodeJS.WritableStream, signal: AbortSignal): Promise<{ lines: number; interrupted: boolean }> {
  let lines = 0;
  let closed = false;
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') closed = true;
  };
  out.on('error', onError);
  try {
    for await (const chunk of body) {
      if (closed) break;
      for (const byte of chunk) if (byte === 10) lines++;
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    }
  } catch (error) {
    if (signal.aborted) return { lines, interrupted: true };
    throw new CliError(`the results stream broke off after ${lines} results: ${(error as Error).message}`);
  } finally {
    out.off('error', onError);
  }
  return { lines, interrupted: signal.aborted };
}
