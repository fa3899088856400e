// Acceptance: for every operation of the served OpenAPI document, a request built from the document's own
// examples (path and query parameters, headers, body) succeeds against the running service, and the answer
// matches the documented schema. Resources the examples refer to (a job id, a batch id, a connection) are
// created from the document's examples first and their real ids put in place of the example ids; the
// signed routes are signed by the test over the documented headers. A route without an example fails.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { signZendeskWebhook } from '../plugins/zendesk-source/webhook.ts';
import {
  auditDocument,
  examplesOf,
  openApiDocument,
  operationsOf,
  schemaChecker,
  type MediaType,
  type OpenApiDocument,
  type OperationRef,
} from '../src/http/openapi-document.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startTestService, waitForJob } from './helpers/service.ts';
import { waitFor } from './helpers/wait-for.ts';

const TOKEN = 'examples-test-token-c41d-0123456789abcdef';
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/**
 * What the document cannot say: the state a job must be in for an action to be allowed (409 otherwise).
 * These actions each get a fresh job made from the `stream` example of POST /v1/jobs: it stays open.
 */
const ACTIONS_ON_AN_OPEN_JOB = new Set(['post /v1/jobs/{id}/cancel', 'post /v1/jobs/{id}/close', 'post /v1/jobs/{id}/resume']);
const OPEN_JOB_EXAMPLE = 'stream';

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let doc: OpenApiDocument;
let check: ReturnType<typeof schemaChecker>;
const exercised = new Set<string>();

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 50 });
  service = await startTestService(db, sim.url, { BATCHLINE_API_KEYS: TOKEN, WEBHOOK_SECRET, BATCHLINE_SWEEP_INTERVAL_MS: '100' });
  doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as OpenApiDocument;
  check = schemaChecker(doc);
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

interface BuiltRequest {
  label: string;
  url: string;
  init: RequestInit & { headers: Record<string, string> };
}

/** Example ids → real ids, applied to every string of a request built from the examples. */
type Substitutions = ReadonlyMap<string, string>;

function substitute<T>(value: T, ids: Substitutions): T {
  if (typeof value === 'string') return (ids.get(value) ?? value) as T;
  if (Array.isArray(value)) return value.map((v) => substitute(v, ids)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, ids)])) as T;
  return value;
}

/** Pairs the ids of a documented example (`id`, `*_id`) with those of a real answer of the same shape. */
function collectIds(example: unknown, actual: unknown, into: Map<string, string>): void {
  if (Array.isArray(example) && Array.isArray(actual)) {
    example.forEach((e, i) => collectIds(e, actual[i], into));
  } else if (isRecord(example) && isRecord(actual)) {
    for (const [key, value] of Object.entries(example)) {
      const real = actual[key];
      if ((key === 'id' || key.endsWith('_id')) && typeof value === 'string' && typeof real === 'string') into.set(value, real);
      else collectIds(value, real, into);
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function keyOf(ref: OperationRef): string {
  return `${ref.method} ${ref.path}`;
}

function find(method: OperationRef['method'], path: string): OperationRef {
  const ref = operationsOf(doc).find((o) => o.method === method && o.path === path);
  assert.ok(ref, `${method.toUpperCase()} ${path} is in the document`);
  return ref;
}

function onlyExample(label: string, holder: Parameters<typeof examplesOf>[0]): unknown {
  const [first] = examplesOf(holder, doc);
  assert.ok(first, `${label} has no example`);
  return first[1];
}

/** The request the document describes, from its examples; `bodyExample` picks a named body example. */
function buildRequest(ref: OperationRef, ids: Substitutions, options: { bodyExample?: string; optionalHeaders?: boolean; omitQuery?: string | readonly string[] } = {}): BuiltRequest {
  const label = `${ref.method.toUpperCase()} ${ref.path}${options.bodyExample ? ` (${options.bodyExample})` : ''}`;
  let path = ref.path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  for (const p of ref.operation.parameters ?? []) {
    const value = substitute(onlyExample(`${label}: ${p.in} parameter ${p.name}`, p), ids);
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)));
    else if (p.in === 'query' && ![options.omitQuery ?? []].flat().includes(p.name)) query.set(p.name, String(value));
    else if (p.in === 'header' && (p.required || options.optionalHeaders !== false)) headers[p.name] = String(value);
  }
  const init: BuiltRequest['init'] = { method: ref.method.toUpperCase(), headers };
  const json = ref.operation.requestBody?.content['application/json'];
  if (ref.operation.requestBody) {
    assert.ok(json, `${label}: the body is JSON`);
    const examples = examplesOf(json, doc);
    const chosen = options.bodyExample ? examples.find(([name]) => name === options.bodyExample) : examples[0];
    assert.ok(chosen, `${label}: the request body has no example`);
    init.body = JSON.stringify(substitute(chosen[1], ids));
    headers['content-type'] = 'application/json';
  }
  if (ref.operation.security?.some((s) => 'bearer' in s)) headers.authorization = `Bearer ${TOKEN}`;
  const search = query.size > 0 ? `?${query}` : '';
  return { label, url: `${service.url}${path}${search}`, init };
}

