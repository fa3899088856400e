// `batchline compare` and `batchline promote` as users run them (node bin/batchline.js, non-TTY): arms as
// flags, the comparison table at the end checked against the API, exit codes as for run (0, 1, 2, 3).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { writeGooglePlayCsv } from '../plugins/reviews/fixtures.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { labeledReviews } from './fixtures/labeled-reviews.ts';
import { childOutput } from './helpers/child-output.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startTestService } from './helpers/service.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'batchline.js');

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let work: string;

before(async () => {
  db = await createTestDatabase();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-compare-'));
  sim = await startSimulator({ processingMs: 20, modelErrorRates: { 'claude-haiku-5-5': 0.25 } });
  service = await startTestService(db, sim.url, { BATCHLINE_FILE_ROOTS: work });
  const reviews = labeledReviews(60, 31);
  writeGooglePlayCsv(path.join(work, 'reviews.csv'), reviews.map((r) => ({ reviewId: r.id, text: r.text, rating: r.rating })));
  fs.writeFileSync(path.join(work, 'gold.csv'), `id,sentiment\n${reviews.map((r) => `${r.id},${r.sentiment}`).join('\n')}\n`);
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return childOutput(child, `batchline ${args.join(' ')}`, { timeoutMs: 90_000 });
}

const remote = () => ({ BATCHLINE_URL: service.url });
const SOURCE = ['--source', 'reviews', '--path', 'reviews.csv', '--preset', 'google-play', '--task', 'review-insights'];

test('compare against a server: arms as flags, a comparison table that matches the API, exit 0; promote follows the full job', async () => {
  const run = await cli(['compare', ...SOURCE, '--sample', '40', '--seed', '9', '--arm', 'opus:model=claude-opus-5-5', '--arm', 'haiku:model=claude-haiku-5-5', '--labels', 'gold.csv', '--name', 'cli-compare'], remote());
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const id = /^experiment (exp_\w+) created: 40 of 60 documents \(seed 9\), arms opus \(claude-opus-5-5\), haiku \(claude-haiku-5-5\)$/m.exec(run.stdout)?.[1];
  assert.ok(id, run.stdout);
  const experiment = (await (await fetch(`${service.url}/v1/experiments/${id}`)).json()) as {
    comparison: { accuracy: Array<{ arm: string; field: string; rate: number; interval: { low: number; high: number } }>; arms: Array<{ arm: string; cost: { per_1000_usd: number } }>; disagreements: { documents: number }; confusion: Array<{ field: string; counts: number[][] }> };
  };
  const out = run.stdout;
  assert.match(out, new RegExp(`^experiment ${id} completed: 40 of 60 documents \\(seed 9\\) · 2 arms · \\$`, 'm'));
  const haiku = experiment.comparison.accuracy.find((a) => a.arm === 'haiku' && a.field === 'sentiment');
  assert.ok(haiku);
  const shown = `${(haiku.rate * 100).toFixed(1)}% [${(haiku.interval.low * 100).toFixed(1)}–${(haiku.interval.high * 100).toFixed(1)}%]`;
  assert.match(out, new RegExp(`^  sentiment accuracy +100\\.0% \\[\\d+\\.\\d–100\\.0%\\] +${shown.replace(/[.[\]]/g, '\\$&')}$`, 'm'));
  assert.match(out, /^ {2}per 1,000 docs +\$\d+\.\d\d +\$\d+\.\d\d$/m);
  assert.match(out, /^ {2}all 60 docs /m);
  assert.match(out, /^ {2}sentiment: opus \(rows\) against haiku \(columns\)$/m);
  const matrixRow = experiment.comparison.confusion.find((m) => m.field === 'sentiment')?.counts[0] ?? [];
  assert.match(out, new RegExp(`^ {4}positive +${matrixRow.join(' +')}$`, 'm'));
  assert.match(out, new RegExp(`disagreements: ${experiment.comparison.disagreements.documents} documents`));
  assert.ok(!/\x1b\[/.test(out), 'no ANSI in a pipe');

  const promoted = await cli(['promote', id, 'opus', '--sink', 'file:out/full.jsonl'], remote());
  assert.equal(promoted.code, 0, `${promoted.stdout}\n${promoted.stderr}`);
  assert.match(promoted.stdout, new RegExp(`^job job_\\w+ created from arm opus of ${id} on the whole source; the sample's answers are reused$`, 'm'));
  assert.match(promoted.stdout, /completed: 60 items, 60 succeeded, 0 failed, .*40 answers from the result cache/);
  assert.equal(fs.readFileSync(path.join(work, 'out/full.jsonl'), 'utf8').trim().split('\n').length, 60);
});

test('usage errors exit 2 with one line; an API refusal exits 1 with one line naming the field; a budget pause exits 3', async () => {
  const oneArm = await cli(['compare', ...SOURCE, '--sample', '5', '--arm', 'model=claude-haiku-5-5'], remote());
  assert.equal(oneArm.code, 2);
  assert.match(oneArm.stderr, /^batchline: give at least two --arm \(got 1\); usage: batchline compare/);
  assert.equal(oneArm.stderr.trim().split('\n').length, 1);
  const badKey = await cli(['compare', ...SOURCE, '--sample', '5', '--arm', 'a:colour=red', '--arm', 'b'], remote());
  assert.equal(badKey.code, 2);
  assert.match(badKey.stderr, /unknown key "colour"; use model, max_tokens, prompt, system/);
  const tooBig = await cli(['compare', ...SOURCE, '--sample', '61', '--arm', 'a', '--arm', 'b:max_tokens=300'], remote());
  assert.equal(tooBig.code, 1);
  assert.equal(tooBig.stderr.trim(), 'batchline: Validation failed: sample.size: is 61, but the source holds 60 documents that can be sent [HTTP 422]');
  // --labels-column names a metadata column of the source: star ratings are no sentiments.
  const badLabels = await cli(['compare', ...SOURCE, '--sample', '5', '--arm', 'a', '--arm', 'b:max_tokens=300', '--labels-column', 'sentiment=rating'], remote());
  assert.equal(badLabels.code, 1);
  assert.match(badLabels.stderr, /^batchline: Validation failed: labels\.metadata\.sentiment: document "rev-\d+": [1-5] is not a valid sentiment; one of "positive", "negative", "neutral", "mixed" .*\[HTTP 422\]\n$/);
  const paused = await cli(['compare', ...SOURCE, '--sample', '20', '--seed', 'tight', '--arm', 'a:prompt=Rate it: {{text}}', '--arm', 'b:prompt=Judge it: {{text}}', '--max-usd', '0.001'], remote());
  assert.equal(paused.code, 3, `${paused.stdout}\n${paused.stderr}`);
  assert.match(paused.stdout, /awaiting_budget/);
  assert.match(paused.stdout, /paused: a \(job job_\w+\), b \(job job_\w+\) wait for budget/);
});
