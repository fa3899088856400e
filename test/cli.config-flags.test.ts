// `--config KEY=@FILE`, `@-`, `@@…` and `--unset` work in `batchline run` and `batchline compare` as they
// do in `batchline connections` (one reader: src/cli/config-values.ts), against a running service: a
// value read from a file or stdin is what the server gets, never the text "@file"; --unset leaves a field
// of the connection's config out of one job. Dry runs, so nothing is stored but the connection.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startTestService } from './helpers/service.ts';
import { runCli, type CliRun } from './helpers/cli.ts';

let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 50 });
  service = await startTestService(db, sim.url);
  // Reviews keyed "body" and "@text": only a --config mapping names them; no preset fits.
  fs.writeFileSync(path.join(db.dataDir, 'feed.jsonl'), ['{"id":"r1","body":"Great app, fast sync.","@text":"Great"}', '{"id":"r2","body":"Crashes on start.","@text":"Crashes"}'].join('\n') + '\n');
  fs.writeFileSync(path.join(db.dataDir, 'text-column.txt'), 'body\n');
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

type Run = CliRun;

const cli = (args: string[], stdin = ''): Promise<Run> => runCli(args, { env: { BATCHLINE_URL: service.url }, cwd: db.dataDir, stdin });

const DRY = ['--task', 'review-insights', '--dry-run'];
const itemsLine = (run: Run) => /^ {2}items\s+(.*)$/m.exec(run.stdout)?.[1];

test('run --config KEY=@FILE and KEY=@- send what the file or stdin holds', async () => {
  const fromFile = await cli(['run', '--source', 'reviews', '--path', 'feed.jsonl', '--config', 'format=jsonl', '--config', 'columns.id=id', '--config', 'columns.text=@text-column.txt', ...DRY]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.equal(itemsLine(fromFile), '2 to send in 1 batch');

  const fromStdin = await cli(['run', '--source', 'reviews', '--path', 'feed.jsonl', '-c', 'format=jsonl', '-c', 'columns.id=id', '-c', 'columns.text=@-', ...DRY], 'body\n');
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.equal(itemsLine(fromStdin), '2 to send in 1 batch');

  // @@ is a literal @: the column really named "@text".
  const literal = await cli(['run', '--source', 'reviews', '--path', 'feed.jsonl', '-c', 'format=jsonl', '-c', 'columns.id=id', '-c', 'columns.text=@@text', ...DRY]);
  assert.equal(literal.code, 0, literal.stderr);
  assert.equal(itemsLine(literal), '2 to send in 1 batch');

  const missing = await cli(['run', '--source', 'reviews', '--path', 'feed.jsonl', '-c', 'columns.text=@nope.txt', ...DRY]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'batchline: cannot read columns.text from nope.txt: ENOENT\n');
});

test('run --connection … --unset FIELD leaves that field of the connection out of the job', async () => {
  const created = await fetch(`${service.url}/v1/connections`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // A connection that reads the feed as CSV, which it is not: without `format`, the extension decides.
    body: JSON.stringify({ name: 'feed', plugin: 'reviews', config: { path: 'feed.jsonl', format: 'csv', columns: { id: 'id', text: 'body' } } }),
  });
  assert.equal(created.status, 201, await created.text());

  const asCsv = await cli(['run', '--connection', 'feed', ...DRY]);
  const asJsonl = await cli(['run', '--connection', 'feed', '--unset', 'format', ...DRY]);
  assert.equal(asJsonl.code, 0, asJsonl.stderr);
  assert.equal(itemsLine(asJsonl), '2 to send in 1 batch');
  // Read as CSV, the JSON lines have no "id" column: the connection's format made the difference.
  assert.equal(asCsv.code, 1);
  assert.match(asCsv.stderr, /source\.config\.columns\.id: column "id" is not in the file's header/);

  const noConnection = await cli(['run', '--source', 'reviews', '--path', 'feed.jsonl', '--unset', 'preset', ...DRY]);
  assert.equal(noConnection.code, 2);
  assert.match(noConnection.stderr, /^batchline: --unset removes a field of the connection's config for this job: it needs --connection/);
  const contradiction = await cli(['run', '--connection', 'feed', '--unset', 'format', '-c', 'format=jsonl', ...DRY]);
  assert.equal(contradiction.code, 2);
  assert.match(contradiction.stderr, /--unset format and --config format=… contradict each other/);
});

test('compare --config reads @FILE too, before anything is created', async () => {
  const missing = await cli(['compare', '--source', 'reviews', '--path', 'feed.jsonl', '-c', 'columns.text=@nope.txt', '--task', 'review-insights', '--sample', '1', '--arm', 'a', '--arm', 'b']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'batchline: cannot read columns.text from nope.txt: ENOENT\n');
  const experiment = await cli(['compare', '--source', 'reviews', '--path', 'feed.jsonl', '-c', 'format=jsonl', '-c', 'columns.id=id', '-c', 'columns.text=@text-column.txt', '--task', 'review-insights', '--sample', '2', '--seed', '7', '--arm', 'a', '--arm', 'b', '--detach']);
  assert.equal(experiment.code, 0, experiment.stderr);
  const id = experiment.stdout.trim();
  const answer = (await (await fetch(`${service.url}/v1/experiments/${id}`)).json()) as { sample: { size: number }; population: { documents: number } };
  assert.deepEqual([answer.sample.size, answer.population.documents], [2, 2], 'the feed was read with the column from the file');
});
