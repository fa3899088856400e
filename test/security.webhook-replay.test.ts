// Issue #29, source webhooks: a captured Zendesk delivery replayed inside its 5-minute window is taken
// once (a stream job opened since gets nothing from the replay, even under another spelling of the same
// signature), a refused delivery is not used up, and an unknown connection is answered exactly like a bad
// signature, so the route does not tell which connection names exist.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signZendeskWebhook } from '../plugins/zendesk-source/webhook.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { startFakeZendesk, type FakeZendesk } from './fakes/zendesk.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService } from './helpers/service.ts';

const EMAIL = 'ops@acme.example';
const TOKEN = 'zd-api-token-replay';
const SECRET = 'cmVwbGF5LXRlc3Qtc2lnbmluZy1zZWNyZXQ=';

let db: TestDatabase;
let sim: Simulator;
let zendesk: FakeZendesk;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 60_000 });
  zendesk = await startFakeZendesk({ email: EMAIL, apiToken: TOKEN });
  service = await startTestService(db, sim.url);
});
after(async () => {
  await service.close();
  await zendesk.close();
  await sim.close();
  await db.drop();
});

interface Delivery {
  body: string;
  timestamp: string;
  signature: string;
}

function delivery(ticketId: number, secret = SECRET): Delivery {
  const timestamp = new Date().toISOString();
  const body = JSON.stringify({
    type: 'zen:event-type:ticket.created',
    time: timestamp,
    detail: { id: String(ticketId), subject: 'Refund', description: 'Charged twice', status: 'NEW', updated_at: '2026-11-24T10:00:00Z' },
  });
  return { body, timestamp, signature: signZendeskWebhook(secret, timestamp, body) };
}

function send(connection: string, d: Delivery): Promise<Response> {
  return fetch(`${service.url}/v1/connections/${connection}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-zendesk-webhook-signature-timestamp': d.timestamp, 'x-zendesk-webhook-signature': d.signature },
    body: d.body,
  });
}

async function createConnection(name: string): Promise<void> {
  const res = await postJson(`${service.url}/v1/connections`, { name, plugin: 'zendesk', kind: 'source', config: { base_url: zendesk.url, email: EMAIL, api_token: TOKEN, webhook_secret: SECRET } });
  assert.equal(res.status, 201, await res.clone().text());
}

async function openStreamJob(connection: string): Promise<string> {
  const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', source: { connection, config: { stream: true } } })).json()) as { id: string };
  for (let i = 0; i < 200; i++) {
    const view = (await (await fetch(`${service.url}/v1/jobs/${id}`)).json()) as { status: string };
    if (view.status === 'running') return id;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`job ${id} did not open`);
}

async function itemsOf(jobId: string): Promise<number> {
  return (await service.database.db.selectFrom('items').select('id').where('job_id', '=', jobId).execute()).length;
}

/** The same signature bytes, spelled differently: base64 decoders ignore the unused low bits of the last character. */
function respelled(signature: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const at = signature.indexOf('=') - 1;
  const char = signature[at] ?? 'A';
  const other = alphabet[alphabet.indexOf(char) ^ 1] ?? 'A';
  return `${signature.slice(0, at)}${other}${signature.slice(at + 1)}`;
}

test('a delivery replayed inside its window is taken once: a job opened since gets nothing from it', async () => {
  await createConnection('desk');
  const first = await openStreamJob('desk');
  const captured = delivery(701);
  const taken = await send('desk', captured);
  assert.equal(taken.status, 202);
  assert.deepEqual(await taken.json(), { documents: 1, jobs: 1, queued: 1 });

  const second = await openStreamJob('desk');
  const replay = await send('desk', captured);
  assert.equal(replay.status, 202, 'a sender retrying a delivery that was taken is told it arrived');
  assert.deepEqual(await replay.json(), { documents: 0, jobs: 0, queued: 0, replayed: true });
  const spelled = { ...captured, signature: respelled(captured.signature) };
  assert.notEqual(spelled.signature, captured.signature);
  assert.deepEqual(await (await send('desk', spelled)).json(), { documents: 0, jobs: 0, queued: 0, replayed: true }, 'another spelling of the same signature is the same delivery');
  assert.equal(await itemsOf(first), 1);
  assert.equal(await itemsOf(second), 0, 'the replay queued nothing into the new job');

  // The system signing the same event anew (a new timestamp) is a new delivery.
  const resent = await send('desk', { ...delivery(701) });
  assert.equal(resent.status, 202);
  assert.equal(((await resent.json()) as { replayed?: boolean }).replayed, undefined);
});

test('a refused delivery is not used up: once its connection exists it is taken', async () => {
  const early = delivery(702);
  assert.equal((await send('late', early)).status, 401);
  await createConnection('late');
  const job = await openStreamJob('late');
  const taken = await send('late', early);
  assert.equal(taken.status, 202);
  assert.deepEqual(await taken.json(), { documents: 1, jobs: 1, queued: 1 });
  assert.equal(await itemsOf(job), 1);
});

test('an unknown connection is answered exactly like a bad signature', async () => {
  const answerOf = async (res: Response) => {
    const body = (await res.json()) as Record<string, unknown>;
    delete body.instance;
    return { status: res.status, type: res.headers.get('content-type'), body };
  };
  const unknown = await answerOf(await send('no-such-connection', delivery(703)));
  const forged = await answerOf(await send('desk', delivery(703, 'c29tZS1vdGhlci1zZWNyZXQ=')));
  assert.equal(unknown.status, 401);
  assert.deepEqual(unknown, forged);
});
