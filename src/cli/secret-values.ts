// Values that should stay out of shell history: `--config api_token=@token.txt` reads a file, `=@-`
// reads stdin (once per command), `=@@…` is a literal value starting with `@` (every --config: run,
// compare, connections). A secret field given literally on the command line still works, with a warning
// on stderr.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ConfigAssignment } from './types.ts';
import type { CliContext } from './context.ts';
import { CliError, UsageError } from './errors.ts';

/** Reads a value from a file or stdin (`-`), without its trailing newline. */
export async function readSecretSource(source: string, ctx: Pick<CliContext, 'cwd' | 'stdin'>, what: string): Promise<string> {
  let text: string;
  if (source === '-') {
    text = await readAll(ctx.stdin);
  } else {
    try {
      text = await fs.readFile(path.resolve(ctx.cwd, source), 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${what} from ${source}: ${(error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))}`);
    }
  }
  const value = text.replace(/\r?\n$/, '');
  if (value.length === 0) throw new CliError(`${what}: ${source === '-' ? 'stdin' : source} is empty`);
  return value;
}

/** The assignments with `@file` and `@-` values read in. */
export async function resolveValueSources(assignments: readonly ConfigAssignment[], ctx: Pick<CliContext, 'cwd' | 'stdin'>, usage: string): Promise<ConfigAssignment[]> {
  let stdinUsed = false;
  const resolved: ConfigAssignment[] = [];
  for (const a of assignments) {
    if (a.raw.startsWith('@@')) resolved.push({ key: a.key, raw: a.raw.slice(1) });
    else if (a.raw.startsWith('@')) {
      const source = a.raw.slice(1);
      if (source === '') throw new UsageError(`--config ${a.key}=@ needs a file name, or - for stdin`, usage);
      if (source === '-') {
        if (stdinUsed) throw new UsageError('only one --config value can come from stdin (@-)', usage);
        stdinUsed = true;
      }
      resolved.push({ key: a.key, raw: await readSecretSource(source, ctx, a.key), fromFile: true });
    } else resolved.push(a);
  }
  return resolved;
}

/** A one-line warning for every secret field whose value was typed on the command line (after resolveValueSources: not `fromFile`). */
export function warnLiteralSecrets(assignments: readonly ConfigAssignment[], secretFields: readonly string[], ctx: Pick<CliContext, 'stderr'>): void {
  for (const a of assignments) {
    if (secretFields.includes(a.key) && !a.fromFile) {
      ctx.stderr.write(`batchline: warning: ${a.key} was given on the command line and may stay in your shell history; use ${a.key}=@FILE or ${a.key}=@- (stdin)\n`);
    }
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
