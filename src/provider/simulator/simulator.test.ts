// Specification of the Message Batches simulator, driven through the real @anthropic-ai/sdk client (and raw fetch).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import Anthropic, {
  AuthenticationError,
  BadRequestError,
  ContentTooLargeError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import type { MessageBatch, MessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { itemFaultFor, paramsHash, sampleFromJsonSchema, startSimulator, type Simulator, type SimulatorOptions } from './index.ts';

const MODEL = 'claude-sonnet-5-5';

type BatchRequest = Anthropic.Messages.Batches.BatchCreateParams.Request;

function clientFor(sim: Simulator, overrides: { maxRetries?: number; apiKey?: string } = {}): Anthropic {
  return new Anthropic({ apiKey: overrides.apiKey ?? 'test', baseURL: sim.url, maxRetries: overrides.maxRetries ?? 0 });
}

async function withSimulator(options: SimulatorOptions, run: (sim: Simulator, client: Anthropic) => Promise<void>): Promise<void> {
  const sim = await startSimulator(options);
  try {
    await run(sim, clientFor(sim));
  } finally {
    await sim.close();
  }
}

function textRequest(customId: string, text: string): BatchRequest {
  return { custom_id: customId, params: { model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: text }] } };
}

async function waitForEnd(client: Anthropic, id: string): Promise<MessageBatch> {
  for (let i = 0; i < 500; i++) {
    const batch = await client.messages.batches.retrieve(id);
    if (batch.processing_status === 'ended') return batch;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`batch ${id} never ended`);
}

async function collect(client: Anthropic, id: string): Promise<Map<string, MessageBatchIndividualResponse>> {
  const byId = new Map<string, MessageBatchIndividualResponse>();
  for await (const line of await client.messages.batches.results(id)) {
    assert.ok(!byId.has(line.custom_id), `${line.custom_id} appeared twice`);
    byId.set(line.custom_id, line);
  }
  return byId;
}

const Extraction = z.object({
  sentiment: z.enum(['positive', 'neutral', 'negative']),
  score: z.number().int().min(1).max(5),
  summary: z.string().min(10).max(200),
  topics: z.array(z.string()).min(1).max(4),
  reviewer: z.object({ email: z.email().nullable(), since: z.iso.date() }),
  refund: z.union([z.object({ amount: z.number().positive(), currency: z.literal('EUR') }), z.null()]),
});
const extractionSchema = z.toJSONSchema(Extraction) as Record<string, unknown>;

function toolRequest(customId: string, text: string): BatchRequest {
  return {
    custom_id: customId,
    params: {
      model: MODEL,
      max_tokens: 1024,
      messages: [{ role: 'user', content: text }],
      tools: [{ name: 'record_review', description: 'Record the extraction', input_schema: extractionSchema as Anthropic.Messages.Tool.InputSchema }],
      tool_choice: { type: 'tool', name: 'record_review' },
    },
  };
}

