// The span tree of a full job, read from the in-memory exporter: one trace from creation to delivery,
// continued from the traceparents stored in Postgres by a second service instance after the first
// stopped; the callback's span linked to its batch; GenAI attributes; errors recorded with status; and
// polls that change nothing leave no span (but are counted).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import { context, metrics, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Webhook } from 'standardwebhooks';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import { METRICS } from '../src/telemetry/metric-names.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startReceiver, type Receiver } from './helpers/receiver.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));

/** Collects only when asked. */
class ManualReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
const reader = new ManualReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

/** batchline.poll.calls so far, over every outcome (a cumulative counter). */
async function pollCallsSoFar(): Promise<number> {
  const { resourceMetrics } = await reader.collect();
  const sums = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === METRICS.pollCalls.name);
  return sums.reduce((n, m) => n + (m.dataPoints as Array<{ value: unknown }>).reduce((k, p) => k + Number(p.value), 0), 0);
}

const CALLBACK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const SLOW_POLLS = { WEBHOOK_SECRET: CALLBACK_SECRET, POLL_MIN_MS: '600000', POLL_MAX_MS: '600000', BATCHLINE_COLLECT_CHUNK: '10' };

let sim: Simulator;
let hook: Receiver;
let db: TestDatabase;

before(async () => {
  sim = await startSimulator({ processingMs: 100 });
  hook = await startReceiver();
});
after(async () => {
  await Promise.all([sim.close(), hook.close()]);
});
beforeEach(async () => {
  exporter.reset();
  sim.setFaults({});
});

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;

