// Issue 19: BATCHLINE_SECRET_KEY rotated while jobs run. The service restarts with the new key and the
// old one as a fallback, re-seals everything (POST /v1/secrets/reseal) while a webhook stream and a batch
// job are in flight, and restarts once more without the old key: every job completes and every
// connection still works.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { signZendeskWebhook } from '../plugins/zendesk-source/webhook.ts';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { openSealed } from '../src/secrets/crypto.ts';
import { secretKeysOf } from '../src/secrets/key.ts';
import type { Service } from '../src/service.ts';
import { startFakeZendesk, type Ticket } from './fakes/zendesk.ts';
import { createTestDatabase } from './helpers/database.ts';
import { startReceiver } from './helpers/receiver.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const EMAIL = 'ops@acme.example';
const TOKEN = 'zd-token-through-the-key-rotation';
const SIGNING = 'a2V5IHJvdGF0aW9uIHNpZ25pbmcgc2VjcmV0';
const HOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

test('re-sealing under a new BATCHLINE_SECRET_KEY with jobs running: every job completes and every connection works after the old key is gone', async () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const db = await createTestDatabase();
  // Slow enough that the batch job is still at the provider across both restarts.
  const sim = await startSimulator({ processingMs: 1500 });
  const zendesk = await startFakeZendesk({ email: EMAIL, apiToken: TOKEN, tickets: Array.from({ length: 8 }, (_, i) => i + 1) });
  const receiver = await startReceiver();
  let service: Service | undefined;
  const start = async (env: Record<string, string>) => {
    await service?.close();
    service = await startTestService(db, sim.url, env);
    return service;
  };
  try {
    let s = await start({ BATCHLINE_SECRET_KEY: oldKey.toString('base64') });
    assert.equal((await postJson(`${s.url}/v1/connections`, { name: 'zd', plugin: 'zendesk', config: { base_url: zendesk.url, email: EMAIL, api_token: TOKEN, webhook_secret: SIGNING, poll_interval_ms: 50 } })).status, 201);
    assert.equal((await postJson(`${s.url}/v1/connections`, { name: 'hook', plugin: 'http', config: { url: receiver.url, secret: HOOK_SECRET } })).status, 201);
    const stream = ((await (await postJson(`${s.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'zd', config: { stream: true } }, sinks: [{ connection: 'zd' }, { connection: 'hook' }] })).json()) as { id: string }).id;
    const batch = ((await (await postJson(`${s.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'zd' }, sinks: [{ connection: 'hook' }] })).json()) as { id: string }).id;
    // Inline documents: a job with no source, only its sink's sealed copy.
    const inline = ((await (await postJson(`${s.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'r1', text: 'Solid.' }], sinks: [{ connection: 'hook' }] })).json()) as { id: string }).id;
    // An experiment sampled from a source given inline keeps its sealed copy: promote reads the source again.
    const sampled = await postJson(`${s.url}/v1/experiments`, { task: 'ticket-triage', source: { plugin: 'zendesk', config: { base_url: zendesk.url, email: EMAIL, api_token: TOKEN } }, sample: { size: 4, seed: 7 }, arms: [{ name: 'sonnet', model: 'claude-sonnet-5-5' }, { name: 'haiku', model: 'claude-haiku-5-5' }] });
    assert.equal(sampled.status, 201, await sampled.clone().text());
    const experiment = ((await sampled.json()) as { id: string }).id;
    const push = async (url: string, id: number) => {
      const body = JSON.stringify({ ticket: { id, subject: `Ticket ${id}`, description: 'My card was charged twice.', updated_at: new Date(Date.UTC(2026, 10, 24, 10, 0, id)).toISOString() } });
      const timestamp = new Date().toISOString();
      const res = await fetch(`${url}/v1/connections/zd/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-zendesk-webhook-signature-timestamp': timestamp, 'x-zendesk-webhook-signature': signZendeskWebhook(SIGNING, timestamp, body) },
        body,
      });
      assert.equal(res.status, 202, await res.text());
    };
    await waitFor('the stream job to be running', async () => ((await (await fetch(`${s.url}/v1/jobs/${stream}`)).json()) as { status: string }).status === 'running', { timeoutMs: 10_000 });
    await push(s.url, 1);

    // 1. New key current, old key a fallback: everything still opens.
    s = await start({ BATCHLINE_SECRET_KEY: newKey.toString('base64'), BATCHLINE_SECRET_KEY_FALLBACKS: oldKey.toString('hex') });
    assert.equal(((await (await fetch(`${s.url}/v1/connections/zd`)).json()) as { secrets_key: string }).secrets_key, 'fallback');
    await push(s.url, 2);
    assert.equal(((await (await fetch(`${s.url}/v1/jobs/${batch}`)).json()) as { status: string }).status, 'running', 'the batch job is still running');

    // 2. Re-seal while they run; a second run finds nothing left.
    const first = await postJson(`${s.url}/v1/secrets/reseal`, undefined);
    assert.equal(first.status, 200);
    type Counts = { resealed: number; current: number; unreadable: number };
    const report = (await first.json()) as { connections: Counts; jobs: Counts; experiments: Counts; remaining: number; key_id: string; fallback_key_ids: string[] };
    // Jobs: the stream, the batch job and the inline one (the experiment's arms run on its sample, with no secret).
    assert.deepEqual([report.connections.resealed, report.connections.unreadable, report.jobs.resealed, report.jobs.unreadable, report.experiments.resealed, report.experiments.unreadable, report.remaining], [2, 0, 3, 0, 1, 0, 0]);
    assert.equal(report.fallback_key_ids.length, 1);
    assert.ok(!JSON.stringify(report).includes(newKey.toString('base64')) && !JSON.stringify(report).includes(oldKey.toString('hex')));
    const again = (await (await postJson(`${s.url}/v1/secrets/reseal`, undefined)).json()) as { connections: Counts; jobs: Counts; experiments: Counts };
    assert.deepEqual([again.connections.resealed, again.connections.current, again.jobs.resealed, again.jobs.current, again.experiments.resealed, again.experiments.current], [0, 2, 0, 3, 0, 1]);
    assert.equal(((await (await fetch(`${s.url}/v1/connections/zd`)).json()) as { secrets_key: string }).secrets_key, 'current');

    // Every sealed value in the database opens with the new key alone.
    const only = secretKeysOf(newKey);
    for (const row of await s.database.db.selectFrom('connections').select('secrets').execute()) if (row.secrets) assert.equal(openSealed(only, row.secrets).current, true);
    for (const job of await s.database.db.selectFrom('jobs').select(['source', 'sinks']).execute()) {
      for (const part of [job.source, ...(job.sinks as unknown[])] as Array<{ secrets?: string | null } | null>) if (part?.secrets) assert.equal(openSealed(only, part.secrets).current, true);
    }
    for (const row of await s.database.db.selectFrom('experiments').select('source').execute()) {
      const source = row.source as { secrets?: string | null } | null;
      if (source?.secrets) assert.equal(openSealed(only, source.secrets).current, true);
    }

    // 3. The old key is removed.
    s = await start({ BATCHLINE_SECRET_KEY: newKey.toString('base64') });
    await push(s.url, 3);
    const notes = (t: number) => (zendesk.tickets.get(t) as Ticket).comments.filter((c) => !c.public).length;
    await waitFor('an internal note on each of tickets 1, 2, 3', () => [1, 2, 3].every((t) => notes(t) >= 1), { timeoutMs: 20_000, intervalMs: 50 });
    assert.deepEqual([1, 2, 3].map(notes), [1, 1, 1], 'the stream job wrote every ticket back');
    assert.equal((await fetch(`${s.url}/v1/jobs/${stream}/close`, { method: 'POST' })).status, 202);
    for (const id of [stream, batch, inline]) {
      const job = await waitForJob(s.url, id, 30_000);
      assert.equal(job.status, 'completed', `${id}: ${JSON.stringify(job.deliveries)}`);
      assert.equal(job.deliveries.dead, 0);
    }
    // The experiment's winner is promoted with the old key gone (once its arms have ended): its source opens.
    await waitFor(`experiment ${experiment} to be completed`, async () => ((await (await fetch(`${s.url}/v1/experiments/${experiment}`)).json()) as { status: string }).status === 'completed', { timeoutMs: 60_000, intervalMs: 50 });
    const promoted = await postJson(`${s.url}/v1/experiments/${experiment}/promote`, { arm: 'sonnet' });
    assert.equal(promoted.status, 201, await promoted.clone().text());
    const full = await waitForJob(s.url, ((await promoted.json()) as { id: string }).id, 30_000);
    assert.equal(full.status, 'completed', JSON.stringify(full));
    // And the connections work for new jobs: the export (tickets 1–3 are Batchline's own updates now).
    const fresh = await waitForJob(s.url, ((await (await postJson(`${s.url}/v1/jobs`, { task: 'ticket-triage', source: { connection: 'zd', config: { start_time: 0 } }, sinks: [{ connection: 'hook' }] })).json()) as { id: string }).id);
    assert.equal(fresh.status, 'completed');
    assert.equal(fresh.deliveries.delivered, fresh.counts.total);
    for (const request of receiver.requests) {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
      assert.doesNotThrow(() => new Webhook(HOOK_SECRET).verify(request.body, headers), 'signed with the sealed hook secret throughout');
    }
  } finally {
    await service?.close();
    await receiver.close();
    await zendesk.close();
    await sim.close();
    await db.drop();
  }
});