test('a batch goes in_progress → ended and its results hold every custom_id once, with schema-valid tool input', async () => {
  await withSimulator({}, async (_sim, client) => {
    const requests = Array.from({ length: 30 }, (_, i) => toolRequest(`doc-${i}`, `Review ${i}: the blender is loud but works.`));
    const created = await client.messages.batches.create({ requests });
    assert.match(created.id, /^msgbatch_[0-9A-Za-z]{24}$/);
    assert.equal(created.processing_status, 'in_progress');
    assert.deepEqual(created.request_counts, { processing: 30, succeeded: 0, errored: 0, canceled: 0, expired: 0 });
    assert.match(created.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(Date.parse(created.expires_at) - Date.parse(created.created_at), 24 * 3600 * 1000);
    assert.equal(created.results_url, null);

    const ended = await waitForEnd(client, created.id);
    assert.deepEqual(ended.request_counts, { processing: 0, succeeded: 30, errored: 0, canceled: 0, expired: 0 });
    assert.ok(ended.ended_at !== null);
    assert.equal(ended.results_url, `${_sim.url}/v1/messages/batches/${created.id}/results`);

    const validator = z.fromJSONSchema(extractionSchema as never);
    const seen: string[] = [];
    const inputs = new Set<string>();
    for await (const line of await client.messages.batches.results(created.id)) {
      seen.push(line.custom_id);
      assert.equal(line.result.type, 'succeeded');
      if (line.result.type !== 'succeeded') continue;
      const { message } = line.result;
      assert.equal(message.stop_reason, 'tool_use');
      assert.equal(message.usage.service_tier, 'batch');
      const block = message.content[0];
      assert.ok(block && block.type === 'tool_use');
      assert.equal(block.name, 'record_review');
      assert.deepEqual(block.caller, { type: 'direct' });
      const parsed = validator.safeParse(block.input);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      assert.ok(Extraction.safeParse(block.input).success);
      inputs.add(JSON.stringify(block.input));
    }
    assert.equal(seen.length, 30);
    assert.equal(new Set(seen).size, 30);
    assert.notDeepEqual(seen, requests.map((r) => r.custom_id), 'results must not come back in submission order');
    assert.ok(inputs.size > 20, 'different requests get different answers');
  });
});

test('bad params error only their own request; text answers mention the prompt; max_tokens caps output', async () => {
  await withSimulator({}, async (_sim, client) => {
    const created = await client.messages.batches.create({
      requests: [
        textRequest('ok', 'Summarize the shipping delays please'),
        { custom_id: 'no-max', params: { model: MODEL, messages: [{ role: 'user', content: 'x' }] } as never },
        { custom_id: 'no-model', params: { max_tokens: 10, messages: [{ role: 'user', content: 'x' }] } as never },
        { custom_id: 'streaming', params: { ...textRequest('s', 'x').params, stream: true } as never },
        { custom_id: 'tiny', params: { model: MODEL, max_tokens: 3, messages: [{ role: 'user', content: 'Tell me a story' }] } },
      ],
    });
    const ended = await waitForEnd(client, created.id);
    assert.equal(ended.request_counts.succeeded, 2);
    assert.equal(ended.request_counts.errored, 3);
    const results = await collect(client, created.id);
    const ok = results.get('ok')?.result;
    assert.ok(ok?.type === 'succeeded');
    const text = ok.message.content[0];
    assert.ok(text?.type === 'text' && text.text.includes('Summarize the shipping'));
    assert.equal(ok.message.stop_reason, 'end_turn');
    assert.ok(ok.message.usage.input_tokens > 0 && ok.message.usage.output_tokens > 0);
    for (const [id, field] of [['no-max', 'max_tokens'], ['no-model', 'model'], ['streaming', 'stream']] as const) {
      const result = results.get(id)?.result;
      assert.ok(result?.type === 'errored', id);
      assert.equal(result.error.type, 'error');
      assert.equal(result.error.error.type, 'invalid_request_error');
      assert.ok(result.error.error.message.startsWith(field), result.error.error.message);
    }
    const tiny = results.get('tiny')?.result;
    assert.ok(tiny?.type === 'succeeded');
    assert.equal(tiny.message.stop_reason, 'max_tokens');
    assert.equal(tiny.message.usage.output_tokens, 3);
  });
});

test('list auto-paginates newest first across pages, and pages back with before_id', async () => {
  await withSimulator({}, async (_sim, client) => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await client.messages.batches.create({ requests: [textRequest('a', `b${i}`)] })).id);
    const listed: string[] = [];
    for await (const batch of client.messages.batches.list({ limit: 3 })) listed.push(batch.id);
    assert.deepEqual(listed, [...ids].reverse());

    const first = await client.messages.batches.list({ limit: 3 });
    assert.equal(first.has_more, true);
    assert.equal(first.first_id, ids[6]);
    assert.equal(first.last_id, ids[4]);
    const before = await client.messages.batches.list({ limit: 2, before_id: ids[2] as string });
    assert.deepEqual(before.data.map((b) => b.id), [ids[4], ids[3]]);
    assert.equal(before.has_more, true);
    const backwards: string[] = [];
    for await (const batch of client.messages.batches.list({ limit: 2, before_id: ids[0] as string })) backwards.push(batch.id);
    assert.deepEqual(new Set(backwards), new Set(ids.slice(1)));
    await assert.rejects(client.messages.batches.list({ limit: 0 }), BadRequestError);
  });
});

