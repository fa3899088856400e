// The simulator plays the real API's rough edges (reference §12, §14), driven through the real SDK: 404s
// for batches that exist, `ended` before results_url is set, batches that really vanish, and a prompt
// cache that caches nothing below the model's minimum and hits only best-effort inside a batch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic, { NotFoundError } from '@anthropic-ai/sdk';
import { parseFaults } from './faults-schema.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from './index.ts';

type BatchRequest = Anthropic.Messages.Batches.BatchCreateParams.Request;

async function withSimulator(options: SimulatorOptions, run: (sim: Simulator, client: Anthropic) => Promise<void>): Promise<void> {
  const sim = await startSimulator(options);
  try {
    await run(sim, new Anthropic({ apiKey: 'test', baseURL: sim.url, maxRetries: 0 }));
  } finally {
    await sim.close();
  }
}

const request = (i: number, model = 'claude-sonnet-5-5', system?: string): BatchRequest => ({
  custom_id: `r${i}`,
  params: {
    model,
    max_tokens: 64,
    ...(system ? { system: [{ type: 'text' as const, text: system, cache_control: { type: 'ephemeral' as const } }] } : {}),
    messages: [{ role: 'user', content: `request ${i}` }],
  },
});

async function status(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (error) {
    if (error instanceof Anthropic.APIError && error.status !== undefined) return error.status;
    throw error;
  }
}

test('notFound.firstRetrieve: a new batch answers 404 to its first retrieve, then is there', async () => {
  await withSimulator({ processingMs: 0, faults: { notFound: { firstRetrieve: true } } }, async (_sim, client) => {
    const created = await client.messages.batches.create({ requests: [request(1)] });
    await assert.rejects(client.messages.batches.retrieve(created.id), (e: unknown) => e instanceof NotFoundError && e.type === 'not_found_error');
    assert.equal((await client.messages.batches.retrieve(created.id)).processing_status, 'ended');
  });
});

test('notFound.retrieveRate: about that share of later retrieves answer 404, the same way each run', async () => {
  await withSimulator({ processingMs: 60_000, faults: { notFound: { retrieveRate: 0.3 } } }, async (_sim, client) => {
    const created = await client.messages.batches.create({ requests: [request(1)] });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push(await status(() => client.messages.batches.retrieve(created.id)));
    const missing = statuses.filter((s) => s === 404).length;
    assert.ok(missing > 35 && missing < 85, `${missing} of 200 retrieves answered 404`);
    assert.ok(statuses.every((s) => s === 200 || s === 404));
  });
});

test('notFound.firstResults: the first results call of an ended batch answers 404, the next streams every line', async () => {
  await withSimulator({ processingMs: 0, faults: { notFound: { firstResults: true } } }, async (sim, client) => {
    const created = await client.messages.batches.create({ requests: [request(1), request(2)] });
    assert.equal((await client.messages.batches.retrieve(created.id)).processing_status, 'ended');
    await assert.rejects(async () => {
      for await (const _ of await client.messages.batches.results(created.id)) assert.fail('no line before the 404');
    }, NotFoundError);
    const lines = [];
    for await (const line of await client.messages.batches.results(created.id)) lines.push(line.custom_id);
    assert.deepEqual(lines.sort(), ['r1', 'r2']);
    assert.equal(sim.stats().resultsDownloads, 1, 'the 404 is not a download');
    assert.equal(sim.stats().invisibleAnswers, 1);
  });
});

test('endedWithoutResultsUrl: ended, but results_url still null, so the SDK refuses to read; a later look has it', async () => {
  await withSimulator({ processingMs: 0, faults: { endedWithoutResultsUrl: 1 } }, async (_sim, client) => {
    const created = await client.messages.batches.create({ requests: [request(1)] });
    const first = await client.messages.batches.retrieve(created.id);
    assert.equal(first.processing_status, 'ended');
    assert.equal(first.results_url, null);
    const second = await client.messages.batches.retrieve(created.id);
    assert.match(second.results_url ?? '', /\/results$/);
  });
  await withSimulator({ processingMs: 0, faults: { endedWithoutResultsUrl: 1 } }, async (_sim, client) => {
    const created = await client.messages.batches.create({ requests: [request(1)] });
    // results() looks at the batch first; with no results_url it throws without a second request.
    await assert.rejects(client.messages.batches.results(created.id), /No batch `results_url`/);
    let n = 0;
    for await (const _ of await client.messages.batches.results(created.id)) n += 1;
    assert.equal(n, 1);
  });
});

