// Issue 19: connections change in place. A rotated Zendesk token keeps the connection's place in the
// export; running jobs (a webhook stream with write-back, a long export) take the new token from their
// next request on; an http sink signs with two secrets during a grace period; bad patches change nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { signZendeskWebhook } from '../plugins/zendesk-source/webhook.ts';
import { createBatchlineClient, type PatchConnection } from '../src/client/index.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { startFakeZendesk, type Ticket } from './fakes/zendesk.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startReceiver } from './helpers/receiver.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const EMAIL = 'ops@acme.example';
const OLD_TOKEN = 'zd-token-OLD-1111';
const NEW_TOKEN = 'zd-token-NEW-2222';
const basic = (token: string) => `Basic ${Buffer.from(`${EMAIL}/token:${token}`).toString('base64')}`;

let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 50 });
  service = await startTestService(db, sim.url);
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

function patch(name: string, body: unknown, type = 'application/merge-patch+json'): Promise<Response> {
  return fetch(`${service.url}/v1/connections/${name}`, { method: 'PATCH', headers: { 'content-type': type }, body: JSON.stringify(body) });
}

async function resultIds(jobId: string): Promise<string[]> {
  const body = (await (await fetch(`${service.url}/v1/jobs/${jobId}/results?limit=1000`)).json()) as { data: Array<{ external_id: string }> };
  return body.data.map((r) => r.external_id);
}

async function runJob(body: unknown): Promise<Awaited<ReturnType<typeof waitForJob>>> {
  const res = await postJson(`${service.url}/v1/jobs`, body);
  assert.equal(res.status, 201, await res.clone().text());
  return waitForJob(service.url, ((await res.json()) as { id: string }).id);
}

test('a token rotated with PATCH keeps the connection\'s place: after 250 tickets, the next job reads exactly the 40 new ones', async () => {
  const zendesk = await startFakeZendesk({ email: EMAIL, apiToken: OLD_TOKEN, tickets: Array.from({ length: 250 }, (_, i) => i + 1) });
  try {
    const created = await postJson(`${service.url}/v1/connections`, { name: 'desk', plugin: 'zendesk', config: { base_url: zendesk.url, email: EMAIL, api_token: OLD_TOKEN } });
    assert.equal(created.status, 201);
    const first = await runJob({ task: 'ticket-triage', source: { connection: 'desk' } });
    assert.equal(first.counts.succeeded, 250);
    const before = await service.database.db.selectFrom('connections').selectAll().where('name', '=', 'desk').executeTakeFirstOrThrow();

    zendesk.setApiToken(NEW_TOKEN);
    // A timeout changed in the same patch does not move the connection off its place either.
    const res = await patch('desk', { config: { api_token: NEW_TOKEN, request_timeout_ms: 20_000 } });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.ok(!text.includes(NEW_TOKEN) && !text.includes(OLD_TOKEN), 'the token is never echoed');
    const view = JSON.parse(text) as { name: string; secret_fields_set: string[]; secrets_key: string; created_at: string; config: Record<string, unknown> };
    assert.deepEqual([view.name, view.secret_fields_set, view.secrets_key, view.created_at], ['desk', ['api_token'], 'current', before.created_at.toISOString()]);
    assert.equal(view.config.base_url, zendesk.url, 'fields not in the patch stay');
    const after = await service.database.db.selectFrom('connections').selectAll().where('name', '=', 'desk').executeTakeFirstOrThrow();
    assert.deepEqual(after.cursor, before.cursor, 'the cursor stays');
    assert.notEqual(after.secrets, before.secrets);
    assert.ok(!after.secrets?.includes(NEW_TOKEN));

    const added = Array.from({ length: 40 }, (_, i) => zendesk.addTicket({ subject: `After rotation ${i}` }).id);
    zendesk.requests.length = 0;
    const second = await runJob({ task: 'ticket-triage', source: { connection: 'desk' } });
    assert.equal(second.status, 'completed');
    assert.deepEqual((await resultIds(second.id)).sort(), added.map(String).sort(), 'exactly the 40 new tickets');
    assert.ok(zendesk.requests.length > 0 && zendesk.requests.every((r) => r.headers.authorization === basic(NEW_TOKEN)), 'read with the new token');
  } finally {
    await zendesk.close();
  }
});