test('cancel moves a batch to canceling, then ended with its requests canceled (some in flight may succeed)', async () => {
  await withSimulator({ processingMs: 60_000 }, async (sim, client) => {
    const requests = Array.from({ length: 40 }, (_, i) => textRequest(`c${i}`, `cancel me ${i}`));
    const created = await client.messages.batches.create({ requests });
    const canceling = await client.messages.batches.cancel(created.id);
    assert.equal(canceling.processing_status, 'canceling');
    assert.ok(canceling.cancel_initiated_at !== null);
    const ended = await waitForEnd(client, created.id);
    assert.deepEqual(ended.request_counts, { processing: 0, succeeded: 0, errored: 0, canceled: 40, expired: 0 });
    const results = await collect(client, created.id);
    assert.ok([...results.values()].every((line) => line.result.type === 'canceled'));
    await assert.rejects(client.messages.batches.cancel(created.id), BadRequestError);

    sim.setFaults({ cancelSucceedFraction: 0.5 });
    const second = await client.messages.batches.create({ requests });
    await client.messages.batches.cancel(second.id);
    const secondEnded = await waitForEnd(client, second.id);
    const { succeeded, canceled } = secondEnded.request_counts;
    assert.equal(succeeded + canceled, 40);
    assert.ok(succeeded > 5 && canceled > 5, `${succeeded} succeeded, ${canceled} canceled`);
  });
});

test('delete refuses a live batch, removes an ended one, and unknown ids are 404 everywhere', async () => {
  await withSimulator({ processingMs: 60_000 }, async (sim, client) => {
    const created = await client.messages.batches.create({ requests: [textRequest('a', 'x')] });
    await assert.rejects(client.messages.batches.delete(created.id), BadRequestError);
    sim.setProcessingMs(0);
    await waitForEnd(client, created.id);
    assert.deepEqual(await client.messages.batches.delete(created.id), { id: created.id, type: 'message_batch_deleted' });
    await assert.rejects(client.messages.batches.retrieve(created.id), NotFoundError);
    for (const call of [
      () => client.messages.batches.retrieve('msgbatch_nope'),
      () => client.messages.batches.cancel('msgbatch_nope'),
      () => client.messages.batches.delete('msgbatch_nope'),
      () => client.messages.batches.results('msgbatch_nope'),
    ]) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof NotFoundError);
        assert.equal(error.type, 'not_found_error');
        assert.match(error.requestID ?? '', /^req_/);
        return true;
      });
    }
  });
});

test('count_tokens and a single messages.create answer like the API', async () => {
  await withSimulator({}, async (_sim, client) => {
    const counted = await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'Hello, how many tokens is this?' }] });
    assert.ok(counted.input_tokens > 0);
    await assert.rejects(client.messages.countTokens({ model: MODEL } as never), BadRequestError);
    const message = await client.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'Ping' }] });
    assert.equal(message.type, 'message');
    assert.equal(message.usage.service_tier, 'standard');
    assert.match(message.id, /^msg_/);
  });
});

