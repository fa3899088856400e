// Issue 29: a PATCH that moves a connection (another Zendesk account, another webhook URL) drops the
// secrets it does not give again, so a token never reaches a host it was not issued for: jobs on the moved
// connection are refused with "needs its credentials again" until a PATCH gives them, and a move that
// gives the new credentials in the same PATCH just works.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { startFakeZendesk, type FakeZendesk } from './fakes/zendesk.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startReceiver } from './helpers/receiver.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

const EMAIL = 'ops@acme.example';
const OLD_TOKEN = 'zd-token-OLD-move-1111';
const NEW_TOKEN = 'zd-token-NEW-move-2222';
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

function patch(name: string, config: Record<string, unknown>): Promise<Response> {
  return fetch(`${service.url}/v1/connections/${name}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ config }) });
}

async function runJob(body: unknown): Promise<Awaited<ReturnType<typeof waitForJob>>> {
  const res = await postJson(`${service.url}/v1/jobs`, body);
  assert.equal(res.status, 201, await res.clone().text());
  return waitForJob(service.url, ((await res.json()) as { id: string }).id);
}

/** Every Authorization header a fake Zendesk received, unauthenticated requests included. */
const authorizations = (zendesk: FakeZendesk) => zendesk.requests.map((r) => r.headers.authorization);

test('a zendesk connection moved to another base_url keeps no token: jobs on it are refused until a PATCH gives one, and the old token reaches neither host', async () => {
  const first = await startFakeZendesk({ email: EMAIL, apiToken: OLD_TOKEN, tickets: [1, 2, 3] });
  const second = await startFakeZendesk({ email: EMAIL, apiToken: NEW_TOKEN, tickets: [11, 12] });
  try {
    assert.equal((await postJson(`${service.url}/v1/connections`, { name: 'desk', plugin: 'zendesk', config: { base_url: first.url, email: EMAIL, api_token: OLD_TOKEN } })).status, 201);
    const before = await runJob({ task: 'ticket-triage', source: { connection: 'desk' } });
    assert.equal(before.counts.succeeded, 3);

    const moved = await patch('desk', { base_url: second.url });
    const view = (await moved.json()) as { config: Record<string, unknown>; secret_fields_set: string[]; secrets_key: string | null };
    assert.equal(moved.status, 200, JSON.stringify(view));
    assert.deepEqual([view.config.base_url, view.config.email, view.secret_fields_set, view.secrets_key], [second.url, EMAIL, [], null], 'the token stayed behind');
    first.requests.length = 0;

    // Read or written back through, the moved connection is refused with a message saying what to do.
    for (const [body, field] of [
      [{ task: 'ticket-triage', source: { connection: 'desk' } }, 'source.connection'],
      [{ task: 'ticket-triage', documents: [{ id: 't1', text: 'Refund please' }], sinks: [{ connection: 'desk' }] }, 'sinks.0.connection'],
    ] as const) {
      const res = await postJson(`${service.url}/v1/jobs`, body);
      const problem = (await res.json()) as { detail: string; errors?: Array<{ field: string }> };
      assert.equal(res.status, 409, JSON.stringify(problem));
      assert.equal(problem.errors?.[0]?.field, field);
      assert.match(problem.detail, /connection "desk" needs its credentials again \(api_token\).*PATCH \/v1\/connections\/desk/);
    }
    assert.ok(!authorizations(second).includes(basic(OLD_TOKEN)), 'the old token never went to the new host');
    assert.deepEqual([first.requests.length, second.requests.length], [0, 0], 'nothing was sent anywhere');

    // The credentials given again: the next job reads the new account, with the new token only.
    const healed = await patch('desk', { api_token: NEW_TOKEN });
    assert.deepEqual(((await healed.json()) as { secret_fields_set: string[] }).secret_fields_set, ['api_token']);
    const next = await runJob({ task: 'ticket-triage', source: { connection: 'desk' } });
    assert.deepEqual([next.status, next.counts.succeeded], ['completed', 2], JSON.stringify(next));
    assert.ok(second.requests.length > 0 && authorizations(second).every((a) => a === basic(NEW_TOKEN)));
    assert.equal(first.requests.length, 0);
  } finally {
    await first.close();
    await second.close();
  }
});

test('a PATCH that moves a zendesk connection and gives the new token in the same patch keeps working: source and write-back', async () => {
  const first = await startFakeZendesk({ email: EMAIL, apiToken: OLD_TOKEN, tickets: [1] });
  const second = await startFakeZendesk({ email: EMAIL, apiToken: NEW_TOKEN, tickets: [21, 22] });
  try {
    assert.equal((await postJson(`${service.url}/v1/connections`, { name: 'desk-both', plugin: 'zendesk', config: { base_url: first.url, email: EMAIL, api_token: OLD_TOKEN } })).status, 201);
    const moved = await patch('desk-both', { base_url: second.url, api_token: NEW_TOKEN });
    assert.equal(moved.status, 200);
    assert.deepEqual(((await moved.json()) as { secret_fields_set: string[] }).secret_fields_set, ['api_token']);
    const job = await runJob({ task: 'ticket-triage', source: { connection: 'desk-both' }, sinks: [{ connection: 'desk-both' }] });
    assert.deepEqual([job.status, job.counts.succeeded, job.deliveries.delivered], ['completed', 2, 2], JSON.stringify(job));
    assert.ok(second.requests.some((r) => r.method === 'PUT'), 'wrote back to the new account');
    assert.ok(authorizations(second).every((a) => a === basic(NEW_TOKEN)));
    assert.equal(first.requests.length, 0);
  } finally {
    await first.close();
    await second.close();
  }
});

test('an http sink moved to another url sends neither its old headers nor its old signature there; headers given with the move are sent', async () => {
  const secret = `whsec_${Buffer.from('the signing secret of the old url!').toString('base64')}`;
  const oldUrl = await startReceiver();
  const newUrl = await startReceiver();
  try {
    const created = await postJson(`${service.url}/v1/connections`, { name: 'hook-move', plugin: 'http', config: { url: oldUrl.url, secret, headers: { authorization: 'Bearer old-host-s3cret' } } });
    assert.equal(created.status, 201);
    const moved = await patch('hook-move', { url: newUrl.url });
    assert.deepEqual(((await moved.json()) as { secret_fields_set: string[] }).secret_fields_set, []);
    const job = await runJob({ task: 'review-insights', documents: [{ id: 'r1', text: 'Great.' }], sinks: [{ connection: 'hook-move' }] });
    assert.equal(job.deliveries.delivered, 1);
    assert.equal(oldUrl.requests.length, 0);
    assert.ok(newUrl.requests.length > 0);
    for (const request of newUrl.requests) assert.deepEqual([request.headers.authorization, request.headers['webhook-signature']], [undefined, undefined]);

    // Back to where it was, with its header given again: sent there; the signing secret was not given, so none.
    await patch('hook-move', { url: oldUrl.url, headers: { authorization: 'Bearer given-again' } });
    await runJob({ task: 'review-insights', documents: [{ id: 'r2', text: 'Fine.' }], sinks: [{ connection: 'hook-move' }] });
    assert.deepEqual(
      oldUrl.requests.map((r) => [r.headers.authorization, r.headers['webhook-signature']]),
      [['Bearer given-again', undefined]],
    );
  } finally {
    await oldUrl.close();
    await newUrl.close();
  }
});

test('a job may not send a connection\'s credentials elsewhere: destination fields and the user a token belongs to cannot be overridden', async () => {
  await postJson(`${service.url}/v1/connections`, { name: 'hook-pinned', plugin: 'http', config: { url: 'https://hooks.example.com/in', headers: { authorization: 'Bearer pinned' } } });
  await postJson(`${service.url}/v1/connections`, { name: 'desk-pinned', plugin: 'zendesk', config: { subdomain: 'acme', email: EMAIL, api_token: OLD_TOKEN } });
  const refused = async (body: unknown, field: string) => {
    const res = await postJson(`${service.url}/v1/jobs`, body);
    const problem = (await res.json()) as { detail: string; errors?: Array<{ field: string }> };
    assert.equal(res.status, 422, JSON.stringify(problem));
    assert.equal(problem.errors?.[0]?.field, field);
    assert.match(problem.detail, /cannot be overridden/);
  };
  const documents = [{ id: 'd1', text: 'x' }];
  // The http connection holds headers only: they are its credentials, and pin its url.
  await refused({ task: 'review-insights', documents, sinks: [{ connection: 'hook-pinned', config: { url: 'https://elsewhere.example/in' } }] }, 'sinks.0.config.url');
  await refused({ task: 'ticket-triage', source: { connection: 'desk-pinned', config: { base_url: 'https://evil.example' } } }, 'source.config.base_url');
  await refused({ task: 'ticket-triage', documents, sinks: [{ connection: 'desk-pinned', config: { subdomain: 'evil' } }] }, 'sinks.0.config.subdomain');
  await refused({ task: 'ticket-triage', source: { connection: 'desk-pinned', config: { email: 'admin@acme.example' } } }, 'source.config.email');
});
