// The `batchline` command: dispatches to one module per subcommand (loaded on demand, so --help is
// instant and `serve` loads the service the way src/main.ts expects), and turns every error into one
// line on stderr with its exit code.
import { INTERRUPTED, type CliContext } from './context.ts';
import { describeError, UsageError } from './errors.ts';
import { MAIN_HELP, MAIN_USAGE } from './help.ts';

type CommandModule = (args: string[], ctx: CliContext) => Promise<number>;

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  run: async () => (await import('./commands/run.ts')).runCommand,
  status: async () => (await import('./commands/status.ts')).statusCommand,
  results: async () => (await import('./commands/results.ts')).resultsCommand,
  insights: async () => (await import('./commands/insights.ts')).insightsCommand,
  cancel: async () => (await import('./commands/cancel.ts')).cancelCommand,
  delete: async () => (await import('./commands/delete.ts')).deleteCommand,
  resume: async () => (await import('./commands/resume.ts')).resumeCommand,
  compare: async () => (await import('./commands/compare.ts')).compareCommand,
  promote: async () => (await import('./commands/promote.ts')).promoteCommand,
  plugins: async () => (await import('./commands/plugins.ts')).pluginsCommand,
  connections: async () => (await import('./commands/connections.ts')).connectionsCommand,
  zendesk: async () => (await import('./commands/zendesk.ts')).zendeskCommand,
  secrets: async () => (await import('./commands/secrets.ts')).secretsCommand,
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
};

export async function main(argv: readonly string[], context: Partial<CliContext> = {}): Promise<number> {
  const ctx: CliContext = {
    env: context.env ?? process.env,
    cwd: context.cwd ?? process.cwd(),
    stdout: context.stdout ?? process.stdout,
    stderr: context.stderr ?? process.stderr,
    stdin: context.stdin ?? process.stdin,
    signal: context.signal ?? new AbortController().signal,
  };
  const [first, ...rest] = argv;
  try {
    if (first === undefined) throw new UsageError('missing command', MAIN_USAGE);
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = rest[0];
      if (first === 'help' && topic !== undefined && topic in COMMANDS) return await dispatch(topic, ['--help'], ctx);
      ctx.stdout.write(MAIN_HELP);
      return 0;
    }
    if (first === '--version' || first === '-V' || first === '-v') {
      const { SERVICE_VERSION } = await import('../version.ts');
      ctx.stdout.write(`batchline ${SERVICE_VERSION}\n`);
      return 0;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option ${first}`, MAIN_USAGE);
    if (!(first in COMMANDS)) throw new UsageError(`unknown command "${first}"`, MAIN_USAGE);
    return await dispatch(first, rest, ctx);
  } catch (error) {
    if (ctx.signal.aborted && error instanceof Error && error.name === 'AbortError') return INTERRUPTED;
    const { line, exitCode } = describeError(error);
    ctx.stderr.write(`${line}\n`);
    return exitCode;
  }
}

async function dispatch(name: string, args: string[], ctx: CliContext): Promise<number> {
  const load = COMMANDS[name];
  if (!load) throw new UsageError(`unknown command "${name}"`, MAIN_USAGE);
  return (await load())(args, ctx);
}

/**
 * Entry point of bin/batchline.js. Ctrl-C aborts the command's signal (it stops following, and an
 * embedded server shuts down gracefully); a second Ctrl-C exits at once. `serve` keeps the service's
 * own signal handling.
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  if (argv[0] !== 'serve') {
    const controller = new AbortController();
    process.on('SIGINT', () => {
      if (controller.signal.aborted) process.exit(INTERRUPTED);
      controller.abort();
    });
    const code = await main(argv, { signal: controller.signal });
    await flush(process.stdout);
    await flush(process.stderr);
    process.exit(code);
  }
  const code = await main(argv);
  // Only reached when serve did not start (usage error, --help).
  await flush(process.stdout);
  await flush(process.stderr);
  process.exit(code);
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