test('auth, anthropic-version, envelope errors and request-id headers', async () => {
  await withSimulator({ apiKey: 'right-key' }, async (sim) => {
    await assert.rejects(clientFor(sim, { apiKey: 'wrong-key' }).messages.batches.list(), AuthenticationError);
    const client = clientFor(sim, { apiKey: 'right-key' });

    const anonymous = await fetch(`${sim.url}/v1/messages/batches`, { headers: { 'anthropic-version': '2023-06-01' } });
    assert.equal(anonymous.status, 401);
    const body = (await anonymous.json()) as { type: string; error: { type: string }; request_id: string };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'authentication_error');
    assert.equal(body.request_id, anonymous.headers.get('request-id'));
    assert.match(body.request_id, /^req_/);

    const noVersion = await fetch(`${sim.url}/v1/messages/batches`, { headers: { 'x-api-key': 'right-key' } });
    assert.equal(noVersion.status, 400);
    const unknown = await fetch(`${sim.url}/v2/nothing`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('request-id') ?? '', /^req_/);

    await assert.rejects(
      client.messages.batches.create({ requests: [textRequest('same', 'a'), textRequest('same', 'b')] }),
      (error: unknown) => error instanceof BadRequestError && /requests\.1\.custom_id/.test(error.message),
    );
    await assert.rejects(
      client.messages.batches.create({ requests: [textRequest('ok-1', 'a'), textRequest('ok_2', 'b'), textRequest('has space', 'c')] }),
      (error: unknown) => error instanceof BadRequestError && /requests\.2\.custom_id/.test(error.message),
    );
    await assert.rejects(client.messages.batches.create({ requests: [] }), BadRequestError);
    const { response } = await client.messages.batches.list().withResponse();
    assert.match(response.headers.get('request-id') ?? '', /^req_/);
  });
  await withSimulator({ maxBodyBytes: 2_000 }, async (_sim, client) => {
    await assert.rejects(client.messages.batches.create({ requests: [textRequest('big', 'x'.repeat(5_000))] }), (error: unknown) => {
      assert.ok(error instanceof ContentTooLargeError);
      assert.equal(error.type, 'request_too_large');
      return true;
    });
  });
});

test('HTTP faults: 429 with retry-after on create, 500 on retrieve, counted down as used', async () => {
  await withSimulator({ faults: { http: [{ route: 'create', status: 429, times: 1, retryAfterSeconds: 1 }] } }, async (sim, client) => {
    await assert.rejects(client.messages.batches.create({ requests: [textRequest('a', 'x')] }), (error: unknown) => {
      assert.ok(error instanceof RateLimitError);
      assert.equal(error.type, 'rate_limit_error');
      assert.equal(error.headers?.get('retry-after'), '1');
      return true;
    });
    sim.setFaults({ http: [{ route: 'create', status: 429, times: 1, retryAfterSeconds: 0.05 }] });
    const created = await clientFor(sim, { maxRetries: 1 }).messages.batches.create({ requests: [textRequest('a', 'x')] });
    assert.equal(created.processing_status, 'in_progress');
    const stats = sim.stats();
    assert.equal(stats.callsByRoute.create, 3);
    assert.equal(stats.creates, 1, 'a refused create submits nothing');
    assert.equal(stats.submissionsByCustomId.a, 1);

    sim.setFaults({ http: [{ route: 'retrieve', status: 500, times: 2 }, { route: 'retrieve', status: 529, times: 1 }] });
    await assert.rejects(client.messages.batches.retrieve(created.id), (error: unknown) => error instanceof InternalServerError && error.status === 500 && error.type === 'api_error');
    await assert.rejects(client.messages.batches.retrieve(created.id), InternalServerError);
    await assert.rejects(client.messages.batches.retrieve(created.id), (error: unknown) => error instanceof Anthropic.APIError && error.status === 529 && error.type === 'overloaded_error');
    assert.equal((await client.messages.batches.retrieve(created.id)).id, created.id);
  });
});

