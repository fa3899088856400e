// The `batchline` command as users run it: `node bin/batchline.js …` in a child process, non-TTY.
// (a) run on a Google Play export with an embedded server; (b) every command against a running service
// (bearer token, --job file, status, results, cancel, plugins, Ctrl-C); (c) usage and connection errors
// as one line with exit codes 2 and 1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { writeGooglePlayCsv } from '../plugins/reviews/fixtures.ts';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { childOutput } from './helpers/child-output.ts';
import { createTestDatabase } from './helpers/database.ts';
import { freePort } from './helpers/ports.ts';
import { startTestService, testEnv, waitForJob } from './helpers/service.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'batchline.js');
const ANSI = /\x1b\[/;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Called with each stdout chunk (and the child), e.g. to interrupt it once progress shows. */
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
}

function cli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    // A clean environment: no ANTHROPIC_API_KEY, BATCHLINE_URL or DATABASE_URL leaks in from the runner.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return childOutput(child, `batchline ${args.join(' ')}`, { timeoutMs: 60_000, onStdout: (text) => options.onStdout?.(text, child) });
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

const reviews = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ reviewId: `gp:AOqpTO${String(i).padStart(4, '0')}`, rating: (i % 5) + 1, text: `Review ${i}: the app works, mostly` }));

