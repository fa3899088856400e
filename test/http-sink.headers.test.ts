// Issue 29: the http sink's `headers` hold credentials (`authorization`), so they are a secret field:
// sealed at rest in the connection and in the job's copy, never returned by the API or the CLI, and still
// sent with every delivery. A connection saved before, with its headers in clear, keeps working and is
// sealed by its next PATCH.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { main } from '../src/cli/main.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startReceiver, type Receiver } from './helpers/receiver.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let receiver: Receiver;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 50 });
  service = await startTestService(db, sim.url);
  receiver = await startReceiver();
});
after(async () => {
  await receiver.close();
  await service.close();
  await sim.close();
  await db.drop();
});

const row = (name: string) => service.database.db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

async function deliverThrough(connection: string, id: string): Promise<void> {
  const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id, text: 'Arrived broken.' }], sinks: [{ connection }] });
  assert.equal(res.status, 201, await res.clone().text());
  const job = await waitForJob(service.url, ((await res.json()) as { id: string }).id);
  assert.equal(job.deliveries.delivered, 1, JSON.stringify(job));
}

/** What the API and the CLI show of the connections: everything a client can read back. */
async function everythingShown(name: string): Promise<string> {
  let cliOut = '';
  const out = { write: (chunk: string | Uint8Array) => ((cliOut += String(chunk)), true), isTTY: false } as unknown as NodeJS.WriteStream;
  for (const args of [['connections', 'list', '--json'], ['connections', 'show', name, '--json'], ['connections', 'show', name]]) {
    const code = await main(args, { env: { BATCHLINE_URL: service.url }, cwd: db.dataDir, stdout: out, stderr: out, stdin: Readable.from([]) });
    assert.equal(code, 0, cliOut);
  }
  const api = await Promise.all([`/v1/connections`, `/v1/connections/${name}`].map(async (p) => (await fetch(`${service.url}${p}`)).text()));
  return [...api, cliOut].join('\n');
}

test('http sink headers are sealed and write-only: not in GET /v1/connections, the CLI or the table row, and every delivery still carries them', async () => {
  const created = await postJson(`${service.url}/v1/connections`, { name: 'hook-auth', plugin: 'http', config: { url: receiver.url, headers: { authorization: 'Bearer s3cret' } } });
  const text = await created.text();
  assert.equal(created.status, 201, text);
  assert.ok(!text.includes('s3cret'), 'not echoed by the create');
  assert.deepEqual((JSON.parse(text) as { secret_fields_set: string[] }).secret_fields_set, ['headers']);

  const shown = await everythingShown('hook-auth');
  assert.ok(shown.includes('hook-auth') && shown.includes('headers'), 'the connection is listed, and says headers are set');
  assert.ok(!shown.includes('s3cret'), 'the header value is never shown');
  const stored = await row('hook-auth');
  assert.equal(stored.config.headers, undefined);
  assert.ok(stored.secrets && !JSON.stringify(stored).includes('s3cret'), 'sealed in the table row');

  receiver.requests.length = 0;
  await deliverThrough('hook-auth', 'r1');
  assert.ok(receiver.requests.length > 0 && receiver.requests.every((r) => r.headers.authorization === 'Bearer s3cret'));
  const jobs = await service.database.db.selectFrom('jobs').select('sinks').execute();
  assert.ok(!JSON.stringify(jobs).includes('s3cret'), "sealed in the job's copy too");

  // GET /v1/plugins marks them write-only, so forms mask them.
  const plugins = (await (await fetch(`${service.url}/v1/plugins`)).json()) as { data: Array<{ name: string; kind: string; secret_fields: string[] }> };
  assert.deepEqual(plugins.data.find((p) => p.name === 'http' && p.kind === 'sink')?.secret_fields, ['secret', 'headers']);
});

test('a connection saved with its headers in clear (before they were secret) still delivers them, never shows them, and its next PATCH seals them', async () => {
  // As an older version stored it: the parsed config, headers included, in clear; nothing sealed.
  await service.database.db
    .insertInto('connections')
    .values({ name: 'hook-legacy', plugin: 'http', kind: 'sink', config: JSON.stringify({ url: receiver.url, headers: { authorization: 'Bearer legacy-s3cret' }, batch_size: 100, timeout_ms: 15_000 }), secrets: null })
    .execute();
  const shown = await everythingShown('hook-legacy');
  assert.ok(!shown.includes('legacy-s3cret'));
  const view = (await (await fetch(`${service.url}/v1/connections/hook-legacy`)).json()) as { secret_fields_set: string[] };
  assert.deepEqual(view.secret_fields_set, ['headers']);

  receiver.requests.length = 0;
  await deliverThrough('hook-legacy', 'l1');
  assert.ok(receiver.requests.length > 0 && receiver.requests.every((r) => r.headers.authorization === 'Bearer legacy-s3cret'));
  const redirect = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'l2', text: 'x' }], sinks: [{ connection: 'hook-legacy', config: { url: 'https://elsewhere.example/in' } }] });
  assert.equal(redirect.status, 422, 'its headers in clear pin its url all the same');

  const sealed = await fetch(`${service.url}/v1/connections/hook-legacy`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: '{"config":{}}' });
  assert.equal(sealed.status, 200);
  const stored = await row('hook-legacy');
  assert.ok(stored.config.headers === undefined && stored.secrets && !JSON.stringify(stored).includes('legacy-s3cret'), 'sealed by the patch');
  receiver.requests.length = 0;
  await deliverThrough('hook-legacy', 'l3');
  assert.ok(receiver.requests.length > 0 && receiver.requests.every((r) => r.headers.authorization === 'Bearer legacy-s3cret'));
});