test('item faults hit the first submission of given params only; resubmitted under new custom_ids they succeed', async () => {
  const items = { overloaded: 0.2, apiError: 0.1, invalidRequest: 0.05, expired: 0.1 };
  await withSimulator({ faults: { items } }, async (sim, client) => {
    const requests = Array.from({ length: 300 }, (_, i) => textRequest(`r${i}`, `document number ${i}`));
    const created = await client.messages.batches.create({ requests });
    const ended = await waitForEnd(client, created.id);
    const results = await collect(client, created.id);
    const failed: BatchRequest[] = [];
    const tally: Record<string, number> = {};
    for (const request of requests) {
      const expected = itemFaultFor(paramsHash(request.params), items);
      const result = results.get(request.custom_id)?.result;
      assert.ok(result !== undefined);
      const got = result.type === 'errored' ? result.error.error.type : result.type;
      assert.equal(got, expected ?? 'succeeded', request.custom_id);
      tally[got] = (tally[got] ?? 0) + 1;
      if (result.type !== 'succeeded') failed.push({ ...request, custom_id: `${request.custom_id}-retry` });
    }
    assert.ok((tally.overloaded_error ?? 0) > 30 && (tally.overloaded_error ?? 0) < 90, JSON.stringify(tally));
    assert.ok((tally.expired ?? 0) > 10 && (tally.expired ?? 0) < 50, JSON.stringify(tally));
    assert.equal(ended.request_counts.expired, tally.expired);
    assert.equal(ended.request_counts.errored, (tally.overloaded_error ?? 0) + (tally.api_error ?? 0) + (tally.invalid_request_error ?? 0));

    const retry = await client.messages.batches.create({ requests: failed });
    await waitForEnd(client, retry.id);
    const retried = await collect(client, retry.id);
    assert.equal(retried.size, failed.length);
    assert.ok([...retried.values()].every((line) => line.result.type === 'succeeded'));
    const stats = sim.stats();
    assert.equal(stats.requestsSubmitted, 300 + failed.length);
    assert.equal(stats.submissionsByParamsHash[paramsHash(failed[0]?.params)], 2);

    sim.setFaults({ items: { ...items, everyAttempt: true } });
    const again = await client.messages.batches.create({ requests: failed.map((r) => ({ ...r, custom_id: `${r.custom_id}2` })) });
    const againEnded = await waitForEnd(client, again.id);
    assert.equal(againEnded.request_counts.succeeded, 0);
  });
});

test('a cut results download makes the SDK iterator throw; the next download is whole', async () => {
  await withSimulator({ faults: { cutResults: 1 } }, async (sim, client) => {
    const requests = Array.from({ length: 2_000 }, (_, i) => textRequest(`k${i}`, `line ${i}`));
    const created = await client.messages.batches.create({ requests });
    await waitForEnd(client, created.id);
    let before = 0;
    await assert.rejects(async () => {
      for await (const _line of await client.messages.batches.results(created.id)) before += 1;
    });
    assert.ok(before > 0 && before < 2_000, `${before} lines before the cut`);
    assert.equal((await collect(client, created.id)).size, 2_000);
    assert.equal(sim.stats().resultsDownloads, 2);
  });
});

// Every marked prefix cacheable, and every request that can read it does: the API's rules are tested below.
const EVERY_PREFIX = { minTokens: [['*', 1]] as const, hitRate: 1 };

test('prompt cache: the first request writes the cached system prefix, later ones read it', async () => {
  await withSimulator({ promptCache: EVERY_PREFIX }, async (_sim, client) => {
    const system = [{ type: 'text' as const, text: 'You review products. '.repeat(200), cache_control: { type: 'ephemeral' as const } }];
    const requests: BatchRequest[] = Array.from({ length: 3 }, (_, i) => ({
      custom_id: `p${i}`,
      params: { model: MODEL, max_tokens: 200, system, messages: [{ role: 'user', content: `Review ${i} text` }] },
    }));
    requests.push(textRequest('plain', 'no cache here'));
    const created = await client.messages.batches.create({ requests });
    await waitForEnd(client, created.id);
    const results = await collect(client, created.id);
    const usage = (id: string) => {
      const result = results.get(id)?.result;
      assert.ok(result?.type === 'succeeded');
      return result.message.usage;
    };
    const first = usage('p0');
    assert.ok((first.cache_creation_input_tokens ?? 0) > 900);
    assert.equal(first.cache_creation?.ephemeral_5m_input_tokens, first.cache_creation_input_tokens);
    assert.equal(first.cache_read_input_tokens, 0);
    for (const id of ['p1', 'p2']) {
      assert.equal(usage(id).cache_read_input_tokens, first.cache_creation_input_tokens);
      assert.equal(usage(id).cache_creation_input_tokens, 0);
      assert.ok(usage(id).input_tokens < 50, 'only the uncached suffix counts as input');
    }
    assert.equal(usage('plain').cache_read_input_tokens, 0);
    assert.equal(usage('plain').cache_creation_input_tokens, 0);

    const hourly = { model: MODEL, max_tokens: 50, system: [{ type: 'text' as const, text: 'Long-lived context. '.repeat(100), cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } }], messages: [{ role: 'user' as const, content: 'hi' }] };
    const written = await client.messages.create(hourly);
    assert.ok((written.usage.cache_creation?.ephemeral_1h_input_tokens ?? 0) > 0);
    assert.equal(written.usage.cache_creation?.ephemeral_5m_input_tokens, 0);
    const read = await client.messages.create(hourly);
    assert.equal(read.usage.cache_read_input_tokens, written.usage.cache_creation_input_tokens);
  });
});

