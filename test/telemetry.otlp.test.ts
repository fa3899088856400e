// Acceptance (issue #6): a job run by the real service with OTEL_EXPORTER_OTLP_ENDPOINT pointed at a local
// OTLP/HTTP receiver delivers ONE trace holding every lifecycle span, across a restart of the service;
// metrics arrive under the names of metric-names.ts; and no secret appears in anything exported or logged,
// error paths included: the provider answers a poll with 401 once, and a sink connection answers 500 twice.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import { METRIC_LIST } from '../src/telemetry/metric-names.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startReceiver, type Receiver } from './helpers/receiver.ts';
import { postJson, spawnService, testEnv, waitForJob, type ChildService } from './helpers/service.ts';

const SECRETS = {
  apiKey: `sk-ant-api03-${randomBytes(12).toString('hex')}`,
  bearer: `bl_${randomBytes(16).toString('hex')}`,
  callbackSecret: `whsec_${randomBytes(24).toString('base64')}`,
  sinkSecret: `whsec_${randomBytes(24).toString('base64')}`,
  sealingKey: randomBytes(32).toString('base64'),
  zendeskToken: `zd_${randomBytes(12).toString('hex')}`,
  queryToken: `qt_${randomBytes(12).toString('hex')}`,
  // The failing sink connection's: its sealed signing secret, and a token in its URL's query string.
  connectionSinkSecret: `whsec_${randomBytes(24).toString('base64')}`,
  sinkUrlToken: `st_${randomBytes(12).toString('hex')}`,
};

/** The failing sink answers 500 this many times, then recovers. */
const SINK_FAILURES = 2;

const LIFECYCLE_SPANS = ['job.create', 'job.ingest', 'batch.plan', 'batch.submit', 'batch.poll', 'callback.receive', 'batch.collect', 'result.parse', 'sink.deliver'];

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  links?: Array<{ traceId: string; spanId: string }>;
  status?: { code?: number };
}

let sim: Simulator;
let otlp: Receiver;
let hook: Receiver;
let flaky: Receiver;
let flakyCalls = 0;
let db: TestDatabase;

before(async () => {
  sim = await startSimulator({ processingMs: 100 });
  otlp = await startReceiver();
  hook = await startReceiver();
  flaky = await startReceiver((call) => {
    flakyCalls = call;
    return call <= SINK_FAILURES ? { status: 500, body: 'upstream unavailable' } : { status: 200 };
  });
  db = await createTestDatabase();
});

after(async () => {
  await Promise.all([sim.close(), otlp.close(), hook.close(), flaky.close()]);
  await db.drop();
});

