// Acceptance for the zendesk source, against the fake Zendesk (documented response shapes): two jobs on
// one connection read disjoint tickets (the cursor is kept in Postgres), a 429 is waited out, a 401
// fails the job naming the connection and not the token; signed webhooks feed an open stream job.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { startFakeZendesk } from './fakes/zendesk.ts';
import { createTestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const EMAIL = 'ops@acme.example';
const TOKEN = 'zd-api-token-SECRET-777';

const tickets = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i, subject: `Ticket ${from + i}`, description: `I was charged twice for order ${from + i}. Please refund.` }));

async function resultIds(url: string, jobId: string): Promise<string[]> {
  const body = (await (await fetch(`${url}/v1/jobs/${jobId}/results?limit=1000`)).json()) as { data: Array<{ external_id: string }> };
  return body.data.map((r) => r.external_id);
}

test('two jobs on one connection read disjoint tickets; a 429 is waited out; the cursor lives in Postgres', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const zendesk = await startFakeZendesk({ email: EMAIL, apiToken: TOKEN, tickets: tickets(1, 25) });
  const service = await startTestService(db, sim.url);
  try {
    const conn = await postJson(`${service.url}/v1/connections`, {
      name: 'support',
      plugin: 'zendesk',
      kind: 'source',
      config: { base_url: zendesk.url, email: EMAIL, api_token: TOKEN, per_page: 10 },
    });
    assert.equal(conn.status, 201, await conn.clone().text());

    const first = (await (await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'support' } })).json()) as { id: string };
    const job1 = await waitForJob(service.url, first.id);
    assert.equal(job1.status, 'completed');
    assert.equal(job1.counts.succeeded, 25);
    const exportCalls = zendesk.requests.filter((r) => r.path === '/api/v2/incremental/tickets/cursor.json');
    assert.ok(exportCalls.length >= 3, 'paginated to the end of the stream');
    const stored = await service.database.db.selectFrom('connections').select('cursor').where('name', '=', 'support').executeTakeFirstOrThrow();
    assert.ok(stored.cursor, 'the connection keeps where the export ended');

    for (let i = 0; i < 5; i++) zendesk.addTicket({ subject: `New ${i}`, description: `Login fails on device ${i}` });
    zendesk.touchTicket(3, { description: 'Still waiting for that refund.' });
    zendesk.failNext('429', 1, 1, '/api/v2/incremental');
    const second = (await (await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'support' } })).json()) as { id: string };
    const job2 = await waitForJob(service.url, second.id);
    assert.equal(job2.status, 'completed');
    const ids1 = await resultIds(service.url, first.id);
    const ids2 = await resultIds(service.url, second.id);
    assert.deepEqual(ids2.sort(), ['26', '27', '28', '29', '3', '30'].sort(), 'only tickets created or changed since the first job');
    assert.equal(ids1.length, 25);
    assert.ok(zendesk.requests.some((r) => r.path === '/api/v2/incremental/tickets/cursor.json' && r.query.cursor), 'the second job resumed from the cursor');
  } finally {
    await service.close();
    await zendesk.close();
    await sim.close();
    await db.drop();
  }
});

test('a 401 fails the job with a message naming the connection, never the token', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const zendesk = await startFakeZendesk({ email: EMAIL, apiToken: TOKEN, tickets: tickets(1, 3) });
  const service = await startTestService(db, sim.url);
  const wrong = 'zd-WRONG-token-000';
  try {
    await postJson(`${service.url}/v1/connections`, { name: 'support-stale', plugin: 'zendesk', kind: 'source', config: { base_url: zendesk.url, email: EMAIL, api_token: wrong } });
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'support-stale' } });
    const { id } = (await res.json()) as { id: string };
    const job = await waitForJob(service.url, id);
    assert.equal(job.status, 'failed');
    const body = await (await fetch(`${service.url}/v1/jobs/${id}`)).text();
    const error = (JSON.parse(body) as { error: { type: string; message: string } }).error;
    assert.equal(error.type, 'source_failed');
    assert.match(error.message, /connection "support-stale"/);
    assert.match(error.message, /401/);
    assert.ok(!body.includes(wrong) && !body.includes(Buffer.from(`${EMAIL}/token:${wrong}`).toString('base64')));
    assert.equal(sim.stats().requestsSubmitted, 0);
  } finally {
    await service.close();
    await zendesk.close();
    await sim.close();
    await db.drop();
  }
});

test('signed Zendesk webhooks queue tickets into an open stream job; bad signatures are refused', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const zendesk = await startFakeZendesk({ email: EMAIL, apiToken: TOKEN });
  const service = await startTestService(db, sim.url);
  const signingSecret = 'dGhpcyBpcyBhIHNpZ25pbmcgc2VjcmV0';
  try {
    const conn = await postJson(`${service.url}/v1/connections`, {
      name: 'desk-hooks',
      plugin: 'zendesk',
      kind: 'source',
      config: { base_url: zendesk.url, email: EMAIL, api_token: TOKEN, webhook_secret: signingSecret },
    });
    assert.equal(conn.status, 201, await conn.clone().text());
    const created = (await (await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'desk-hooks', config: { stream: true } } })).json()) as { id: string };

    const send = (body: string, secret = signingSecret, timestamp = new Date().toISOString()) =>
      fetch(`${service.url}/v1/connections/desk-hooks/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-zendesk-webhook-signature-timestamp': timestamp,
          'x-zendesk-webhook-signature': createHmac('sha256', secret).update(timestamp + body).digest('base64'),
        },
        body,
      });
    // Wait until the stream job is open (its read returns at once).
    await waitFor('the stream job to be running', async () => ((await (await fetch(`${service.url}/v1/jobs/${created.id}`)).json()) as { status: string }).status === 'running', { timeoutMs: 10_000, intervalMs: 20 });
    const event = JSON.stringify({
      type: 'zen:event-type:ticket.created',
      time: new Date().toISOString(),
      detail: { id: '501', subject: 'Refund', description: 'Charged twice', status: 'NEW', updated_at: '2026-11-24T10:00:00Z' },
    });
    const accepted = await send(event);
    assert.equal(accepted.status, 202);
    assert.deepEqual(await accepted.json(), { documents: 1, jobs: 1, queued: 1 });
    assert.deepEqual(await (await send(event)).json(), { documents: 1, jobs: 1, queued: 0 }, 'a redelivered event adds nothing');
    assert.equal((await send(event, 'another-secret')).status, 401);
    assert.equal((await send(event, signingSecret, new Date(Date.now() - 3_600_000).toISOString())).status, 401);
    const trigger = JSON.stringify({ ticket: { id: 502, subject: 'Login', description: 'Cannot log in', updated_at: '2026-11-24T10:05:00Z' } });
    assert.equal(((await (await send(trigger)).json()) as { queued: number }).queued, 1);

    const close = await fetch(`${service.url}/v1/jobs/${created.id}/close`, { method: 'POST' });
    assert.equal(close.status, 202);
    const job = await waitForJob(service.url, created.id);
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, 2);
    assert.deepEqual((await resultIds(service.url, created.id)).sort(), ['501@2026-11-24T10:00:00Z', '502@2026-11-24T10:05:00Z']);
    assert.equal(zendesk.requests.length, 0, 'a stream job does not export');
  } finally {
    await service.close();
    await zendesk.close();
    await sim.close();
    await db.drop();
  }
});