test('a job is one trace: creation, plan, submit, callback, poll, collect, parse, delivery — across a restart', async () => {
  db = await createTestDatabase();
  let first: Service | undefined = await startTestService(db, sim.url, SLOW_POLLS);
  let second: Service | undefined;
  try {
    const documents = Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, text: `review ${i}` }));
    const res = await postJson(`${first.url}/v1/jobs`, { task: 'review-insights', documents, sinks: [{ plugin: 'http', config: { url: hook.url } }] });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    const providerBatchId = await submittedBatch(first, id);
    await first.close();
    first = undefined;

    // A new instance, nothing in memory: its spans find their parents in the rows.
    second = await startTestService(db, sim.url, SLOW_POLLS);
    // A callback says the batch has ended: send it only once it has, or the one poll it triggers finds
    // the batch still processing and the next is 10 minutes away (a fast start on Postgres beat 100 ms).
    await providerBatchEnded(providerBatchId);
    const callback = await signedCallback(second.url, providerBatchId);
    assert.equal(callback.status, 202);
    const job = await waitForJob(second.url, id, 30_000);
    assert.equal(job.status, 'completed');
    const traceId = ((await (await fetch(`${second.url}/v1/jobs/${id}`)).json()) as { trace_id: string }).trace_id;
    await second.close();
    second = undefined;

    const spans = exporter.getFinishedSpans();
    const named = (name: string) => spans.filter((s) => s.name === name);
    const one = (name: string) => {
      const found = named(name);
      assert.equal(found.length, 1, `one ${name} span (got ${found.length})`);
      return found[0]!;
    };
    const outside = spans.filter((s) => s.spanContext().traceId !== traceId).map((s) => s.name);
    assert.deepEqual(outside, [], 'every span of the job, ours and the SDK\'s provider calls, is in its one trace');
    assert.ok(spans.some((s) => s.name.startsWith('anthropic.messages.batches.')), 'the SDK\'s own provider-call spans join it too');

    const create = one('job.create');
    const ingest = one('job.ingest');
    const plan = one('batch.plan');
    const submit = one('batch.submit');
    const received = one('callback.receive');
    const collect = one('batch.collect');
    const polls = named('batch.poll');
    const parses = named('result.parse');
    const delivers = named('sink.deliver');
    for (const span of [create, ingest, plan, submit, received, collect, ...polls, ...parses, ...delivers]) {
      assert.equal(span.spanContext().traceId, traceId, `${span.name} is in the job's trace`);
    }
    assert.equal(parentOf(create), undefined, 'job.create is the root here (no HTTP instrumentation in-process)');
    assert.equal(parentOf(ingest), idOf(create));
    assert.equal(parentOf(plan), idOf(create));
    const estimate = one('job.estimate');
    assert.equal(parentOf(estimate), idOf(create), 'the estimate before the first batch hangs under the job');
    assert.equal(estimate.attributes['batchline.estimate.items'], 40);
    const counts = named('anthropic.messages.count_tokens');
    assert.ok(counts.length >= 2 && counts.every((c) => parentOf(c) === idOf(estimate)), 'its count_tokens calls hang under it');
    assert.equal(parentOf(submit), idOf(plan), 'the batch spans hang under their batch');
    assert.ok(polls.length >= 1 && polls.every((p) => parentOf(p) === idOf(plan)));
    assert.equal(parentOf(collect), idOf(plan));
    assert.equal(parses.length, 4, '40 results in chunks of 10: four aggregated spans, not one per item');
    assert.ok(parses.every((p) => parentOf(p) === idOf(collect)));
    assert.equal(parses.reduce((n, p) => n + Number(p.attributes['batchline.results.stored']), 0), 40);
    assert.ok(delivers.length >= 1 && delivers.every((d) => parentOf(d) === idOf(create)));
    assert.equal(delivers.reduce((n, d) => n + Number(d.attributes['batchline.deliveries.delivered']), 0), 40);

    assert.equal(parentOf(received), idOf(create));
    assert.ok(received.links.some((l) => l.context.spanId === idOf(plan) && l.attributes?.['batchline.link'] === 'batch'), 'callback.receive links to its batch');
    assert.equal(received.attributes['batchline.callback.outcome'], 'accepted');

    // The restart: submit ran in the first instance, poll and collect in the second, under one parent.
    assert.ok(submit.endTime[0] * 1e9 + submit.endTime[1] <= polls[0]!.startTime[0] * 1e9 + polls[0]!.startTime[1]);

    assert.equal(submit.attributes['gen_ai.system'], 'anthropic');
    assert.equal(submit.attributes['gen_ai.request.model'], 'claude-haiku-5-5');
    assert.equal(submit.attributes['batchline.provider_batch.id'], providerBatchId);
    assert.equal(submit.attributes['batchline.batch.request_count'], 40);
    assert.ok(Number(collect.attributes['gen_ai.usage.input_tokens']) > 0);
    assert.ok(Number(collect.attributes['gen_ai.usage.output_tokens']) > 0);
    assert.ok(Number(collect.attributes['batchline.cost.usd']) > 0, 'the collect span carries the cost');
    assert.equal(collect.attributes['batchline.results.succeeded'], 40);
    assert.equal(polls.at(-1)!.attributes['batchline.provider_status'], 'ended');
  } finally {
    await first?.close();
    await second?.close();
    await db.drop();
  }
});

test('provider errors are recorded on their span with status ERROR', async () => {
  db = await createTestDatabase();
  const service = await startTestService(db, sim.url);
  try {
    sim.setFaults({ http: [{ route: 'create', status: 529, times: 1 }] });
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'fine' }] });
    const { id } = (await res.json()) as { id: string };
    const job = await waitForJob(service.url, id, 30_000);
    assert.equal(job.status, 'completed');
    const submits = exporter.getFinishedSpans().filter((s) => s.name === 'batch.submit');
    assert.ok(submits.length >= 2, 'the refused create and its retry');
    const failed = submits.find((s) => s.status.code === SpanStatusCode.ERROR);
    assert.ok(failed, 'the refused create is an error span');
    assert.ok(failed.events.some((e) => e.name === 'exception'), 'with the exception recorded');
    assert.ok(failed.attributes['error.type']);
    assert.match(String(failed.status.message), /529|overloaded/i, 'the status says what the provider answered, not [object Object]');
    assert.ok(submits.some((s) => s.status.code !== SpanStatusCode.ERROR && s.attributes['batchline.provider_batch.id']), 'the retry succeeds');
  } finally {
    await service.close();
    await db.drop();
  }
});