test('the prompt cache expires after its TTL', async () => {
  let now = Date.parse('2026-11-20T10:00:00Z');
  await withSimulator({ now: () => now, promptCache: EVERY_PREFIX }, async (_sim, client) => {
    const params = { model: MODEL, max_tokens: 50, system: [{ type: 'text' as const, text: 'Context. '.repeat(100), cache_control: { type: 'ephemeral' as const } }], messages: [{ role: 'user' as const, content: 'hi' }] };
    assert.ok(((await client.messages.create(params)).usage.cache_creation_input_tokens ?? 0) > 0);
    now += 4 * 60 * 1000;
    assert.ok(((await client.messages.create(params)).usage.cache_read_input_tokens ?? 0) > 0);
    now += 4 * 60 * 1000;
    assert.ok(((await client.messages.create(params)).usage.cache_read_input_tokens ?? 0) > 0, 'a hit refreshed the TTL');
    now += 6 * 60 * 1000;
    assert.ok(((await client.messages.create(params)).usage.cache_creation_input_tokens ?? 0) > 0, 'expired: written again');
  });
});

test('sampleFromJsonSchema produces valid values for tricky schemas, reproducible per seed', () => {
  const Node: z.ZodType<unknown> = z.object({ label: z.string().min(1), get children() { return z.array(Node).max(3); } });
  const zodSchemas = [
    Extraction,
    z.object({ tree: Node, id: z.uuid(), url: z.url(), at: z.iso.datetime(), code: z.string().regex(/^[A-Z]{3}-\d{2,4}$/) }),
    z.object({ tags: z.array(z.enum(['a', 'b', 'c'])).min(4).max(6), pair: z.tuple([z.string(), z.number()]), lookup: z.record(z.string(), z.number()) }),
    z.object({ n: z.number().gt(0).lt(1), step: z.number().multipleOf(5).min(7).max(40), i: z.int().min(-5).max(-2), big: z.int(), maybe: z.string().nullable().optional(), flag: z.boolean() }),
    z.intersection(z.object({ a: z.string().startsWith('ab').max(6) }), z.object({ b: z.literal(42) })),
    z.discriminatedUnion('kind', [z.object({ kind: z.literal('x'), x: z.number() }), z.object({ kind: z.literal('y'), y: z.string() })]),
  ];
  const handWritten: Array<Record<string, unknown>> = [
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { owner: { $ref: '#/definitions/person' }, count: { type: 'integer', minimum: 10, exclusiveMaximum: 12 } },
      required: ['owner', 'count'],
      additionalProperties: false,
      definitions: { person: { type: 'object', properties: { name: { type: ['string', 'null'] }, age: { type: 'integer', minimum: 0, maximum: 130 } }, required: ['name', 'age'] } },
    },
    {
      type: 'object',
      properties: {
        status: { enum: ['open', 'closed'] },
        fixed: { const: 7 },
        items: { type: 'array', items: { $ref: '#/$defs/item' }, minItems: 2 },
        either: { anyOf: [{ type: 'null' }, { type: 'string', format: 'email' }] },
        merged: { allOf: [{ type: 'object', properties: { p: { type: 'string' } }, required: ['p'] }, { properties: { q: { type: 'number', minimum: 100 } }, required: ['q'] }] },
      },
      required: ['status', 'fixed', 'items', 'either', 'merged'],
      $defs: { item: { type: 'object', properties: { sku: { type: 'string', pattern: '^[a-z]{2}[0-9]{3}$' }, qty: { type: 'integer', exclusiveMinimum: 0 } }, required: ['sku', 'qty'] } },
    },
  ];
  const schemas = [...zodSchemas.map((schema) => z.toJSONSchema(schema) as Record<string, unknown>), ...handWritten];
  for (const [index, schema] of schemas.entries()) {
    const validator = z.fromJSONSchema(schema as never);
    const samples = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const value = sampleFromJsonSchema(schema, `seed-${seed}`);
      const parsed = validator.safeParse(value);
      assert.ok(parsed.success, `schema ${index}, seed ${seed}: ${JSON.stringify(value)} → ${JSON.stringify(parsed.error?.issues)}`);
      samples.add(JSON.stringify(value));
    }
    assert.ok(samples.size > 1, `schema ${index} gives varied samples`);
    assert.deepEqual(sampleFromJsonSchema(schema, 'same'), sampleFromJsonSchema(schema, 'same'));
  }
  for (const [index, schema] of zodSchemas.entries()) {
    assert.ok(schema.safeParse(sampleFromJsonSchema(z.toJSONSchema(schema), `z${index}`)).success, `zod schema ${index}`);
  }
});