test('running jobs keep working across a rotation: a webhook stream writing back, and an export mid-read', async () => {
  const secret = 'cm90YXRpb24gc2lnbmluZyBzZWNyZXQ=';
  const zendesk = await startFakeZendesk({ email: EMAIL, apiToken: OLD_TOKEN, tickets: Array.from({ length: 30 }, (_, i) => i + 1) });
  try {
    await postJson(`${service.url}/v1/connections`, { name: 'desk-live', plugin: 'zendesk', config: { base_url: zendesk.url, email: EMAIL, api_token: OLD_TOKEN, webhook_secret: secret, poll_interval_ms: 100 } });
    const created = await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'desk-live', config: { stream: true } }, sinks: [{ connection: 'desk-live' }] });
    const { id } = (await created.json()) as { id: string };
    const push = async (ticket: Record<string, unknown>) => {
      const body = JSON.stringify({ ticket });
      const timestamp = new Date().toISOString();
      const res = await fetch(`${service.url}/v1/connections/desk-live/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-zendesk-webhook-signature-timestamp': timestamp, 'x-zendesk-webhook-signature': signZendeskWebhook(secret, timestamp, body) },
        body,
      });
      assert.equal(res.status, 202);
    };
    const notes = (t: number) => (zendesk.tickets.get(t) as Ticket).comments.filter((c) => !c.public).length;
    const notesWritten = (tickets: number[]) => waitFor(`one internal note on each of tickets ${tickets.join(', ')}`, () => tickets.every((t) => notes(t) === 1), { timeoutMs: 30_000, intervalMs: 50 });
    await waitFor('the stream job to be running', async () => ((await (await fetch(`${service.url}/v1/jobs/${id}`)).json()) as { status: string }).status === 'running', { intervalMs: 50 });
    for (const t of [1, 2, 3]) await push({ id: t, subject: `Ticket ${t}`, description: 'Refund please', updated_at: `2026-11-24T10:00:0${t}Z` });
    await notesWritten([1, 2, 3]);

    // Rotated in Zendesk (the old token stops working at once) and on the connection.
    zendesk.setApiToken(NEW_TOKEN);
    assert.equal((await patch('desk-live', { config: { api_token: NEW_TOKEN } })).status, 200);
    zendesk.requests.length = 0;
    for (const t of [4, 5, 6]) await push({ id: t, subject: `Ticket ${t}`, description: 'Where is my parcel?', updated_at: `2026-11-24T10:00:0${t}Z` });
    await notesWritten([4, 5, 6]);
    const writes = zendesk.requests.filter((r) => r.method === 'PUT');
    assert.ok(writes.length > 0 && writes.every((r) => r.headers.authorization === basic(NEW_TOKEN)), 'the stream job wrote back with the new token');
    assert.equal((await fetch(`${service.url}/v1/jobs/${id}/close`, { method: 'POST' })).status, 202);
    const stream = await waitForJob(service.url, id);
    assert.deepEqual([stream.status, stream.counts.succeeded, stream.deliveries.delivered, stream.deliveries.dead], ['completed', 6, 6, 0]);

    // A long export: the token is rotated while the job is on its second page.
    await postJson(`${service.url}/v1/connections`, { name: 'desk-long', plugin: 'zendesk', kind: 'source', config: { base_url: zendesk.url, email: EMAIL, api_token: NEW_TOKEN } });
    const ROTATED = 'zd-token-THIRD-3333';
    zendesk.onExportPage(async (page) => {
      if (page !== 2) return;
      assert.equal((await patch('desk-long', { config: { api_token: ROTATED } })).status, 200);
      zendesk.setApiToken(ROTATED);
    });
    zendesk.requests.length = 0;
    const long = await runJob({ task: 'ticket-triage', source: { connection: 'desk-long', config: { per_page: 5 } } });
    zendesk.onExportPage(undefined);
    assert.equal(long.status, 'completed', JSON.stringify(long));
    // Tickets 1–6 were last changed by the stream job's write-back: Batchline's own, not work.
    assert.equal(long.counts.total, 24, 'every other ticket read, across the rotation');
    const pages = zendesk.requests.filter((r) => r.path === '/api/v2/incremental/tickets/cursor.json');
    assert.equal(pages[0]?.headers.authorization, basic(NEW_TOKEN));
    assert.equal(pages.at(-1)?.headers.authorization, basic(ROTATED), 'the later pages with the rotated token');
  } finally {
    await zendesk.close();
  }
});

test('a connection moved to another account mid-read: the running job stays on its account with its own token; the new one is never sent to the old host', async () => {
  const first = await startFakeZendesk({ email: EMAIL, apiToken: OLD_TOKEN, tickets: Array.from({ length: 20 }, (_, i) => i + 1) });
  const second = await startFakeZendesk({ email: EMAIL, apiToken: NEW_TOKEN, tickets: [1, 2, 3] });
  try {
    await postJson(`${service.url}/v1/connections`, { name: 'desk-moved', plugin: 'zendesk', kind: 'source', config: { base_url: first.url, email: EMAIL, api_token: OLD_TOKEN } });
    first.onExportPage(async (page) => {
      if (page === 2) assert.equal((await patch('desk-moved', { config: { base_url: second.url, api_token: NEW_TOKEN } })).status, 200);
    });
    const job = await runJob({ task: 'ticket-triage', source: { connection: 'desk-moved', config: { per_page: 5 } } });
    first.onExportPage(undefined);
    assert.deepEqual([job.status, job.counts.total], ['completed', 20], JSON.stringify(job));
    const pages = first.requests.filter((r) => r.path === '/api/v2/incremental/tickets/cursor.json');
    assert.ok(pages.length >= 4, 'every page read from the account the job started on');
    assert.ok(first.requests.every((r) => r.headers.authorization === basic(OLD_TOKEN)), 'the new token never went to the old host');
    assert.equal(second.requests.length, 0, 'the running job did not follow the connection elsewhere');
    // A job started after the move reads the new account, with the new token.
    const next = await runJob({ task: 'ticket-triage', source: { connection: 'desk-moved' } });
    assert.equal(next.counts.total, 3);
    assert.ok(second.requests.length > 0 && second.requests.every((r) => r.headers.authorization === basic(NEW_TOKEN)));
  } finally {
    await first.close();
    await second.close();
  }
});

test('an http sink with two secrets during a grace period: every delivery carries both signatures; a receiver knowing either verifies it', async () => {
  const oldSecret = `whsec_${Buffer.from('the old signing secret, 32 bytes!').toString('base64')}`;
  const newSecret = `whsec_${Buffer.from('the new signing secret, 32 bytes!').toString('base64')}`;
  const other = `whsec_${Buffer.from('a secret nobody configured, 32 b').toString('base64')}`;
  // A marker header changes in the same patch as the secret, so a request carrying the new marker was made
  // with the rotated config; one made before (even if it arrives after the patch answered) was not. The
  // receiver refuses those, so every result of the first job is retried, and checked, after the rotation.
  const receiver = await startReceiver((_call, request) => ({ status: request.headers['x-config'] === 'grace' ? 200 : 503 }));
  try {
    const created = await postJson(`${service.url}/v1/connections`, { name: 'hook', plugin: 'http', config: { url: receiver.url, secret: oldSecret, headers: { 'x-config': 'before-rotation' } } });
    assert.equal(created.status, 201);
    const job = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'r1', text: 'Great.' }, { id: 'r2', text: 'Broke.' }], sinks: [{ connection: 'hook' }] });
    const { id } = (await job.json()) as { id: string };
    await waitFor('the first delivery to be tried (and refused)', async () => {
      const rows = await service.database.db.selectFrom('deliveries').select('attempts').where('job_id', '=', id).execute();
      return rows.some((row) => row.attempts > 0);
    }, { timeoutMs: 20_000 });
    const grace = await patch('hook', { config: { secret: `${newSecret} ${oldSecret}`, headers: { 'x-config': 'grace' } } }, 'application/json');
    assert.equal(grace.status, 200);
    assert.ok(!(await grace.text()).includes('whsec_'));
    const done = await waitForJob(service.url, id);
    assert.equal(done.deliveries.delivered, 2);

    const later = await runJob({ task: 'review-insights', documents: [{ id: 'r3', text: 'Fine.' }], sinks: [{ connection: 'hook' }] });
    assert.equal(later.deliveries.delivered, 1);
    // Only requests made after the rotation are checked.
    const afterRotation = receiver.requests.filter((request) => request.headers['x-config'] === 'grace');
    assert.ok(afterRotation.length >= 2, `the refused delivery, retried, and the later job's (${afterRotation.length})`);
    for (const request of afterRotation) {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
      assert.equal(headers['webhook-signature']?.split(' ').length, 2, 'two signatures');
      assert.doesNotThrow(() => new Webhook(oldSecret).verify(request.body, headers), 'a receiver with the old secret');
      assert.doesNotThrow(() => new Webhook(newSecret).verify(request.body, headers), 'a receiver with the new secret');
      assert.throws(() => new Webhook(other).verify(request.body, headers));
    }
    // The grace period ends: the new secret alone.
    assert.equal((await patch('hook', { config: { secret: newSecret } })).status, 200);
    receiver.requests.length = 0;
    await runJob({ task: 'review-insights', documents: [{ id: 'r4', text: 'Ok.' }], sinks: [{ connection: 'hook' }] });
    const last = Object.fromEntries(Object.entries(receiver.requests[0]?.headers ?? {}).map(([k, v]) => [k, String(v)]));
    assert.equal(last['webhook-signature']?.split(' ').length, 1);
    assert.throws(() => new Webhook(oldSecret).verify(receiver.requests[0]?.body ?? '', last));
  } finally {
    await receiver.close();
  }
});

