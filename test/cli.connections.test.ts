// The CLI side of issues 16 and 19, run in-process against a running service: `connections` create and
// update with secrets read from a file or stdin (never echoed; a literal one is warned about), `zendesk
// setup` end to end (connection, printed webhook and trigger, the stream job writing back), and
// `secrets reseal`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { signZendeskWebhook } from '../plugins/zendesk-source/webhook.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { startFakeZendesk, type FakeZendesk, type Ticket } from './fakes/zendesk.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { waitForJob } from './helpers/service.ts';
import { startTestService } from './helpers/service.ts';
import { runCli, type CliRun } from './helpers/cli.ts';
import { waitFor } from './helpers/wait-for.ts';

const EMAIL = 'ops@acme.example';
const TOKEN = 'zd-cli-token-FIRST-7a1';
const ROTATED = 'zd-cli-token-SECOND-9b2';
const SIGNING = 'Y2xpIHNpZ25pbmcgc2VjcmV0IGZvciB0aGUgd2ViaG9vaw==';

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let zendesk: FakeZendesk;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 50 });
  service = await startTestService(db, sim.url);
  zendesk = await startFakeZendesk({ email: EMAIL, apiToken: TOKEN, tickets: [1, 2, 3] });
});
after(async () => {
  await service.close();
  await zendesk.close();
  await sim.close();
  await db.drop();
});

type Run = CliRun;

const cli = (args: string[], stdin = ''): Promise<Run> => runCli(args, { env: { BATCHLINE_URL: service.url }, cwd: db.dataDir, stdin });

const row = (name: string) => service.database.db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