test('a forgotten batch is 404 on every route, in any state, and not listed', async () => {
  await withSimulator({ processingMs: 60_000 }, async (sim, client) => {
    const created = await client.messages.batches.create({ requests: [request(1)] });
    assert.equal(sim.forgetBatch(created.id), true);
    assert.equal(sim.forgetBatch(created.id), false);
    assert.equal(await status(() => client.messages.batches.retrieve(created.id)), 404);
    assert.equal(await status(() => client.messages.batches.cancel(created.id)), 404);
    const listed = [];
    for await (const b of client.messages.batches.list({ limit: 10 })) listed.push(b.id);
    assert.ok(!listed.includes(created.id));
    // The control endpoint does the same for a simulator in another process.
    const other = await client.messages.batches.create({ requests: [request(2)] });
    const res = await fetch(`${sim.url}/_simulator/batches/${other.id}/forget`, { method: 'POST' });
    assert.equal(res.status, 200);
    assert.equal(await status(() => client.messages.batches.retrieve(other.id)), 404);
  });
});

test('the new fault switches are validated like the others (control endpoint, SIMULATOR_FAULTS)', () => {
  assert.equal(parseFaults({ notFound: { firstRetrieve: true, retrieveRate: 0.1, firstResults: true }, endedWithoutResultsUrl: 1 }).ok, true);
  const bad = parseFaults({ notFound: { retrieveRate: 2 } });
  assert.ok(!bad.ok && bad.message.startsWith('notFound.retrieveRate'), JSON.stringify(bad));
  assert.equal(parseFaults({ endedWithoutResultsUrl: -1 }).ok, false);
});

// ~1,100 tokens at the simulator's four characters a token.
const LONG_SYSTEM = 'Reference for reviewers of the Pulse 3 watch: battery, strap, app. '.repeat(66);

async function cacheUsage(client: Anthropic, requests: BatchRequest[]): Promise<Array<{ read: number; written: number }>> {
  const created = await client.messages.batches.create({ requests });
  while ((await client.messages.batches.retrieve(created.id)).processing_status !== 'ended') await new Promise((r) => setTimeout(r, 5));
  const usage = [];
  for await (const line of await client.messages.batches.results(created.id)) {
    assert.equal(line.result.type, 'succeeded');
    if (line.result.type === 'succeeded') usage.push({ read: line.result.message.usage.cache_read_input_tokens ?? 0, written: line.result.message.usage.cache_creation_input_tokens ?? 0 });
  }
  return usage;
}

test('a marked prefix below the model minimum caches nothing, silently; at or above it, it is cached', async () => {
  await withSimulator({ processingMs: 0, promptCache: { hitRate: 1 } }, async (_sim, client) => {
    // An unknown (newer) model: the largest published minimum, 4,096 tokens.
    const unknown = await cacheUsage(client, Array.from({ length: 5 }, (_, i) => request(i, 'claude-sonnet-5-5', LONG_SYSTEM)));
    assert.ok(unknown.every((u) => u.read === 0 && u.written === 0), JSON.stringify(unknown));
    // Sonnet 4.5's published minimum is 1,024 tokens.
    const known = await cacheUsage(client, Array.from({ length: 5 }, (_, i) => request(i, 'claude-sonnet-4-5', LONG_SYSTEM)));
    assert.equal(known.filter((u) => u.written > 1024).length, 1);
    assert.equal(known.filter((u) => u.read > 1024).length, 4);
  });
  await withSimulator({ processingMs: 0, promptCache: { minTokens: [['claude-sonnet-5-5', 1024]], hitRate: 1 } }, async (_sim, client) => {
    const configured = await cacheUsage(client, Array.from({ length: 3 }, (_, i) => request(i, 'claude-sonnet-5-5', LONG_SYSTEM)));
    assert.equal(configured.filter((u) => u.read > 0).length, 2, 'a configured minimum wins over the default');
  });
});

test('inside a batch, cache hits are best effort: about hitRate of the requests read, the others write again', async () => {
  await withSimulator({ processingMs: 0, promptCache: { hitRate: 0.5 } }, async (_sim, client) => {
    const usage = await cacheUsage(client, Array.from({ length: 400 }, (_, i) => request(i, 'claude-sonnet-4-5', LONG_SYSTEM)));
    const reads = usage.filter((u) => u.read > 0).length;
    const writes = usage.filter((u) => u.written > 0).length;
    assert.equal(reads + writes, 400, 'every request either reads or writes the prefix');
    assert.ok(reads > 150 && reads < 250, `${reads} of 400 read the cache`);
  });
});