test('bad patches are a clear 4xx naming the field, and change nothing', async () => {
  await postJson(`${service.url}/v1/connections`, { name: 'strict-desk', plugin: 'zendesk', config: { subdomain: 'acme', email: EMAIL, api_token: OLD_TOKEN } });
  await postJson(`${service.url}/v1/connections`, { name: 'strict-hook', plugin: 'http', config: { url: 'https://hooks.example.com/in', secret: `whsec_${'A'.repeat(32)}` } });
  const rows = () => service.database.db.selectFrom('connections').selectAll().where('name', 'in', ['strict-desk', 'strict-hook']).orderBy('name').execute();
  const before = await rows();
  const expect = async (name: string, body: unknown, status: number, field: string) => {
    const res = await patch(name, body);
    const problem = (await res.json()) as { detail: string; errors?: Array<{ field: string }> };
    assert.equal(res.status, status, JSON.stringify(problem));
    assert.equal(problem.errors?.[0]?.field, field, problem.detail);
    assert.ok(!JSON.stringify(problem).includes('not-a-whsec') && !JSON.stringify(problem).includes(OLD_TOKEN), 'no value is echoed');
    return problem.detail;
  };
  assert.match(await expect('strict-desk', { config: { api_tokn: 'x' } }, 422, 'config.api_tokn'), /is not a field of plugin "zendesk" \(source and sink\)/);
  await expect('strict-hook', { config: { secret: 'not-a-whsec-secret' } }, 422, 'config.secret');
  await expect('strict-hook', { config: { secret: `whsec_${'B'.repeat(32)} not-a-whsec-secret` } }, 422, 'config.secret');
  assert.match(await expect('strict-desk', { plugin: 'http' }, 409, 'plugin'), /cannot change from "zendesk" to "http"/);
  await expect('strict-desk', { kind: 'sink' }, 409, 'kind');
  await expect('strict-desk', { name: 'other' }, 409, 'name');
  await expect('strict-desk', { confg: {} }, 422, 'confg');
  await expect('strict-desk', { config: { email: null } }, 422, 'config.email');
  await expect('strict-desk', { config: { subdomain: 'x', base_url: 'https://x.example' } }, 422, 'config.subdomain');
  assert.equal((await patch('nowhere', { config: {} })).status, 404);
  const form = await fetch(`${service.url}/v1/connections/strict-desk`, { method: 'PATCH', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'config=1' });
  assert.equal(form.status, 415);
  assert.deepEqual(await rows(), before, 'nothing changed');
  // The same value for plugin is no change at all; an empty patch only seals again. (Through the typed client.)
  const client = createBatchlineClient({ baseUrl: service.url });
  const body: PatchConnection = { plugin: 'zendesk', config: {} };
  const { data, error } = await client.PATCH('/v1/connections/{name}', { params: { path: { name: 'strict-desk' } }, body });
  assert.equal(error, undefined);
  assert.deepEqual([data?.name, data?.roles, data?.secret_fields_set], ['strict-desk', ['source', 'sink'], ['api_token']]);
  const { error: conflict } = await client.PATCH('/v1/connections/{name}', { params: { path: { name: 'strict-desk' } }, body: { kind: 'source' } });
  assert.equal(conflict?.code, 'conflict');
});