/** The signed routes: the documented signature headers get real values over the exact body. */
function sign(ref: OperationRef, request: BuiltRequest): void {
  const body = typeof request.init.body === 'string' ? request.init.body : '';
  const headers = request.init.headers;
  if (keyOf(ref) === 'post /v1/callbacks/batches') {
    const id = headers['webhook-id'] ?? '';
    const now = new Date();
    headers['webhook-timestamp'] = String(Math.floor(now.getTime() / 1000));
    headers['webhook-signature'] = new Webhook(WEBHOOK_SECRET).sign(id, now, body);
  } else if (keyOf(ref) === 'post /v1/connections/{name}/webhook') {
    // The connection was created from the document's example, secret included.
    const connection = onlyExample('POST /v1/connections body', find('post', '/v1/connections').operation.requestBody?.content['application/json'] ?? {});
    const secret = String((connection as { config: { webhook_secret?: unknown } }).config.webhook_secret);
    const timestamp = new Date().toISOString();
    headers['x-zendesk-webhook-signature-timestamp'] = timestamp;
    headers['x-zendesk-webhook-signature'] = signZendeskWebhook(secret, timestamp, body);
  }
}

/** Sends it and checks the answer against the document: a documented 2xx, its media type, its schema. */
async function sendAndCheck(ref: OperationRef, request: BuiltRequest, accept?: string): Promise<{ status: number; body: unknown }> {
  if (accept) request.init.headers.accept = accept;
  const res = await fetch(request.url, request.init);
  const text = await res.text();
  assert.ok(res.status >= 200 && res.status < 300, `${request.label}: ${res.status} ${text.slice(0, 500)}`);
  const documented = ref.operation.responses[String(res.status)];
  assert.ok(documented, `${request.label}: answer ${res.status} is documented`);
  exercised.add(keyOf(ref));
  if (!documented.content) {
    assert.equal(text, '', `${request.label}: answer ${res.status} has no body`);
    return { status: res.status, body: undefined };
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const media: MediaType | undefined = documented.content[type];
  assert.ok(media?.schema, `${request.label}: ${type} is a documented media type of answer ${res.status}`);
  // A CSV answer is checked as the text it is documented as; its rows are the items of a list.
  const values: unknown[] = type === 'application/x-ndjson' ? text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown) : type === 'text/csv' ? [text] : [JSON.parse(text) as unknown];
  for (const value of values) assert.deepEqual(check(media.schema, value), [], `${request.label}: the answer matches its documented schema`);
  return { status: res.status, body: type === 'application/x-ndjson' ? values : values[0] };
}

