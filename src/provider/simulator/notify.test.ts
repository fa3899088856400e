// Specification of the simulator's completion notifier: signed message_batch.ended callbacks, driven through the real SDK.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { Webhook } from 'standardwebhooks';
import { waitFor } from '../../../test/helpers/wait-for.ts';
import { startSimulator, type NotifyOptions, type Simulator, type SimulatorOptions } from './index.ts';

interface Delivery {
  headers: Record<string, string>;
  body: string;
  /** Date.now() when the request had arrived whole. */
  at: number;
}

interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** Resolves once `count` deliveries have arrived; throws after `withinMs`. */
  waitFor(count: number, withinMs?: number): Promise<Delivery[]>;
  close(): Promise<void>;
}

/**
 * How long a test watches for a delivery that must not come (a second announcement, a retry after giving
 * up). Such an assertion cannot fail a correct notifier however slow the machine; a longer watch only
 * makes it likelier to catch a wrong one, and the notifier's own retries come 200 ms apart.
 */
const QUIET_MS = 400;

function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') out[name] = value;
  return out;
}

/** A callback endpoint that answers each request with the next of `statuses` (then 200) and keeps what it got. */
async function startReceiver(statuses: number[] = []): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ headers: plainHeaders(req.headers), body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('receiver is not listening on a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}/v1/callbacks/batches`,
    deliveries,
    // Generous: a condition wait costs nothing when the deliveries come on time.
    waitFor: (count, withinMs = 10_000) =>
      waitFor(`${count} deliveries`, () => deliveries.length >= count && deliveries.slice(0, count), { timeoutMs: withinMs, intervalMs: 10 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Waits until the notifier has counted what it is expected to have done (it counts after the receiver answered). */
function counted(sim: Simulator, expected: { sent: number; failures: number }): Promise<unknown> {
  return waitFor(`notifier counters sent=${expected.sent} failures=${expected.failures}`, () => {
    const stats = sim.stats();
    return stats.notificationsSent >= expected.sent && stats.notificationFailures >= expected.failures;
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

async function withNotifier(
  options: SimulatorOptions,
  statuses: number[],
  notify: Omit<NotifyOptions, 'url' | 'secret'>,
  run: (ctx: { sim: Simulator; client: Anthropic; receiver: Receiver; secret: string }) => Promise<void>,
): Promise<void> {
  const receiver = await startReceiver(statuses);
  const secret = newSecret();
  const sim = await startSimulator({ ...options, notify: { url: receiver.url, secret, ...notify } });
  try {
    await run({ sim, client: new Anthropic({ apiKey: 'k', baseURL: sim.url, maxRetries: 0 }), receiver, secret });
  } finally {
    await sim.close();
    await receiver.close();
  }
}

const request = {
  custom_id: 'a',
  params: { model: 'claude-sonnet-5-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hello' }] },
};

test('a batch ends on its own and is announced once, signed, without anybody retrieving it', async () => {
  await withNotifier({ processingMs: 100 }, [], {}, async ({ sim, client, receiver, secret }) => {
    const created = await client.messages.batches.create({ requests: [request] });
    const [delivery] = await receiver.waitFor(1);
    assert.ok(delivery);
    const event = new Webhook(secret).verify(delivery.body, delivery.headers) as Record<string, unknown>;
    assert.equal(event.type, 'message_batch.ended');
    assert.equal(event.batch_id, created.id);
    assert.ok(!Number.isNaN(Date.parse(String(event.timestamp))));
    assert.match(delivery.headers['webhook-id'] ?? '', /^msg_[0-9A-Za-z]+$/);
    assert.equal(delivery.headers['content-type'], 'application/json');
    assert.throws(() => new Webhook(newSecret()).verify(delivery.body, delivery.headers));

    const batch = await client.messages.batches.retrieve(created.id);
    assert.equal(batch.processing_status, 'ended');
    assert.equal(new Date(batch.ended_at ?? '').toISOString(), event.timestamp);
    await counted(sim, { sent: 1, failures: 0 });
    await sleep(QUIET_MS);
    assert.equal(receiver.deliveries.length, 1);
    assert.equal(sim.stats().notificationsSent, 1);
    assert.equal(sim.stats().notificationFailures, 0);
  });
});

// Date.now() and the timers' clock are read at millisecond resolution, each rounding down.
const CLOCK_SLACK_MS = 2;

test('a batch ended by a look is announced once too, after delayMs', async () => {
  const delayMs = 300;
  await withNotifier({ processingMs: 0 }, [], { delayMs }, async ({ sim, client, receiver }) => {
    const created = await client.messages.batches.create({ requests: [request] });
    const batch = await client.messages.batches.retrieve(created.id);
    assert.equal(batch.processing_status, 'ended');
    const [delivery] = await receiver.waitFor(1);
    assert.ok(delivery);
    // Measured from the batch's end as recorded, not from when this test got to look: a slow run cannot
    // make an on-time delivery look early, and an early one shows however fast the run.
    const endedAt = Date.parse(batch.ended_at ?? '');
    assert.ok(delivery.at - endedAt >= delayMs - CLOCK_SLACK_MS, `delivered ${delivery.at - endedAt} ms after the end, before delayMs (${delayMs})`);
    await counted(sim, { sent: 1, failures: 0 });
    await sleep(QUIET_MS);
    assert.equal(receiver.deliveries.length, 1);
  });
});

test('duplicate: true sends the identical request twice, same webhook-id', async () => {
  await withNotifier({ processingMs: 100 }, [], { duplicate: true }, async ({ sim, client, receiver, secret }) => {
    const created = await client.messages.batches.create({ requests: [request] });
    const [first, second] = await receiver.waitFor(2);
    assert.ok(first && second);
    assert.equal(second.headers['webhook-id'], first.headers['webhook-id']);
    assert.equal(second.headers['webhook-signature'], first.headers['webhook-signature']);
    assert.equal(second.body, first.body);
    assert.equal((new Webhook(secret).verify(second.body, second.headers) as { batch_id: string }).batch_id, created.id);
    await counted(sim, { sent: 2, failures: 0 });
    await sleep(QUIET_MS);
    assert.equal(receiver.deliveries.length, 2);
    assert.equal(sim.stats().notificationsSent, 2);
  });
});

test('a failing receiver is retried with the same webhook-id: 500, 500, then 200 makes 3 tries', async () => {
  await withNotifier({ processingMs: 50 }, [500, 500], {}, async ({ sim, client, receiver, secret }) => {
    await client.messages.batches.create({ requests: [request] });
    const tries = await receiver.waitFor(3);
    assert.equal(new Set(tries.map((t) => t.headers['webhook-id'])).size, 1);
    for (const t of tries) new Webhook(secret).verify(t.body, t.headers);
    await counted(sim, { sent: 1, failures: 0 });
    await sleep(QUIET_MS);
    assert.equal(receiver.deliveries.length, 3);
    assert.deepEqual([sim.stats().notificationsSent, sim.stats().notificationFailures], [1, 0]);
  });
});

test('after 1 try and 3 retries the notifier gives up and counts a failure', async () => {
  await withNotifier({ processingMs: 0 }, [500, 503, 502, 500, 500], {}, async ({ sim, client, receiver }) => {
    await client.messages.batches.create({ requests: [request] });
    await receiver.waitFor(4);
    await counted(sim, { sent: 0, failures: 1 });
    await sleep(QUIET_MS);
    assert.equal(receiver.deliveries.length, 4);
    assert.deepEqual([sim.stats().notificationsSent, sim.stats().notificationFailures], [0, 1]);
  });
});

test('a canceled batch is announced once, shortly after the cancel', async () => {
  await withNotifier({ processingMs: 60_000 }, [], {}, async ({ sim, client, receiver, secret }) => {
    const created = await client.messages.batches.create({ requests: [request] });
    // Nothing to announce yet (the batch runs for a minute): a delivery here could only be a wrong one.
    await sleep(50);
    assert.equal(receiver.deliveries.length, 0);
    await client.messages.batches.cancel(created.id);
    const [delivery] = await receiver.waitFor(1);
    assert.ok(delivery);
    assert.equal((new Webhook(secret).verify(delivery.body, delivery.headers) as { batch_id: string }).batch_id, created.id);
    const batch = await client.messages.batches.retrieve(created.id);
    assert.equal(batch.processing_status, 'ended');
    assert.equal(batch.request_counts.canceled, 1);
    // "Shortly" as recorded by the provider, which the announcement follows: not this run's speed.
    const endedAfterCancelMs = Date.parse(batch.ended_at ?? '') - Date.parse(batch.cancel_initiated_at ?? '');
    assert.ok(endedAfterCancelMs >= 0 && endedAfterCancelMs <= 100, `ended ${endedAfterCancelMs} ms after the cancel`);
    await counted(sim, { sent: 1, failures: 0 });
    await sleep(QUIET_MS);
    assert.equal(receiver.deliveries.length, 1);
  });
});

test('the notifier is switched by setNotify and POST /_simulator/notify; unset, nothing is sent', async () => {
  const receiver = await startReceiver();
  const sim = await startSimulator({ processingMs: 50 });
  const client = new Anthropic({ apiKey: 'k', baseURL: sim.url, maxRetries: 0 });
  const control = (body: unknown): Promise<Response> =>
    fetch(`${sim.url}/_simulator/notify`, { method: 'POST', body: JSON.stringify(body) });
  try {
    await client.messages.batches.create({ requests: [request] });
    // Past the batch's end (50 ms), with nobody to tell: nothing may arrive, however long this takes.
    await sleep(150);
    assert.equal(receiver.deliveries.length, 0);

    // Switched on later, the batch that is already due is ended by its timer and announced.
    sim.setNotify({ url: receiver.url, secret: newSecret() });
    await receiver.waitFor(1);

    assert.equal((await control({ url: 'not a url', secret: 'x' })).status, 400);
    assert.equal((await control({ url: receiver.url })).status, 400);
    const off = await control({});
    assert.deepEqual(await off.json(), { enabled: false });
    await client.messages.batches.create({ requests: [request] });
    // Switched off: this batch, due in 50 ms, is not announced (until the notifier is on again, below).
    await sleep(QUIET_MS);
    assert.equal(receiver.deliveries.length, 1);

    const on = await control({ url: receiver.url, secret: newSecret(), delayMs: 0, duplicate: false });
    assert.equal(on.status, 200);
    assert.equal('secret' in ((await on.json()) as object), false);
    const created = await client.messages.batches.create({ requests: [request] });
    const deliveries = await receiver.waitFor(3);
    const announced = deliveries.slice(1).map((d) => (JSON.parse(d.body) as { batch_id: string }).batch_id);
    // The batch created while the notifier was off was due already and gets its timer when it is switched on.
    assert.ok(announced.includes(created.id));
    assert.equal(new Set(announced).size, 2);
  } finally {
    await sim.close();
    await receiver.close();
  }
});
