// What every command gets: the environment, where it was started, its output streams, and a signal
// that aborts on Ctrl-C (a second Ctrl-C exits at once).
export interface CliContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Where `@-` values (secrets kept out of shell history) are read from. */
  stdin: NodeJS.ReadableStream;
  signal: AbortSignal;
}

/** Exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED = 130;
/** The job paused for the user (budget exhausted, pilot failed): `batchline resume` continues it. */
export const PAUSED = 3;