test('a poll that changes nothing leaves no span; the poll that sees the end does; every poll is counted', async () => {
  db = await createTestDatabase();
  // Long enough for several looks at an unchanged batch between submit and end.
  sim.setProcessingMs(2000);
  const service = await startTestService(db, sim.url, { POLL_MIN_MS: '100', POLL_MAX_MS: '150' });
  try {
    const before = await pollCallsSoFar();
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'fine' }, { id: 'b', text: 'slow' }] });
    const { id } = (await res.json()) as { id: string };
    const job = await waitForJob(service.url, id, 30_000);
    assert.equal(job.status, 'completed');
    const batch = await service.database.db.selectFrom('batches').select(['poll_count']).where('job_id', '=', id).executeTakeFirstOrThrow();
    assert.ok(batch.poll_count >= 3, `the batch was looked at while unchanged (polls: ${batch.poll_count})`);

    const spans = exporter.getFinishedSpans();
    const polls = spans.filter((s) => s.name === 'batch.poll');
    assert.equal(polls.length, 1, `only the poll that saw the end has a span (polls: ${batch.poll_count}, spans: ${polls.length})`);
    assert.equal(polls[0]!.attributes['batchline.provider_status'], 'ended');
    assert.equal(polls[0]!.attributes['batchline.batch.poll_count'], batch.poll_count, 'it is the last poll');
    assert.equal(polls[0]!.attributes['batchline.batch.requests.succeeded'], 2);
    // The provider SDK's own span of an unchanged look is gone too; collect's results() reads the batch
    // first, so its retrieve spans hang under batch.collect.
    const collects = new Set(spans.filter((s) => s.name === 'batch.collect').map(idOf));
    const strayRetrieves = spans.filter((s) => s.name === 'anthropic.messages.batches.retrieve' && !collects.has(parentOf(s)));
    assert.deepEqual(strayRetrieves.map((s) => parentOf(s) ?? 'root'), [], 'no provider-call span of a poll is exported');
    assert.equal((await pollCallsSoFar()) - before, batch.poll_count, 'every poll, kept or not, is counted in batchline.poll.calls');
  } finally {
    sim.setProcessingMs(100);
    await service.close();
    await db.drop();
  }
});

test('the lifecycle sweep: a delete is a job.delete span in the job\'s trace, within a lifecycle.sweep pass; purged rows are counted', async () => {
  db = await createTestDatabase();
  const service = await startTestService(db, sim.url, { BATCHLINE_SWEEP_INTERVAL_MS: '50' });
  try {
    const counted = async (name: string) => {
      const { resourceMetrics } = await reader.collect();
      const sums = resourceMetrics.scopeMetrics.flatMap((m) => m.metrics).filter((m) => m.descriptor.name === name);
      return sums.reduce((n, m) => n + (m.dataPoints as Array<{ value: unknown }>).reduce((k, p) => k + Number(p.value), 0), 0);
    };
    const purgedBefore = await counted(METRICS.purgedRows.name);
    const deletedBefore = await counted(METRICS.providerBatchesDeleted.name);
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, text: `review ${i}` })) });
    const { id } = (await res.json()) as { id: string; trace_id: string | null };
    const job = (await waitForJob(service.url, id, 30_000)) as { trace_id?: string | null };
    assert.equal((await fetch(`${service.url}/v1/jobs/${id}`, { method: 'DELETE' })).status, 202);
    await waitFor(`deleted job ${id} to be gone`, async () => (await fetch(`${service.url}/v1/jobs/${id}`)).status === 404, { timeoutMs: 20_000, intervalMs: 50 });
    const spans = exporter.getFinishedSpans();
    const sweeps = spans.filter((s) => s.name === 'lifecycle.sweep');
    assert.ok(sweeps.length >= 1, 'a pass with work has a span');
    assert.ok(sweeps.some((s) => s.attributes['batchline.sweep.deleted'] === 1));
    const deletes = spans.filter((s) => s.name === 'job.delete' && s.attributes['batchline.job.id'] === id);
    assert.ok(deletes.length >= 1);
    assert.ok(job.trace_id);
    assert.ok(deletes.every((s) => s.spanContext().traceId === job.trace_id), "in the job's own trace");
    assert.ok(deletes.some((s) => Number(s.attributes['batchline.delete.rows']) >= 24), 'its rows: 12 items and 12 results');
    // 12 items + 12 results + 1 batch + the job row, and its one batch at the provider.
    assert.ok((await counted(METRICS.purgedRows.name)) - purgedBefore >= 26);
    assert.equal((await counted(METRICS.providerBatchesDeleted.name)) - deletedBefore, 1);
  } finally {
    await service.close();
    await db.drop();
  }
});

