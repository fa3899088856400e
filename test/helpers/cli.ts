// Runs the `batchline` CLI in this process (its main(), as bin/batchline.js does), capturing what it prints:
// for tests that check many commands against one running service without a child process each.
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env: Record<string, string>;
  cwd: string;
  /** Text on stdin, or a stream (e.g. one that records whether it was read). */
  stdin?: string | Readable;
}

export async function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const capture = (append: (s: string) => void) => ({ write: (chunk: string | Uint8Array) => (append(String(chunk)), true), isTTY: false }) as unknown as NodeJS.WriteStream;
  const stdin = typeof options.stdin === 'object' ? options.stdin : Readable.from([Buffer.from(options.stdin ?? '')]);
  const code = await main(args, { env: options.env, cwd: options.cwd, stdout: capture((s) => (stdout += s)), stderr: capture((s) => (stderr += s)), stdin });
  return { code, stdout, stderr };
}
