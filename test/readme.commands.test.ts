// The README's commands, run as a reader would: every command of its ```sh blocks either runs here and
// exits 0, or is in SKIP with the reason it cannot run offline in a test. A command that is neither fails
// the test, so a new README command is either checked or its skip is argued for.
//
// How they run: in a fresh working directory holding a copy of examples/, through `sh -c`, with a clean
// environment (no ANTHROPIC_API_KEY: the built-in simulator; DATABASE_URL only when the suite runs on
// Postgres, a database of its own). `npx batchline` is run as `node bin/batchline.js` (the README says they
// are the same; npx outside the clone would look in the registry). The first `batchline run` uses an
// embedded server, as the README shows; then `npx batchline serve` (a README command itself) starts on the
// same data and the CLI commands after it get BATCHLINE_URL, as the README says to do while serve runs (one
// server instead of one embedded start per command keeps the test short). Test speed settings only: the
// simulator ends batches in 200 ms and the lifecycle sweep looks every 100 ms (delete --wait).
// The README's `localhost:8080` is that server's address, its example job id (job_7fk2…) the job the run
// created, and `curl` fails on an HTTP error (--fail-with-body), so an API example with a wrong body fails.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { childOutput } from './helpers/child-output.ts';
import { createTestDatabase } from './helpers/database.ts';
import { freePort } from './helpers/ports.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'batchline.js');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** The README's example job id: replaced by the id of the job its `batchline run` example created. */
const EXAMPLE_JOB = 'job_7fk2…';

/**
 * Commands that do not run here, each with the reason. Matched against the command as the README writes it,
 * but with its example job id as `<job>` (that one is filled in, see above).
 */
const SKIP: ReadonlyArray<{ match: RegExp; why: string }> = [
  { match: /^npm ci$/, why: 'installs dependencies from the npm registry (network); the test runs in an installed tree' },
  { match: /^npm test$/, why: 'the whole suite, of which this test is a part' },
  { match: /^npm run typecheck$/, why: 'type-checks the whole tree (about a minute); .ci/run runs it' },
  { match: /^npm run simulator$/, why: 'the standalone simulator serves until stopped; test/simulator*.test.ts start it' },
  { match: /^npm run bench$/, why: 'benchmarks take minutes; bench/RESULTS.md has their figures' },
  { match: /(^|\s)npm start$/, why: 'serves until stopped (`npx batchline serve`, the same service, is started here instead); the variants need a Postgres, an API key or an OTLP collector' },
  { match: /^npx batchline (cancel|resume) <job>/, why: 'the README job has ended by then: cancel answers 409 and resume needs a paused job (test/cli.test.ts runs both on jobs in those states)' },
  { match: /zendesk setup/, why: 'sets up a Zendesk account on the reader\'s deployment (BATCHLINE_URL=https://batchline.acme.example); test/cli.connections.test.ts runs it against a fake Zendesk, test/cli.zendesk-setup.test.ts checks the refusal without BATCHLINE_URL' },
  { match: /connections update support-desk/, why: 'rotates the token of the reader\'s support-desk connection, read from stdin; test/cli.connections.test.ts runs it' },
  { match: /exports\/|labels\/gold\.csv/, why: 'reads the reader\'s own export (exports/…) and gold labels, which are not in the repository' },
  { match: /"connection":\s*"zd"/, why: 'reads tickets from a Zendesk account (network) through the reader\'s zd connection' },
  { match: /…|\$JOB\b/, why: 'holds a value the reader fills in (an elided id, token or argument, or $JOB)' },
];

interface Command {
  text: string;
  /** Shell assignments made earlier in the same block (`export X=…`, `AUTH=…`), run before it. */
  setup: string[];
}

/** The ```sh blocks' commands: quotes may span lines, `\` continues a line, `#` at a word's start comments, `&&` separates. */
export function readmeCommands(markdown: string): Command[] {
  const commands: Command[] = [];
  for (const block of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const setup: string[] = [];
    for (const text of splitCommands(block[1] ?? '')) {
      commands.push({ text, setup: [...setup] });
      if (isAssignment(text)) setup.push(text);
    }
  }
  return commands;
}