test('connections create and update read secrets from a file or stdin, never print them, and warn about literal ones', async () => {
  fs.writeFileSync(path.join(db.dataDir, 'token.txt'), `${TOKEN}\n`);
  const created = await cli(['connections', 'create', 'desk', '--plugin', 'zendesk', '--config', `base_url=${zendesk.url}`, '--config', `email=${EMAIL}`, '--config', 'api_token=@token.txt', '--config', 'per_page=50']);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stderr, '');
  assert.match(created.stdout, /^created desk {2}zendesk {2}source \+ sink/);
  assert.match(created.stdout, /secrets set: api_token/);
  assert.ok(!created.stdout.includes(TOKEN));
  assert.equal((await row('desk')).config.per_page, 50, 'typed by the plugin schema');

  const before = await row('desk');
  const rotated = await cli(['connections', 'update', 'desk', '--config', 'api_token=@-'], `${ROTATED}\n`);
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.equal(rotated.stderr, '');
  assert.match(rotated.stdout, /^updated desk/);
  assert.ok(!rotated.stdout.includes(ROTATED));
  const after = await row('desk');
  assert.notEqual(after.secrets, before.secrets);
  assert.deepEqual(after.cursor, before.cursor);
  // The stored token is the one from stdin: Zendesk, now accepting only it, lets a job read.
  zendesk.setApiToken(ROTATED);
  const res = await fetch(`${service.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'ticket-triage', source: { connection: 'desk' } }) });
  assert.equal((await waitForJob(service.url, ((await res.json()) as { id: string }).id)).counts.succeeded, 3);

  const literal = await cli(['connections', 'update', 'desk', '--config', `api_token=${ROTATED}`, '--unset', 'per_page']);
  assert.equal(literal.code, 0, literal.stderr);
  assert.match(literal.stderr, /^batchline: warning: api_token was given on the command line and may stay in your shell history/);
  assert.equal((await row('desk')).config.per_page, undefined, '--unset removed it');

  const bad = await cli(['connections', 'update', 'desk', '--config', 'api_tokn=x']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^batchline: Validation failed: config\.api_tokn: is not a field of plugin "zendesk"/);
  assert.equal(bad.stderr.trim().split('\n').length, 1, 'one line');
  const plugin = await cli(['connections', 'update', 'desk', '--plugin', 'http', '--config', 'x=1']);
  assert.equal(plugin.code, 2);
  const shown = JSON.parse((await cli(['connections', 'show', 'desk', '--json'])).stdout) as { roles: string[]; secrets_key: string };
  assert.deepEqual([shown.roles, shown.secrets_key], [['source', 'sink'], 'current']);
  zendesk.setApiToken(TOKEN);
});

test('zendesk setup: the connection, the webhook and trigger to create, then the stream job writing triage back', async () => {
  fs.writeFileSync(path.join(db.dataDir, 'zd-token'), TOKEN);
  const first = await cli(['zendesk', 'setup', '--base-url', zendesk.url, '--email', EMAIL, '--api-token-file', 'zd-token', '--public-url', 'https://batchline.acme.example']);
  assert.equal(first.code, 0, first.stderr);
  assert.ok(!first.stdout.includes(TOKEN));
  assert.match(first.stdout, /Endpoint URL {5}https:\/\/batchline\.acme\.example\/v1\/connections\/zd\/webhook/);
  assert.match(first.stdout, /Current user \| Is not \| ops@acme\.example {3}\(skips Batchline's own updates\)/);
  assert.match(first.stdout, /batchline zendesk setup --name zd --webhook-secret-file -/);
  assert.match(first.stdout, /No stream job yet/);
  assert.deepEqual(((await (await fetch(`${service.url}/v1/connections/zd`)).json()) as { roles: string[] }).roles, ['source', 'sink']);

  const second = await cli(['zendesk', 'setup', '--webhook-secret-file', '-', '--public-url', 'https://batchline.acme.example', '--json'], SIGNING);
  assert.equal(second.code, 0, second.stderr);
  assert.ok(!second.stdout.includes(SIGNING));
  const plan = JSON.parse(second.stdout) as { job: { id: string; created: boolean }; webhook: { endpoint_url: string }; trigger: { body: { ticket: Record<string, string> } } };
  assert.equal(plan.job.created, true);
  assert.equal(plan.trigger.body.ticket.updated_at, '{{ticket.updated_at_with_timestamp}}');
  const third = await cli(['zendesk', 'setup', '--public-url', 'https://batchline.acme.example']);
  assert.match(third.stdout, new RegExp(`Already running: stream job ${plan.job.id}`), 'no second stream job');

  // Zendesk's trigger fires for a new ticket: the body the printed trigger sends, as Zendesk renders it.
  await waitFor('the stream job to be running', async () => ((await (await fetch(`${service.url}/v1/jobs/${plan.job.id}`)).json()) as { status: string }).status === 'running', { timeoutMs: 10_000 });
  const ticket = zendesk.addTicket({ subject: 'Charged twice', description: 'Please refund the second charge.' });
  const body = JSON.stringify({ ticket: { id: String(ticket.id), subject: ticket.subject, description: ticket.description, status: 'Open', priority: '', type: '', tags: '', created_at: ticket.created_at, updated_at: ticket.updated_at, requester_id: String(ticket.requester_id), group_id: '' } });
  const timestamp = new Date().toISOString();
  const hook = await fetch(`${service.url}/v1/connections/zd/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-zendesk-webhook-signature-timestamp': timestamp, 'x-zendesk-webhook-signature': signZendeskWebhook(SIGNING, timestamp, body) },
    body,
  });
  assert.deepEqual(await hook.json(), { documents: 1, jobs: 1, queued: 1 });
  const notes = () => (zendesk.tickets.get(ticket.id) as Ticket).comments.filter((c) => !c.public).length;
  await waitFor('the triage to be written back as an internal note', () => notes() > 0, { timeoutMs: 15_000, intervalMs: 50 });
  assert.equal(notes(), 1, 'triage written back');
  assert.ok((zendesk.tickets.get(ticket.id) as Ticket).tags.includes('batchline_triaged'));
  assert.equal((await fetch(`${service.url}/v1/jobs/${plan.job.id}/close`, { method: 'POST' })).status, 202);
  assert.equal((await waitForJob(service.url, plan.job.id)).status, 'completed');
});

test('secrets reseal reports what it did, and exits 0 when nothing is left under a fallback key', async () => {
  const run = await cli(['secrets', 'reseal']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^current key [0-9a-f]{8}; no fallbacks\nconnections: 0 re-sealed, 2 already current\njobs: 0 re-sealed, \d+ already current\nexperiments: 0 re-sealed, 0 already current\nnothing is left/);
  assert.equal((await cli(['secrets', 'rotate'])).code, 2);
});
