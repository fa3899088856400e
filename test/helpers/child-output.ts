// What a child process printed, read to the end: 'exit' can fire before the last of its stdout and stderr
// has been read from the pipes (a quick process's one line of usage error came back empty), so the
// result waits for both streams to end too — for at most a few seconds, as a grandchild that inherited the
// pipes (a shell's background job) may keep them open.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface ChildOutput {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const DRAIN_AFTER_EXIT_MS = 5_000;

/** Starts collecting at once (call it right after spawn); resolves once the child exited and its output ended. */
export function childOutput(child: ChildProcess, onStdout?: (stdoutSoFar: string) => void): Promise<ChildOutput> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onStdout?.(stdout);
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = Promise.all([child.stdout, child.stderr].map((stream) => (stream && !stream.readableEnded ? once(stream, 'end').catch(() => undefined) : undefined)));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  return exited.then(async ([code, signal]) => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_AFTER_EXIT_MS)))]);
    clearTimeout(timer);
    return { code, signal, stdout, stderr };
  });
}