function splitCommands(block: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  const end = () => {
    if (current.trim() !== '') out.push(current.trim());
    current = '';
  };
  for (let i = 0; i < block.length; i++) {
    const ch = block[i] as string;
    if (quote !== undefined) {
      current += ch;
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"') current += block[++i] ?? '';
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      current += ch;
    } else if (ch === '\\' && block[i + 1] === '\n') {
      current += ' ';
      i++;
    } else if (ch === '#' && (current === '' || /\s$/.test(current))) {
      while (i + 1 < block.length && block[i + 1] !== '\n') i++;
    } else if (ch === '\n') end();
    else if (ch === '&' && block[i + 1] === '&') {
      end();
      i++;
    } else current += ch;
  }
  end();
  return out.map((c) => c.replace(/[ \t]+/g, ' '));
}

const isAssignment = (text: string) => /^(export )?[A-Z_][A-Z0-9_]*=("[^"]*"|'[^']*'|\S*)$/.test(text);

type Kind = 'demo' | 'cli' | 'serve' | 'curl' | 'assignment';

const skipped = (text: string) => SKIP.some((s) => s.match.test(text.replaceAll(EXAMPLE_JOB, '<job>')));

function kindOf(text: string): Kind | undefined {
  if (text === 'npm run demo') return 'demo';
  if (text === 'npx batchline serve') return 'serve';
  if (isAssignment(text)) return 'assignment';
  if (/^npx batchline /.test(text)) return 'cli';
  if (/^curl /.test(text)) return 'curl';
  return undefined;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sh(script: string, options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<Ran> {
  const child = spawn('sh', ['-c', script], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  return childOutput(child, `sh -c ${script}`, { timeoutMs: options.timeoutMs ?? 60_000 });
}

/** The README's text of a command, made runnable here (see the header). */
function runnable(text: string, jobId: string | undefined, port: number | undefined): string {
  let script = text.replace(/^npx batchline /, `node ${JSON.stringify(BIN)} `);
  if (jobId) script = script.replaceAll(EXAMPLE_JOB, jobId);
  if (port !== undefined) script = script.replace(/(localhost|127\.0\.0\.1):8080/g, `127.0.0.1:${port}`);
  return script;
}

async function waitReady(url: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error(`batchline serve exited with ${server.exitCode}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('batchline serve did not become ready in 30 s');
}

test('every command of the README either is skipped for a stated reason or knows how it runs', () => {
  const commands = readmeCommands(README);
  assert.ok(commands.length > 20, `found ${commands.length} commands`);
  const unclassified = commands.filter((c) => !skipped(c.text) && kindOf(c.text) === undefined).map((c) => c.text);
  assert.deepEqual(unclassified, [], 'add a way to run these, or a SKIP entry with the reason');
  // The skips stay honest: each one is still used.
  for (const skip of SKIP) assert.ok(commands.some((c) => skip.match.test(c.text.replaceAll(EXAMPLE_JOB, '<job>'))), `SKIP ${skip.match} matches no README command any more`);
});

test('the README commands that can run offline exit 0, and its sample output matches a real run', { timeout: 120_000 }, async (t) => {
  const commands = readmeCommands(README).filter((c) => !skipped(c.text));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-readme-'));
  fs.cpSync(path.join(ROOT, 'examples', 'reviews-google-play.csv'), path.join(work, 'examples', 'reviews-google-play.csv'));
  const db = await createTestDatabase();
  const demoDb = await createTestDatabase();
  const demoFiles = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-readme-demo-'));
  const hasCurl = (await sh('command -v curl', { cwd: work, env: { PATH: process.env.PATH ?? '' } })).code === 0;
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    BATCHLINE_DATA_DIR: db.dataDir,
    BATCHLINE_LOG_LEVEL: 'warn',
    BATCHLINE_SIMULATOR_PROCESSING_MS: '200',
    BATCHLINE_SWEEP_INTERVAL_MS: '100',
    ...(db.url ? { DATABASE_URL: db.url } : {}),
  };
  const serveCommand = commands.find((c) => kindOf(c.text) === 'serve');
  assert.ok(serveCommand, 'the README shows npx batchline serve');
  let server: ChildProcess | undefined;
  let port: number | undefined;
  let jobId: string | undefined;
  const failures: string[] = [];
  const ran: string[] = [];
  let serverLog = '';
  const startServer = async (text: string) => {
    port = await freePort();
    server = spawn('sh', ['-c', `exec ${runnable(text, jobId, port)}`], { cwd: work, env: { ...base, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
    server.stderr?.on('data', (chunk: Buffer) => (serverLog = (serverLog + chunk.toString()).slice(-4000)));
    await waitReady(`http://127.0.0.1:${port}`, server).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${serverLog}`);
    });
    ran.push(text);
  };
  let demo: Promise<Ran> | undefined;
  try {
    // The demo is independent of the rest: it runs alongside the commands that use the server (its own data,
    // its file sink in a folder of its own), once the run example has had the machine to itself.
    const startDemo = () =>
      commands.some((c) => kindOf(c.text) === 'demo')
        ? sh('npm run demo', {
            cwd: ROOT,
            env: { PATH: base.PATH as string, HOME: base.HOME as string, npm_config_update_notifier: 'false', BATCHLINE_DATA_DIR: demoDb.dataDir, BATCHLINE_FILE_ROOTS: demoFiles, ...(demoDb.url ? { DATABASE_URL: demoDb.url } : {}) },
          })
        : undefined;

    for (const command of commands) {
      const kind = kindOf(command.text) as Kind;
      if (kind === 'demo' || kind === 'assignment') continue;
      if (kind === 'serve') {
        if (server === undefined) await startServer(command.text);
        continue;
      }
      if (kind === 'curl' && !hasCurl) {
        t.diagnostic(`no curl on this machine: not run: ${command.text}`);
        continue;
      }
      if (kind === 'curl' && port === undefined) {
        failures.push(`${command.text}\n  needs the server, which the README starts (npx batchline serve) only after it`);
        continue;
      }
      const strict = kind === 'curl' ? 'curl() { command curl --fail-with-body "$@"; }\n' : '';
      const script = `${strict}${command.setup.map((s) => `${runnable(s, jobId, port)}\n`).join('')}${runnable(command.text, jobId, port)}`;
      const env = port !== undefined && kind === 'cli' ? { ...base, BATCHLINE_URL: `http://127.0.0.1:${port}` } : base;
      const started = Date.now();
      const result = await sh(script, { cwd: work, env });
      ran.push(`${command.text.slice(0, 60)}… ${Date.now() - started} ms`);
      if (result.code !== 0) failures.push(`${command.text}\n  exit ${result.code}\n  stdout: ${result.stdout.slice(-800)}\n  stderr: ${result.stderr.slice(-800)}`);

      // The README's run example: its sample output is that of a real run.
      const created = /^job (job_\w+) created: /m.exec(result.stdout)?.[1];
      if (kind === 'cli' && created && jobId === undefined) {
        jobId = created;
        const sample = /completed: (\d+) items, (\d+) succeeded, (\d+) failed/.exec(README)?.slice(1);
        const actual = /completed: (\d+) items, (\d+) succeeded, (\d+) failed/.exec(result.stdout)?.slice(1);
        assert.ok(sample, 'the README shows the summary line of its run example');
        assert.deepEqual(actual, sample, `the README's sample summary is that of a real run:\n${result.stdout}`);
        const sink = /--sink file:(\S+)/.exec(command.text)?.[1];
        if (sink) assert.equal(fs.readFileSync(path.join(work, sink), 'utf8').trim().split('\n').length, Number(sample[1]), 'one sink line per item');
        // The embedded server has stopped: serve takes over its data for the commands that follow.
        await startServer(serveCommand.text);
        demo = startDemo();
      }
    }

    demo ??= startDemo();
    if (demo) {
      const result = await demo;
      ran.push('npm run demo');
      if (result.code !== 0) failures.push(`npm run demo\n  exit ${result.code}\n  stdout: ${result.stdout.slice(-800)}\n  stderr: ${result.stderr.slice(-800)}`);
    }
    assert.deepEqual(failures, [], `README commands that failed:\n${failures.join('\n')}\nbatchline serve: ${serverLog}`);
    assert.ok(jobId, 'the README run example created a job');
    t.diagnostic(`ran ${ran.length} README commands: ${ran.join(' | ')}`);
  } finally {
    await demo;
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server?.once('exit', resolve));
    }
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(demoFiles, { recursive: true, force: true });
    await db.drop();
    await demoDb.drop();
  }
});