test('a results stream cut midway is read again from the top, and the second read stores only what the first did not', async () => {
  db = await createTestDatabase();
  // Chunks of 10: the first read stores lines 1–20, then the stream is cut inside line 21.
  const service = await startTestService(db, sim.url, { BATCHLINE_COLLECT_CHUNK: '10' });
  try {
    sim.setFaults({ cutResults: 1 });
    const documents = Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, text: `review ${i}` }));
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents });
    const { id } = (await res.json()) as { id: string };
    const job = await waitForJob(service.url, id, 30_000);
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, 40);
    const batch = await service.database.db.selectFrom('batches').select(['id', 'collect_reads']).where('job_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(batch.collect_reads, 2, 'read twice: the cut read, then the whole one');

    const collects = exporter.getFinishedSpans().filter((s) => s.name === 'batch.collect' && s.attributes['batchline.batch.id'] === batch.id);
    collects.sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    assert.equal(collects.length, 2);
    const [cut, again] = collects as [ReadableSpan, ReadableSpan];
    assert.equal(cut.attributes['batchline.results.stored_before'], undefined, 'the first read loads nothing');
    assert.equal(again.attributes['batchline.results.stored_before'], 20);
    assert.equal(again.attributes['batchline.results.skipped'], 20, 'the stored lines are passed over');
    const parsed = (collect: ReadableSpan, attribute: string) =>
      exporter.getFinishedSpans().filter((s) => s.name === 'result.parse' && parentOf(s) === idOf(collect)).reduce((n, s) => n + Number(s.attributes[attribute]), 0);
    assert.equal(parsed(cut, 'batchline.results.lines'), 20);
    assert.equal(parsed(again, 'batchline.results.lines'), 20, 'the second read parses and writes only the other 20 lines');
    assert.equal(parsed(again, 'batchline.results.stored'), 20);
    const results = await service.database.db.selectFrom('results').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(Number(results.n), 40);
  } finally {
    await service.close();
    await db.drop();
  }
});

function submittedBatch(service: Service, jobId: string): Promise<string> {
  return waitFor(`the batch of job ${jobId} to be submitted and in progress`, async () => {
    const batch = await service.database.db.selectFrom('batches').select(['provider_id', 'status']).where('job_id', '=', jobId).executeTakeFirst();
    return batch?.provider_id && batch.status === 'in_progress' ? batch.provider_id : undefined;
  }, { timeoutMs: 20_000, intervalMs: 50 });
}

async function providerBatchEnded(providerBatchId: string): Promise<void> {
  await waitFor(`provider batch ${providerBatchId} to end`, async () => {
    const res = await fetch(`${sim.url}/v1/messages/batches/${providerBatchId}`, { headers: { 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' } });
    return ((await res.json()) as { processing_status?: string }).processing_status === 'ended';
  }, { timeoutMs: 10_000, intervalMs: 20 });
}

function signedCallback(url: string, providerBatchId: string): Promise<Response> {
  const body = JSON.stringify({ type: 'message_batch.ended', batch_id: providerBatchId });
  const id = `msg_${randomBytes(6).toString('hex')}`;
  const at = new Date();
  return fetch(`${url}/v1/callbacks/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(CALLBACK_SECRET).sign(id, at, body) },
    body,
  });
}