test('run with an embedded server: progress lines, a summary with the right counts, exit 0, one sink line per review', async () => {
  const db = await createTestDatabase();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-cli-'));
  try {
    writeGooglePlayCsv(path.join(work, 'reviews.csv'), reviews(30));
    // The fast test settings, but no BATCHLINE_FILE_ROOTS: the embedded server must allow what the flags name.
    const { BATCHLINE_FILE_ROOTS: _roots, ...env } = testEnv(db);
    const run = await cli(['run', '--source', 'reviews', '--path', 'reviews.csv', '--preset', 'google-play', '--task', 'review-insights', '--sink', 'file:out/results.jsonl', '--name', 'cli embedded'], { cwd: work, env });

    assert.equal(run.code, 0, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    assert.ok(!ANSI.test(run.stdout), 'no ANSI when stdout is not a TTY');
    const out = lines(run.stdout);
    const id = /^job (job_\w+) created: review-insights/.exec(out[0] ?? '')?.[1];
    assert.ok(id, out[0]);
    const progress = out.slice(1, -1);
    assert.ok(progress.length >= 2, `progress lines:\n${progress.join('\n')}`);
    for (const line of progress) assert.match(line, /^ *\d+\.\ds {2}(pending|ingesting|running|completed)\b.* · \d+\/\d+ done \(\d+%\) · \d+ succeeded · \d+ failed/);
    assert.equal(new Set(progress.map((l) => l.replace(/^ *[\d.]+s/, ''))).size, progress.length, 'one line per change, never a repeat');
    assert.match(progress.at(-1) ?? '', /completed · 30\/30 done \(100%\) · 30 succeeded · 0 failed · batches 1\/1/);
    assert.match(out.at(-1) ?? '', new RegExp(`^job ${id} completed: 30 items, 30 succeeded, 0 failed, \\$[\\d.]+ \\(saved \\$[\\d.]+ vs standard \\$[\\d.]+: batch discount \\$[\\d.]+, prompt cache \\$[\\d.]+, result cache \\$[\\d.]+; estimated \\$[\\d.]+\\) in \\d+\\.\\ds$`));

    assert.equal(lines(run.stderr).length, 1, run.stderr);
    assert.match(run.stderr, /^batchline: no BATCHLINE_URL, so an embedded server runs for this command \((PGlite in .*|Postgres at DATABASE_URL); the built-in batch simulator/);
    const written = lines(fs.readFileSync(path.join(work, 'out', 'results.jsonl'), 'utf8')).map((l) => JSON.parse(l) as { external_id: string; status: string });
    assert.equal(written.length, 30);
    assert.deepEqual(new Set(written.map((r) => r.external_id)), new Set(reviews(30).map((r) => r.reviewId)));
    assert.ok(written.every((r) => r.status === 'succeeded'));
    assert.ok(fs.existsSync(path.join(db.dataDir, 'batchline.log')), 'the embedded server logs to a file in the data dir');
    assert.ok(!fs.existsSync(path.join(db.dataDir, 'batchline.lock')), 'the data dir is unlocked at the end');

    // The job was kept: a later command, with its own embedded server, finds it.
    const status = await cli(['status', id, '--json'], { cwd: work, env });
    assert.equal(status.code, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { status: string }).status, 'completed');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await db.drop();
  }
});

test('against a running service: run --job, status, results, cancel, plugins, Ctrl-C, problems', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 100 });
  const token = 'cli-test-token-0123456789abcdef012345';
  const service = await startTestService(db, sim.url, { BATCHLINE_API_KEYS: token, BATCHLINE_SWEEP_INTERVAL_MS: '100' });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-cli-'));
  const env = { BATCHLINE_URL: service.url, BATCHLINE_TOKEN: token };
  try {
    // Paths in a job file are the server's: relative to its file root (the test data dir).
    writeGooglePlayCsv(path.join(db.dataDir, 'remote.csv'), reviews(20));
    const body = { name: 'cli remote', task: 'review-insights', source: { plugin: 'reviews', config: { path: 'remote.csv', preset: 'google-play' } }, sinks: [{ plugin: 'file', config: { path: 'remote-out.jsonl' } }] };
    fs.writeFileSync(path.join(work, 'job.json'), JSON.stringify(body));

    const run = await cli(['run', '--job', 'job.json'], { cwd: work, env });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal(run.stderr, '', 'nothing on stderr: no embedded server');
    const id = /^job (job_\w+) created/.exec(run.stdout)?.[1] ?? '';
    assert.match(lines(run.stdout).at(-1) ?? '', new RegExp(`^job ${id} completed: 20 items, 20 succeeded, 0 failed, \\$`));
    assert.equal(lines(fs.readFileSync(path.join(db.dataDir, 'remote-out.jsonl'), 'utf8')).length, 20);

    const [status, statusJson, toFile, toStdout, failedOnly, plugins, pluginsJson] = await Promise.all([
      cli(['status', id], { cwd: work, env }),
      cli(['status', id, '--json'], { cwd: work, env }),
      cli(['results', id, '--out', 'res/results.jsonl'], { cwd: work, env }),
      cli(['results', id], { cwd: work, env }),
      cli(['results', id, '--status', 'failed'], { cwd: work, env }),
      cli(['plugins'], { cwd: work, env }),
      cli(['plugins', 'reviews', '--json'], { cwd: work, env }),
    ]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`^job ${id} {2}"cli remote"\\n {2}status +completed\\n`));
    assert.match(status.stdout, /items +20 total · 20 done \(100%\) · 20 succeeded · 0 failed/);
    assert.match(status.stdout, /batches +1: 1 collected/);
    assert.match(status.stdout, /cost +\$[\d.]+ \(standard \$[\d.]+, saved \$[\d.]+\)/);
    assert.match(status.stdout, /deliveries 20 delivered · 0 pending · 0 dead/);
    assert.equal((JSON.parse(statusJson.stdout) as { counts: { succeeded: number } }).counts.succeeded, 20);

    assert.equal(toFile.code, 0, toFile.stderr);
    assert.equal(toFile.stdout, '');
    assert.equal(toFile.stderr, 'batchline: wrote 20 results to res/results.jsonl\n');
    const saved = lines(fs.readFileSync(path.join(work, 'res', 'results.jsonl'), 'utf8')).map((l) => JSON.parse(l) as { job_id: string; status: string; output: unknown });
    assert.equal(saved.length, 20);
    assert.ok(saved.every((r) => r.job_id === id && r.status === 'succeeded' && r.output !== null));
    assert.ok(!fs.existsSync(path.join(work, 'res', 'results.jsonl.partial')));
    assert.equal(toStdout.code, 0);
    assert.equal(lines(toStdout.stdout).length, 20);
    assert.deepEqual(lines(toStdout.stdout).map((l) => (JSON.parse(l) as { item_id: string }).item_id), saved.map((r) => (r as unknown as { item_id: string }).item_id));
    assert.equal(failedOnly.code, 0);
    assert.equal(failedOnly.stdout, '');

    assert.equal(plugins.code, 0, plugins.stderr);
    assert.match(plugins.stdout, /^Sources/);
    assert.match(plugins.stdout, /\n {2}reviews — Reviews from an export file/);
    assert.match(plugins.stdout, /\n {6}path +string +\(required\) The export file/);
    assert.match(plugins.stdout, /\n {6}preset +google-play\|app-store\|trustpilot\|amazon\|yelp/);
    assert.match(plugins.stdout, /\n {6}columns\.text +string/);
    assert.match(plugins.stdout, /\nSinks/);
    assert.match(plugins.stdout, /\n {2}http — .*\n(?: {6}.*\n)* {6}secret +string +\(secret\)/);
    assert.deepEqual((JSON.parse(pluginsJson.stdout) as { data: Array<{ name: string }> }).data.map((p) => p.name), ['reviews']);

    // Cancel: a job whose batch will not end by itself.
    sim.setProcessingMs(600_000);
    const detached = await cli(['run', '--job', 'job.json', '--name', 'to cancel', '--detach'], { cwd: work, env });
    assert.equal(detached.code, 0, detached.stderr);
    const toCancel = detached.stdout.trim();
    assert.match(toCancel, /^job_\w+$/, 'detach prints just the id');
    const cancel = await cli(['cancel', toCancel, '--wait'], { cwd: work, env });
    assert.equal(cancel.code, 0, `${cancel.stdout}\n${cancel.stderr}`);
    assert.match(lines(cancel.stdout)[0] ?? '', new RegExp(`^job ${toCancel}: cancel requested \\(`));
    assert.match(lines(cancel.stdout).at(-1) ?? '', new RegExp(`^job ${toCancel} canceled: 20 items, 0 succeeded, 0 failed, 20 canceled`));
    const again = await cli(['cancel', toCancel], { cwd: work, env });
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `batchline: Conflict: job ${toCancel} is already canceled [HTTP 409]\n`);

    // Delete: the job and its provider batch go; a second delete is a 404.
    const deleted = await cli(['delete', toCancel, '--wait'], { cwd: work, env });
    assert.equal(deleted.code, 0, `${deleted.stdout}\n${deleted.stderr}`);
    assert.match(lines(deleted.stdout)[0] ?? '', new RegExp(`^job ${toCancel}: deleting \\(20 items; `));
    assert.equal(lines(deleted.stdout).at(-1), `job ${toCancel} deleted`);
    assert.equal((await fetch(`${service.url}/v1/jobs/${toCancel}`, { headers: { authorization: `Bearer ${token}` } })).status, 404);
    const deletedAgain = await cli(['delete', toCancel], { cwd: work, env });
    assert.equal(deletedAgain.code, 1);
    assert.match(deletedAgain.stderr, new RegExp(`^batchline: Not found: job ${toCancel} does not exist \\[HTTP 404\\]\n$`));

    // Ctrl-C stops following, not the job; `status --follow` picks it up again.
    let interrupted = false;
    const followed = await cli(['run', '--job', 'job.json', '--name', 'interrupted'], {
      cwd: work,
      env,
      onStdout: (text, child) => {
        if (!interrupted && /running · /.test(text)) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(followed.code, 130, `${followed.stdout}\n${followed.stderr}`);
    const runningId = /^job (job_\w+) created/.exec(followed.stdout)?.[1] ?? '';
    assert.equal(followed.stderr, `batchline: stopped following job ${runningId}; it goes on on the server. Follow it again with: batchline status ${runningId} --follow\n`);
    assert.equal(((await (await fetch(`${service.url}/v1/jobs/${runningId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string }).status, 'running');
    sim.setProcessingMs(100);
    const resumed = await cli(['status', runningId, '--follow'], { cwd: work, env });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(lines(resumed.stdout).at(-1) ?? '', new RegExp(`^job ${runningId} completed: 20 items, 20 succeeded, 0 failed`));
    await waitForJob(service.url, runningId, 10_000, { authorization: `Bearer ${token}` });

    // API problems: one line with title, detail and field; exit 1; the token never shown.
    const [missing, badPath, badToken] = await Promise.all([
      cli(['status', 'job_doesnotexist'], { cwd: work, env }),
      cli(['run', '--source', 'reviews', '--path', 'nope.csv', '--preset', 'google-play', '--task', 'review-insights', '--config', 'format=csv'], { cwd: work, env }),
      cli(['plugins'], { cwd: work, env: { ...env, BATCHLINE_TOKEN: 'wrong-token-value' } }),
    ]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'batchline: Not found: job job_doesnotexist does not exist [HTTP 404]\n');
    assert.equal(badPath.code, 1);
    assert.equal(lines(badPath.stderr).length, 1, badPath.stderr);
    assert.match(badPath.stderr, /^batchline: Validation failed: source\.config\.path: .*\[HTTP 422\]\n$/);
    assert.equal(badToken.code, 1);
    assert.match(badToken.stderr, /^batchline: Unauthorized: a valid bearer token is required \[HTTP 401\] — set BATCHLINE_TOKEN/);
    assert.ok(!badToken.stderr.includes('wrong-token-value') && !run.stdout.includes(token));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('usage errors exit 2 with one line; an unreachable BATCHLINE_URL exits 1 with one line naming it', async () => {
  const port = await freePort();
  const cases: Array<[string[], RegExp]> = [
    [[], /^batchline: missing command; usage: batchline <run\|status/],
    [['frobnicate'], /^batchline: unknown command "frobnicate"; usage: /],
    [['--wat'], /^batchline: unknown option --wat; usage: /],
    [['run', '--bogus'], /^batchline: unknown option --bogus; usage: batchline run /],
    [['run', '--source', 'reviews', '--path', 'r.csv'], /^batchline: missing --task .*; usage: batchline run /],
    [['run', '--task', 'review-insights', '--source', 'reviews', '--sink', 'ftp:somewhere'], /^batchline: --sink must be file:PATH, http:URL or connection:NAME, got "ftp:somewhere"; usage: /],
    [['run', '--task', 'review-insights', '--source', 'reviews', '--config', 'novalue'], /^batchline: --config needs key=value, got "novalue"; usage: /],
    [['run', '--job', 'job.json', '--path', 'x.csv'], /^batchline: --path cannot be combined with --job/],
    [['status'], /^batchline: missing <job>; usage: batchline status <job>/],
    [['results', 'job_a', 'job_b'], /^batchline: unexpected argument "job_b"; usage: batchline results/],
    [['results', 'job_a', '--status', 'maybe'], /^batchline: --status must be one of succeeded, failed, canceled, got "maybe"/],
    [['results', 'job_a', '--out'], /^batchline: --out needs a value; usage: batchline results/],
    [['cancel'], /^batchline: missing <job>; usage: batchline cancel/],
    [['serve', '--port', 'eighty'], /^batchline: --port must be a port number/],
  ];
  const unreachableUrl = `http://127.0.0.1:${port}`;
  const [runs, unreachable, badUrl, help, runHelp, version] = await Promise.all([
    Promise.all(cases.map(([args]) => cli(args, { env: { BATCHLINE_URL: unreachableUrl } }))),
    cli(['status', 'job_x'], { env: { BATCHLINE_URL: unreachableUrl } }),
    cli(['plugins'], { env: { BATCHLINE_URL: 'not a url' } }),
    cli(['--help']),
    cli(['run', '--help']),
    cli(['--version']),
  ]);
  runs.forEach((run, i) => {
    const [args, expected] = cases[i] ?? [[], /$/];
    assert.equal(run.code, 2, `batchline ${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stdout, '');
    assert.equal(lines(run.stderr).length, 1, run.stderr);
    assert.match(run.stderr, expected);
    assert.ok(!/\n\s+at /.test(run.stderr), 'no stack trace');
  });
  assert.equal(unreachable.code, 1);
  assert.equal(unreachable.stderr, `batchline: cannot reach the Batchline server at ${unreachableUrl} (BATCHLINE_URL): ECONNREFUSED\n`);
  assert.equal(badUrl.code, 1);
  assert.equal(badUrl.stderr, 'batchline: invalid environment variable BATCHLINE_URL: must be a URL\n');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /batchline run --job job\.json/);
  assert.match(help.stdout, /BATCHLINE_TOKEN/);
  assert.equal(runHelp.code, 0);
  assert.match(runHelp.stdout, /--sink SPEC +file:PATH \| http:URL \| connection:NAME/);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
  assert.equal(version.stdout, `batchline ${pkg.version}\n`);
  assert.equal(pkg.bin.batchline, 'bin/batchline.js');
});

test('cost flags: --dry-run prints the estimate and creates nothing; a budget pauses the run (exit 3) and resume finishes it', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 30 });
  const service = await startTestService(db, sim.url);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-cli-cost-'));
  try {
    // Inside the service's BATCHLINE_FILE_ROOTS (its data directory).
    writeGooglePlayCsv(path.join(db.dataDir, 'reviews.csv'), reviews(40));
    const env = { BATCHLINE_URL: service.url };
    const source = ['--source', 'reviews', '--path', path.join(db.dataDir, 'reviews.csv'), '--preset', 'google-play', '--task', 'review-insights', '--max-tokens', '200'];
    const dry = await cli(['run', ...source, '--dry-run', '--max-usd', '5'], { env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^dry run of review-insights on claude-haiku-5-5: nothing was stored or sent$/m);
    assert.match(dry.stdout, /items +40 to send in 1 batch/);
    assert.match(dry.stdout, /input +[\d,]+ tokens ± [\d,]+ \(95%; 40 requests counted exactly/);
    assert.match(dry.stdout, /cost +\$[\d.]+ at batch price · \$[\d.]+ at standard price · \$[\d.]+ at worst/);
    assert.match(dry.stdout, /budget +\$5\.00: fits even at worst/);
    assert.equal(sim.stats().creates, 0);

    const bad = await cli(['run', ...source, '--pilot', 'ten'], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--pilot must be ITEMS or ITEMS:RATE/);

    const paused = await cli(['run', ...source, '--max-usd', '0.001'], { env });
    assert.equal(paused.code, 3, `stdout:\n${paused.stdout}\nstderr:\n${paused.stderr}`);
    const id = /^job (job_\w+) created/.exec(paused.stdout)?.[1];
    assert.ok(id);
    assert.match(paused.stdout, new RegExp(`^job ${id} awaiting_budget: 40 items`, 'm'));
    assert.match(paused.stdout, /the next request may cost up to/);
    assert.match(paused.stdout, new RegExp(`batchline resume ${id} --max-usd <USD>`));

    const status = await cli(['status', id], { env });
    assert.match(status.stdout, /budget +\$0\.001: \$[\d.]+ spent, \$[\d.]+ reserved, \$[\d.]+ left/);
    assert.match(status.stdout, /paused +spent/);

    const resumed = await cli(['resume', id, '--max-usd', '10', '--wait'], { env });
    assert.equal(resumed.code, 0, `stdout:\n${resumed.stdout}\nstderr:\n${resumed.stderr}`);
    assert.match(lines(resumed.stdout).at(-1) ?? '', new RegExp(`^job ${id} completed: 40 items, 40 succeeded`));
    assert.equal(sim.stats().requestsSubmitted, 40);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
