// What a child process printed, read to the end: 'exit' can fire before the last of its stdout and stderr
// has been read from the pipes (a quick process's one line of usage error came back empty), so the
// result waits for both streams to end too — for at most a few seconds, as a grandchild that inherited the
// pipes (a shell's background job) may keep them open. A child that outlives `timeoutMs` is killed and
// the promise rejects with what it printed.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface ChildOutput {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ChildOutputOptions {
  /** Kill the child (SIGKILL) and reject after this long. */
  timeoutMs: number;
  /** Called with all of stdout so far on each chunk (e.g. to interrupt the child once progress shows). */
  onStdout?: (stdoutSoFar: string) => void;
}

const DRAIN_AFTER_EXIT_MS = 5_000;

/** Starts collecting at once (call it right after spawn); resolves once the child exited and its output ended. */
export function childOutput(child: ChildProcess, what: string, options: ChildOutputOptions): Promise<ChildOutput> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    options.onStdout?.(stdout);
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = Promise.all([child.stdout, child.stderr].map((stream) => (stream && !stream.readableEnded ? once(stream, 'end').catch(() => undefined) : undefined)));
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  return new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal]))).then(async ([code, signal]) => {
    clearTimeout(killer);
    let drain: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise((resolve) => (drain = setTimeout(resolve, DRAIN_AFTER_EXIT_MS)))]);
    clearTimeout(drain);
    if (timedOut) throw new Error(`${what} did not end in ${options.timeoutMs / 1000} s\nstdout: ${stdout}\nstderr: ${stderr}`);
    return { code, signal, stdout, stderr };
  });
}
