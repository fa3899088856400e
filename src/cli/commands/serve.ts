// `batchline serve`: the service itself, exactly as `npm start` runs it (src/main.ts), configured by the
// environment; --port and --host are shorthands for PORT and HOST.
import { parseCommandArgs, expectPositionals } from '../args.ts';
import type { CliContext } from '../context.ts';
import { loadConfig } from '../../config.ts';
import { lockDataDir } from '../data-lock.ts';
import { UsageError } from '../errors.ts';

export const SERVE_USAGE = 'batchline serve [--port N] [--host HOST]';

export const SERVE_HELP = `Run the Batchline service (HTTP API and worker) until SIGINT/SIGTERM; same as npm start.

Usage:
  ${SERVE_USAGE}

Options:
  --port N       listen on port N (PORT, default 8080)
  --host HOST    listen on HOST (HOST, default 127.0.0.1; any other needs BATCHLINE_API_KEYS)
  -h, --help     this help

Every setting comes from the environment (docs/configuration.md: DATABASE_URL, ANTHROPIC_API_KEY, …). Point other
batchline commands at it with BATCHLINE_URL=http://HOST:PORT (and BATCHLINE_TOKEN when keys are set).
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Resolves never while the service runs: src/main.ts exits the process when it stops. */
export async function serveCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, SERVE_USAGE);
  if (values.help) {
    ctx.stdout.write(SERVE_HELP);
    return 0;
  }
  expectPositionals(positionals, [], SERVE_USAGE);
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) throw new UsageError(`--port must be a port number, got "${values.port}"`, SERVE_USAGE);
    ctx.env.PORT = values.port;
  }
  if (values.host !== undefined) ctx.env.HOST = values.host;
  // Keep embedded CLI runs off the same PGlite data while the service uses it. A bad environment is
  // left to src/main.ts, which reports it the way `npm start` does.
  let config;
  try {
    config = loadConfig(ctx.env);
  } catch {
    config = undefined;
  }
  if (config && !config.DATABASE_URL) lockDataDir(config.BATCHLINE_DATA_DIR, 'serve');
  await import('../../main.ts');
  return new Promise<number>(() => {});
}