test('one trace per job across a restart, over OTLP/HTTP, with metrics and no secret anywhere', async () => {
  const env = testEnv(db, {
    ANTHROPIC_API_KEY: SECRETS.apiKey,
    ANTHROPIC_BASE_URL: sim.url,
    BATCHLINE_API_KEYS: SECRETS.bearer,
    WEBHOOK_SECRET: SECRETS.callbackSecret,
    BATCHLINE_SECRET_KEY: SECRETS.sealingKey,
    // Only the callback makes the batch due: polls would otherwise find it ended first.
    POLL_MIN_MS: '600000',
    POLL_MAX_MS: '600000',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_METRIC_EXPORT_INTERVAL: '300',
  });
  const auth = { authorization: `Bearer ${SECRETS.bearer}` };
  const outputs: string[] = [];

  const first = await spawnService(env);
  let jobId: string;
  let providerBatchId: string;
  try {
    const connection = await postJson(`${first.url}/v1/connections`, { name: 'support', plugin: 'zendesk', kind: 'sink', config: { subdomain: 'acme', email: 'ops@acme.test', api_token: SECRETS.zendeskToken, tags: ['reviewed'] } }, auth);
    assert.equal(connection.status, 201, await connection.clone().text());
    const failing = await postJson(`${first.url}/v1/connections`, { name: 'flaky-hook', plugin: 'http', kind: 'sink', config: { url: `${flaky.url}?token=${SECRETS.sinkUrlToken}`, secret: SECRETS.connectionSinkSecret } }, auth);
    assert.equal(failing.status, 201, await failing.clone().text());
    const documents = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, text: `review ${i}: fine`, metadata: { rating: (i % 5) + 1 } }));
    const res = await postJson(`${first.url}/v1/jobs`, { name: 'traced', task: 'review-insights', documents, sinks: [{ plugin: 'http', config: { url: hook.url, secret: SECRETS.sinkSecret } }, { connection: 'flaky-hook' }] }, auth);
    assert.equal(res.status, 201, await res.clone().text());
    jobId = ((await res.json()) as { id: string }).id;
    providerBatchId = await waitForSubmittedBatch(first, jobId, auth);
    // A client that puts a token in a query string: the server span must not export it.
    assert.equal((await fetch(`${first.url}/v1/jobs?api_key=${SECRETS.queryToken}`, { headers: auth })).status, 200);
  } finally {
    first.child.kill('SIGTERM');
    await first.exited;
    outputs.push(first.output());
  }

  const second = await spawnService(env);
  try {
    // The first look after the callback is refused (401, as for a revoked key): it is recorded on the
    // batch and retried only when something makes the batch due again, here a second callback.
    sim.setFaults({ http: [{ route: 'retrieve', status: 401, times: 1 }] });
    assert.equal((await sendCallback(second.url, providerBatchId)).status, 202);
    const refused = await waitForBatchError(second, jobId, auth);
    assert.equal(refused.type, 'authentication_error', JSON.stringify(refused));
    assert.equal((await sendCallback(second.url, providerBatchId)).status, 202);
    const job = await waitForJob(second.url, jobId, 60_000, auth);
    assert.equal(job.status, 'completed', JSON.stringify(job.counts));
    assert.equal(hook.requests.length > 0, true, 'results were delivered');
    assert.ok(flaky.requests.length > 0, 'the failing sink got its results once it recovered');
    assert.equal(job.deliveries.dead, 0);
    // Let a metric export happen after the last delivery.
    await new Promise((r) => setTimeout(r, 800));
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
    outputs.push(second.output());
  }

  const traceBodies = otlp.requests.filter((r) => String(r.headers['content-type']).includes('json') && r.body.includes('resourceSpans'));
  const metricBodies = otlp.requests.filter((r) => r.body.includes('resourceMetrics'));
  assert.ok(traceBodies.length > 0, 'traces were exported over OTLP/HTTP');
  assert.ok(metricBodies.length > 0, 'metrics were exported over OTLP/HTTP');

  // Every lifecycle span is in the job's one trace, written by both processes.
  const jobView = (await (async () => {
    const svc = await spawnService(env);
    try {
      return (await (await fetch(`${svc.url}/v1/jobs/${jobId}`, { headers: auth })).json()) as { trace_id: string | null };
    } finally {
      svc.child.kill('SIGTERM');
      await svc.exited;
      outputs.push(svc.output());
    }
  })());
  assert.match(jobView.trace_id ?? '', /^[\da-f]{32}$/, 'the job answer carries its trace id');
  const spans: Array<OtlpSpan & { instance: string }> = [];
  for (const body of traceBodies) {
    const parsed = JSON.parse(body.body) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
    for (const rs of parsed.resourceSpans) {
      const instance = rs.resource.attributes.find((a) => a.key === 'service.instance.id')?.value.stringValue ?? '';
      for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ ...span, instance });
    }
  }
  const inTrace = spans.filter((s) => s.traceId === jobView.trace_id);
  for (const name of LIFECYCLE_SPANS) assert.ok(inTrace.some((s) => s.name === name), `span ${name} is in the job's trace (has: ${[...new Set(inTrace.map((s) => s.name))].join(', ')})`);
  assert.ok(new Set(inTrace.map((s) => s.instance)).size >= 2, 'the trace continues in the restarted process');
  const plan = inTrace.find((s) => s.name === 'batch.plan');
  const received = inTrace.find((s) => s.name === 'callback.receive');
  assert.ok(received?.links?.some((l) => l.spanId === plan?.spanId), 'callback.receive links to the batch it concerns');
  const submit = inTrace.find((s) => s.name === 'batch.submit');
  const attr = (s: OtlpSpan | undefined, key: string) => s?.attributes?.find((a) => a.key === key)?.value;
  assert.equal(attr(submit, 'gen_ai.system')?.stringValue, 'anthropic');
  assert.ok(attr(submit, 'gen_ai.request.model')?.stringValue);
  const collect = inTrace.find((s) => s.name === 'batch.collect');
  assert.ok(Number(attr(collect, 'gen_ai.usage.input_tokens')?.intValue) > 0, 'collect reports input tokens');
  assert.ok(Number(attr(collect, 'gen_ai.usage.output_tokens')?.intValue) > 0, 'collect reports output tokens');
  assert.ok(inTrace.filter((s) => s.name === 'result.parse').length < 30, 'result.parse is per chunk, not per item');
  if (db.kind === 'postgres') assert.ok(inTrace.some((s) => attr(s, 'db.system')?.stringValue === 'postgresql' || attr(s, 'db.system.name')?.stringValue === 'postgresql'), 'pg calls are traced');
  assert.ok(spans.some((s) => attr(s, 'http.route') !== undefined || /^(GET|POST) /.test(s.name)), 'HTTP server spans are exported');

  const metricNames = new Set([...metricBodies.map((b) => b.body).join('\n').matchAll(/"name":"(batchline\.[\w.]+)"/g)].map((m) => m[1]));
  for (const m of METRIC_LIST) assert.ok(metricNames.has(m.name), `metric ${m.name} was exported (got ${[...metricNames].join(', ')})`);

  // The error paths ran, and what they exported and logged is part of the scan below.
  assert.ok(flakyCalls > SINK_FAILURES, `the failing sink was retried (${flakyCalls} calls)`);
  const failedSpan = (name: string) => inTrace.find((s) => s.name === name && s.status?.code === 2);
  assert.ok(failedSpan('batch.poll'), 'the refused poll is an error span');
  assert.ok(failedSpan('sink.deliver'), 'the failed delivery is an error span');
  assert.match(outputs[1] ?? '', /batch check failed/, 'the refused poll is logged');

  // Nothing exported, nor any log line of either process, holds a secret (raw or base64 of it).
  const everything = [...otlp.requests.map((r) => r.body), ...outputs].join('\n');
  for (const [name, secret] of Object.entries(SECRETS)) {
    for (const form of [secret, Buffer.from(secret).toString('base64')]) assert.ok(!everything.includes(form), `${name} leaked`);
  }
  assert.match(outputs[1] ?? '', /"trace_id":"[\da-f]{32}","span_id":"[\da-f]{16}"/, 'log lines carry trace and span ids');
});

