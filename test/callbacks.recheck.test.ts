// Issue #26: a callback makes a batch due at once whatever it was waiting for: a poll, a recheck after a
// 404 on its results (the batch has ended), or a look that a worker is making right now.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { recordBatchCallback } from '../src/engine/batches/callback.ts';
import { claimBatches } from '../src/engine/claim.ts';
import { planBatches } from '../src/engine/batches/plan.ts';
import { submitBatch } from '../src/engine/batches/submit.ts';
import { pollBatch } from '../src/engine/batches/track.ts';
import { silentLogger } from '../src/logger.ts';
import { createProviderClient } from '../src/provider/client.ts';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { startService } from '../src/service.ts';
import { createTestDatabase } from './helpers/database.ts';
import { postJson, startTestService, testConfig, waitForJob } from './helpers/service.ts';

const TEN_MINUTES = '600000';
const documents = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, text: `recheck document ${i}` }));

function signedCallback(secret: string, providerBatchId: string): RequestInit {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const at = new Date();
  const body = JSON.stringify({ type: 'message_batch.ended', batch_id: providerBatchId });
  return {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, body) },
  };
}

test('a callback for an ended batch waiting to read its results again (a 404) makes the read due at once', async () => {
  const db = await createTestDatabase();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  // Polls and rechecks both at ten minutes: only a callback can make the second results read happen in time.
  const sim = await startSimulator({ processingMs: 300, faults: { notFound: { firstResults: true } } });
  const service = await startTestService(db, sim.url, {
    WEBHOOK_SECRET: secret,
    POLL_MIN_MS: TEN_MINUTES,
    POLL_MAX_MS: TEN_MINUTES,
    BATCHLINE_RECHECK_MIN_MS: TEN_MINUTES,
    BATCHLINE_RECHECK_MAX_MS: TEN_MINUTES,
  });
  try {
    sim.setNotify({ url: `${service.url}/v1/callbacks/batches`, secret });
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents })).json()) as { id: string };
    const batches = service.database.db.selectFrom('batches').selectAll().where('job_id', '=', id);
    const waiting = await waitFor(async () => (await batches.execute()).find((b) => b.status === 'ended' && b.unconfirmed_looks > 0), 15_000);
    assert.ok((waiting.next_run_at?.getTime() ?? 0) > Date.now() + 60_000, 'the results 404 left the batch waiting for its recheck');

    const res = await fetch(`${service.url}/v1/callbacks/batches`, signedCallback(secret, waiting.provider_id ?? ''));
    assert.equal(res.status, 202);
    const job = await waitForJob(service.url, id, 15_000);
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, documents.length);
    assert.equal(sim.stats().requestsSubmitted, documents.length, 'nothing sent twice');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a callback that lands while a worker is looking at the batch is not overwritten by that look', async () => {
  const db = await createTestDatabase();
  // The batch runs for a minute, so the look made while the callback lands finds it in progress.
  const sim = await startSimulator({ processingMs: 60_000 });
  const config = testConfig(db, { POLL_MIN_MS: TEN_MINUTES, POLL_MAX_MS: TEN_MINUTES });
  const service = await startService(config, { log: silentLogger(), provider: createProviderClient({ apiKey: 'k', baseURL: sim.url }), worker: false });
  try {
    assert.equal((await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents })).status, 201);
    const ctx = service.engine;
    const [planned] = await waitFor(async () => {
      const found = await planBatches(ctx);
      return found.length > 0 ? found : undefined;
    }, 10_000);
    assert.ok(planned);
    await submitBatch(ctx, planned);
    // Its poll falls due (ten minutes on), and a worker claims it for a look.
    await service.database.db.updateTable('batches').set({ next_run_at: new Date(Date.now() - 1000) }).where('id', '=', planned.id).execute();
    const [claimed] = await claimBatches(ctx, ['in_progress'], 1);
    assert.ok(claimed?.provider_id, 'submitted and claimed for a look');

    // The callback lands after the claim, before the look's answer is written.
    assert.equal(await recordBatchCallback(service.database.db, 'msg_during_the_look', claimed.provider_id), 'accepted');
    await pollBatch(ctx, claimed);

    const row = await service.database.db.selectFrom('batches').selectAll().where('id', '=', claimed.id).executeTakeFirstOrThrow();
    assert.equal(row.provider_status, 'in_progress');
    assert.equal(row.lease_owner, null);
    assert.ok((row.next_run_at?.getTime() ?? Infinity) <= Date.now() + 1000, `due at once, not in ten minutes (due ${row.next_run_at?.toISOString()})`);
    // The next claim is the look the callback asked for, and it clears the request.
    const [again] = await claimBatches(ctx, ['in_progress'], 1);
    assert.equal(again?.id, claimed.id);
    assert.equal(again?.recheck_requested, false);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