/** A fresh job that stays open (made from the document's stream example), once it is running. */
async function openJob(ids: Substitutions): Promise<string> {
  const createJob = find('post', '/v1/jobs');
  const { body } = await sendAndCheck(createJob, buildRequest(createJob, ids, { bodyExample: OPEN_JOB_EXAMPLE, optionalHeaders: false, omitQuery: 'dry_run' }));
  const id = (body as { id: string }).id;
  await waitFor(`open job ${id} to be running`, async () => ((await (await fetch(`${service.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { status: string }).status === 'running', { timeoutMs: 10_000 });
  return id;
}

test('the served document is the generated one, and it is complete', () => {
  assert.deepEqual(doc, JSON.parse(JSON.stringify(openApiDocument())));
  assert.deepEqual(auditDocument(doc), []);
});

test('a request built from the examples succeeds for every operation, and every answer matches its schema', async () => {
  const ids = new Map<string, string>();
  const auth = { authorization: `Bearer ${TOKEN}` };

  // 1. What the other examples refer to, created from the document's own examples.
  const createConnection = find('post', '/v1/connections');
  await sendAndCheck(createConnection, buildRequest(createConnection, ids));
  const createJob = find('post', '/v1/jobs');
  const jobExamples = examplesOf(createJob.operation.requestBody?.content['application/json'] ?? {}, doc).map(([name]) => name);
  assert.ok(jobExamples.length >= 2 && jobExamples.includes(OPEN_JOB_EXAMPLE), 'POST /v1/jobs has named examples, one of them an open job');
  // The documented dry run (the query example): an estimate, nothing created.
  const estimated = await sendAndCheck(createJob, buildRequest(createJob, ids, { bodyExample: jobExamples[0], optionalHeaders: false }));
  assert.equal(estimated.status, 200);
  assert.equal((estimated.body as { dry_run: boolean }).dry_run, true);
  const first = buildRequest(createJob, ids, { bodyExample: jobExamples[0], omitQuery: 'dry_run' });
  const created = await sendAndCheck(createJob, first);
  assert.equal(created.status, 201);
  // The documented Idempotency-Key replay: same key and body, the same job, 200.
  const replayed = await sendAndCheck(createJob, buildRequest(createJob, ids, { bodyExample: jobExamples[0], omitQuery: 'dry_run' }));
  assert.equal(replayed.status, 200);
  const jobId = (created.body as { id: string }).id;
  assert.equal((replayed.body as { id: string }).id, jobId);
  for (const name of jobExamples.slice(1)) assert.equal((await sendAndCheck(createJob, buildRequest(createJob, ids, { bodyExample: name, optionalHeaders: false, omitQuery: 'dry_run' }))).status, 201, name);
  // An experiment, from its own first example: its arm jobs run beside the job.
  const createExperiment = find('post', '/v1/experiments');
  const experiment = await sendAndCheck(createExperiment, buildRequest(createExperiment, ids));
  assert.equal(experiment.status, 201);

  // 2. The example ids (job id, provider batch id) become the real ones of the finished job.
  const done = await waitForJob(service.url, jobId, 30_000, auth);
  assert.equal(done.status, 'completed');
  const finished = await waitFor(`every delivery of job ${jobId} to be made`, async () => {
    const job = (await (await fetch(`${service.url}/v1/jobs/${jobId}`, { headers: auth })).json()) as typeof done;
    return job.deliveries.delivered >= job.counts.total ? job : undefined;
  }, { timeoutMs: 10_000 });
  const getJob = find('get', '/v1/jobs/{id}');
  collectIds(onlyExample('GET /v1/jobs/{id} answer', getJob.operation.responses['200']?.content?.['application/json'] ?? {}), finished, ids);
  const exampleJobId = String(onlyExample('GET /v1/jobs/{id}: path parameter id', getJob.operation.parameters?.find((p) => p.name === 'id') ?? {}));
  assert.equal(ids.get(exampleJobId), jobId, 'the example job id stands for the real job');
  assert.ok([...ids.values()].some((v) => v.startsWith('msgbatch_')), 'the example batch id stands for the real batch');
  // The example experiment id (and its arms' job ids) become the real ones, once its arms have ended.
  const experimentId = (experiment.body as { id: string }).id;
  const experimentNow = await waitFor(`experiment ${experimentId} to have a comparison`, async () => {
    const now = (await (await fetch(`${service.url}/v1/experiments/${experimentId}`, { headers: auth })).json()) as { comparison: unknown };
    return now.comparison !== null ? now : undefined;
  }, { timeoutMs: 20_000 });
  assert.notEqual(experimentNow.comparison, null, 'the example experiment ended');
  const getExperiment = find('get', '/v1/experiments/{id}');
  collectIds(onlyExample('GET /v1/experiments/{id} answer', getExperiment.operation.responses['200']?.content?.['application/json'] ?? {}), experimentNow, ids);
  assert.equal(ids.get(String(onlyExample('GET /v1/experiments/{id}: path parameter id', getExperiment.operation.parameters?.find((p) => p.name === 'id') ?? {}))), experimentId);

  // 3. Every other operation, in document order; deletions last, since later examples may need what they
  // delete, and the list of deleted jobs after them, once the deleted job is gone (it lists its tombstone).
  const AFTER_DELETES = 'get /v1/deleted-jobs';
  const rest = operationsOf(doc).filter((o) => !['post /v1/connections', 'post /v1/jobs', AFTER_DELETES].includes(keyOf(o)));
  // A sub-resource's delete (a correction of the job's item) before the delete of what holds it (the job).
  const deletes = rest.filter((o) => o.method === 'delete').sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  const ordered = [...rest.filter((o) => o.method !== 'delete'), 'check the callback' as const, ...deletes, 'wait until the job is gone' as const, find('get', '/v1/deleted-jobs')];
  for (const ref of ordered) {
    if (ref === 'check the callback') {
      // Before the job's delete, which removes the callback events about its batches.
      const callback = await service.database.db.selectFrom('callback_events').select('provider_batch_id').executeTakeFirstOrThrow();
      assert.equal(callback.provider_batch_id, finished.batches[0]?.provider_id, "the callback example named the real job's batch");
      continue;
    }
    if (ref === 'wait until the job is gone') {
      await waitFor(`deleted job ${jobId} to be gone`, async () => (await fetch(`${service.url}/v1/jobs/${jobId}`, { headers: auth })).status === 404, { timeoutMs: 20_000 });
      assert.equal((await fetch(`${service.url}/v1/jobs/${jobId}`, { headers: auth })).status, 404, 'the deleted example job is gone');
      continue;
    }
    const jobIds = ACTIONS_ON_AN_OPEN_JOB.has(keyOf(ref)) ? new Map([...ids, [exampleJobId, await openJob(ids)]]) : ids;
    const request = buildRequest(ref, jobIds);
    sign(ref, request);
    await sendAndCheck(ref, request);
    // A list's example cursor points past this test's few rows, so its first page is read too (in every
    // documented media type: the NDJSON stream of results as well), and real items are checked against the schema.
    if (ref.operation.parameters?.some((p) => p.in === 'query' && p.name === 'cursor')) {
      for (const type of Object.keys(ref.operation.responses['200']?.content ?? {})) {
        // Without the cursor, the filters that narrow a list (the example's text may match nothing here), and the
        // format: the media type is asked for with Accept.
        const firstPage = buildRequest(ref, jobIds, { omitQuery: ['cursor', 'filter', 'q', 'format'] });
        const { body } = await sendAndCheck(ref, firstPage, type);
        const items = type === 'application/x-ndjson' ? body : type === 'text/csv' ? String(body).trim().split('\n').slice(1) : (body as { data: unknown }).data;
        assert.ok(Array.isArray(items) && items.length > 0, `${firstPage.label} without a cursor, as ${type}: the first page has items`);
      }
    }
  }
  const all = operationsOf(doc).map(keyOf).sort();
  assert.deepEqual([...exercised].sort(), all, 'every operation of the document was exercised');
});

test('the documented security is the truth: a bearer route refuses a request without the token, with a 401 problem', async () => {
  for (const ref of operationsOf(doc).filter((o) => o.operation.security?.some((s) => 'bearer' in s))) {
    const request = buildRequest(ref, new Map());
    delete request.init.headers.authorization;
    const res = await fetch(request.url, request.init);
    assert.equal(res.status, 401, request.label);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, request.label);
    assert.ok(ref.operation.responses['401'], `${request.label}: 401 is documented`);
    assert.deepEqual(check(ref.operation.responses['401']?.content?.['application/problem+json']?.schema ?? {}, await res.json()), [], request.label);
  }
});