function sendCallback(url: string, providerBatchId: string): Promise<Response> {
  const body = JSON.stringify({ type: 'message_batch.ended', batch_id: providerBatchId });
  const id = `msg_${randomBytes(6).toString('hex')}`;
  const at = new Date();
  return fetch(`${url}/v1/callbacks/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(SECRETS.callbackSecret).sign(id, at, body) },
    body,
  });
}

/** The error the batch's last look recorded (written when the look released the batch). */
async function waitForBatchError(service: ChildService, jobId: string, headers: Record<string, string>): Promise<{ type: string; message: string }> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const job = (await (await fetch(`${service.url}/v1/jobs/${jobId}`, { headers })).json()) as { batches: Array<{ last_error: { type: string; message: string } | null }> };
    const error = job.batches.find((b) => b.last_error)?.last_error;
    if (error) return error;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the refused poll was not recorded:\n${service.output().slice(-2000)}`);
}

async function waitForSubmittedBatch(service: ChildService, jobId: string, headers: Record<string, string>): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const job = (await (await fetch(`${service.url}/v1/jobs/${jobId}`, { headers })).json()) as { batches: Array<{ provider_id: string | null; status: string }> };
    const batch = job.batches.find((b) => b.provider_id && b.status === 'in_progress');
    if (batch?.provider_id) return batch.provider_id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no batch submitted:\n${service.output().slice(-2000)}`);
}
