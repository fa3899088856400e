// Issue #29, the high-severity finding: on the embedded default the data directory (./.batchline, holding the
// generated BATCHLINE_SECRET_KEY) lies inside the default file root, and a reviews source pointed at the key
// quoted it back in its 422. No plugin may read or write the data directory or a hidden file, through a link
// or not, and no error quotes a file's content.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let work: string;
let keyFile: string;
let key: string;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 50 });
  // The default layout: the working directory is the file root, and the data directory is ./.batchline in it.
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-work-')));
  fs.symlinkSync(db.dataDir, path.join(work, '.batchline'));
  service = await startTestService(db, sim.url, { BATCHLINE_FILE_ROOTS: work, BATCHLINE_DATA_DIR: path.join(work, '.batchline') });
  keyFile = path.join(db.dataDir, 'secret.key');
  key = fs.readFileSync(keyFile, 'utf8').trim();
  assert.ok(key.length >= 32, 'the service generated its development key');
});

after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** No run of 8 characters of the key, in any form it could be quoted in, appears in `text`. */
function assertNoKeyIn(text: string, what: string): void {
  const forms = [key, Buffer.from(key, 'base64').toString('hex'), JSON.stringify(key).slice(1, -1)];
  for (const form of forms) {
    for (let i = 0; i + 8 <= form.length; i++) assert.ok(!text.includes(form.slice(i, i + 8)), `${what} holds part of the secret key: ${text.slice(0, 300)}`);
  }
}

async function createJob(source: unknown, sinks: unknown[] = []): Promise<{ status: number; text: string }> {
  const res = await postJson(`${service.url}/v1/jobs`, { source, task: 'review-insights', sinks });
  return { status: res.status, text: await res.text() };
}

test('the generated secret key cannot be read through the reviews source, by any path to it', async () => {
  fs.mkdirSync(path.join(work, 'exports'), { recursive: true });
  fs.symlinkSync(path.join(work, '.batchline', 'secret.key'), path.join(work, 'exports', 'key.csv'));
  fs.symlinkSync(db.dataDir, path.join(work, 'state'));
  const attempts = [
    { path: '.batchline/secret.key', columns: { text: 'body' } },
    { path: '.batchline/secret.key', format: 'jsonl', columns: { text: 'body' } },
    { path: path.join(work, '.batchline', 'secret.key'), format: 'csv', columns: { text: 'body' } },
    { path: 'exports/key.csv', columns: { text: 'body' } },
    { path: 'state/secret.key', columns: { text: 'body' } },
    { path: '.batchline/../.batchline/secret.key', preset: 'google-play' },
  ];
  for (const config of attempts) {
    const { status, text } = await createJob({ plugin: 'reviews', config });
    assert.equal(status, 422, `${JSON.stringify(config)}: ${text}`);
    assert.match(text, /source\.config\.path/, 'refused for its path, before anything is read');
    assertNoKeyIn(text, JSON.stringify(config));
  }
});

test('an ordinary file named wrongly gets the column it lacked named, not its header quoted', async () => {
  fs.writeFileSync(path.join(work, 'private.csv'), 'sk-ant-very-private-header,other\nx,y\n');
  const { status, text } = await createJob({ plugin: 'reviews', config: { path: 'private.csv', columns: { text: 'body' } } });
  assert.equal(status, 422);
  assert.match(text, /column \\?"body\\?" is not in the file's header \(2 columns/);
  assert.ok(!text.includes('sk-ant-very-private-header'), text);
});

test('an invoices folder walked from the root neither reads the data directory nor follows a link into it', async () => {
  fs.mkdirSync(path.join(work, 'invoices'));
  fs.writeFileSync(path.join(work, 'invoices', 'inv-1.txt'), 'Invoice 1 total 10 EUR');
  fs.symlinkSync(path.join(work, '.batchline', 'secret.key'), path.join(work, 'invoices', 'inv-2.txt'));
  const created = await createJob({ plugin: 'invoices', config: { path: 'invoices' } });
  assert.equal(created.status, 201, created.text);
  const { id } = JSON.parse(created.text) as { id: string };
  await waitForJob(service.url, id, 30_000);
  const results = await (await fetch(`${service.url}/v1/jobs/${id}/results`, { headers: { accept: 'application/x-ndjson' } })).text();
  assertNoKeyIn(results, 'the results');
  assert.match(results, /inv-2\.txt: is a link to a place that .*, so it was not read/);
});

test('a file sink aimed at the key never touches it', async () => {
  const before = fs.readFileSync(keyFile);
  const created = await createJob({ plugin: 'reviews', config: { path: 'reviews.csv' } }, [{ plugin: 'file', config: { path: '.batchline/secret.key' } }]);
  // The source file does not exist: the job is refused before anything runs; make one that runs.
  assert.equal(created.status, 422);
  fs.writeFileSync(path.join(work, 'reviews.jsonl'), '{"id":"r1","text":"fine"}\n');
  const run = await createJob({ plugin: 'reviews', config: { path: 'reviews.jsonl' } }, [{ plugin: 'file', config: { path: '.batchline/secret.key' } }, { plugin: 'file', config: { path: 'state/secret.key' } }]);
  assert.ok(run.status === 201 || run.status === 422, run.text);
  if (run.status === 201) await waitForJob(service.url, (JSON.parse(run.text) as { id: string }).id, 30_000);
  assertNoKeyIn(run.text, 'the answer');
  assert.deepEqual(fs.readFileSync(keyFile), before, 'the key is as it was');
});