test('control endpoints steer a simulator from outside the process', async () => {
  await withSimulator({}, async (sim, client) => {
    const set = await fetch(`${sim.url}/_simulator/faults`, { method: 'POST', body: JSON.stringify({ http: [{ route: 'list', status: 503, times: 1 }] }) });
    assert.equal(set.status, 200);
    await assert.rejects(client.messages.batches.list(), (error: unknown) => error instanceof InternalServerError && error.status === 503);
    const bad = await fetch(`${sim.url}/_simulator/faults`, { method: 'POST', body: JSON.stringify({ items: { overloaded: 2 } }) });
    assert.equal(bad.status, 400);
    assert.equal((await fetch(`${sim.url}/_simulator/processing-ms`, { method: 'POST', body: JSON.stringify({ ms: 60_000 }) })).status, 200);
    const created = await client.messages.batches.create({ requests: [textRequest('a', 'x')] });
    assert.equal((await client.messages.batches.retrieve(created.id)).processing_status, 'in_progress');
    const stats = (await (await fetch(`${sim.url}/_simulator/stats`)).json()) as { creates: number; callsByRoute: Record<string, number> };
    assert.equal(stats.creates, 1);
    assert.equal(stats.callsByRoute.list, 1);
  });
});

test('the standalone process announces its URL, serves the SDK and exits cleanly on SIGTERM', async () => {
  const entry = fileURLToPath(new URL('./standalone.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, SIMULATOR_PORT: '0', SIMULATOR_PROCESSING_MS: '0', SIMULATOR_FAULTS: '{"cutResults":0}' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /^simulator listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const client = new Anthropic({ apiKey: 'test', baseURL: url, maxRetries: 0 });
    const created = await client.messages.batches.create({ requests: [textRequest('a', 'x')] });
    await waitForEnd(client, created.id);
    assert.equal((await collect(client, created.id)).size, 1);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});

test('a 100,000-request batch streams every result', async () => {
  await withSimulator({}, async (_sim, client) => {
    const n = 100_000;
    const requests = Array.from({ length: n }, (_, i) => textRequest(`big-${i}`, `item ${i}`));
    const created = await client.messages.batches.create({ requests });
    const ended = await waitForEnd(client, created.id);
    assert.equal(ended.request_counts.succeeded, n);
    const seen = new Uint8Array(n);
    let count = 0;
    for await (const line of await client.messages.batches.results(created.id)) {
      const index = Number(line.custom_id.slice(4));
      assert.equal(seen[index], 0);
      seen[index] = 1;
      count += 1;
    }
    assert.equal(count, n);
  });
});
