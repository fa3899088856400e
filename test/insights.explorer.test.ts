// The results explorer and corrections (issue #24) over HTTP: filters by answer field, phrase, metadata
// and text, with cursor paging and the CSV and NDJSON exports; corrections checked against the schema,
// listed, exported as labels, counted in the insights, taken as gold labels by an experiment, withdrawn;
// and the CLI's insights in a pipe.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { runCli } from './helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let jobId: string;
let results: StoredResult[];

interface StoredResult {
  item_id: string;
  external_id: string;
  status: string;
  output: { sentiment: string; score: number; key_points: string[]; issues: string[]; summary: string } | null;
  metadata: Record<string, unknown> | null;
  document?: { title: string | null; text: string | null; text_kept: boolean };
}

const REVIEWS = [
  'The battery drains overnight, even in standby. Uninstalling.',
  'Love it. Fast, clean design, and sync just works.',
  'Crashes every time I open the camera. Battery drain too.',
  'Okay app, nothing special. Does what it says.',
  'Customer support never answered my refund request. Terrible.',
  'Great update! The dark mode is beautiful and the app is faster.',
];

const documents = Array.from({ length: 36 }, (_, i) => ({
  id: `r${i}`,
  title: `Review ${i}`,
  text: REVIEWS[i % REVIEWS.length] ?? '',
  metadata: { rating: (i % 5) + 1, version: i < 18 ? '2.1' : '2.2' },
}));

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 30 });
  service = await startTestService(db, sim.url);
  const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents });
  assert.equal(res.status, 201);
  jobId = ((await res.json()) as { id: string }).id;
  await waitForJob(service.url, jobId, 60_000);
  results = await all(`/v1/jobs/${jobId}/results?format=ndjson`);
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

async function all(pathAndQuery: string): Promise<StoredResult[]> {
  const res = await fetch(`${service.url}${pathAndQuery}`);
  assert.equal(res.status, 200, await res.clone().text());
  assert.match(res.headers.get('content-type') ?? '', /application\/x-ndjson/);
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as StoredResult);
}

/** Every page of a filtered listing, followed by its cursor, `limit` at a time. */
async function paged(query: string, limit: number): Promise<StoredResult[]> {
  const out: StoredResult[] = [];
  let cursor: string | null = null;
  do {
    const res = await fetch(`${service.url}/v1/jobs/${jobId}/results?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200, await res.clone().text());
    const page = (await res.json()) as { data: StoredResult[]; next_cursor: string | null };
    assert.ok(page.data.length <= limit);
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

const ids = (rows: readonly StoredResult[]) => rows.map((r) => r.external_id);
const succeeded = () => results.filter((r) => r.status === 'succeeded' && r.output);
const q = (expr: string) => `&filter=${encodeURIComponent(expr)}`;

test('filters by an answer value, a score range, a phrase, metadata and text select exactly the matching results, page by page', async () => {
  assert.equal(results.length, documents.length);
  const cases: Array<[string, (r: StoredResult) => boolean]> = [
    [q('sentiment=negative'), (r) => r.output?.sentiment === 'negative'],
    [q('sentiment!=negative'), (r) => r.output !== null && r.output.sentiment !== 'negative'],
    [q('score<=2'), (r) => (r.output?.score ?? 99) <= 2],
    [q('score>3') + q('metadata.version=2.2'), (r) => (r.output?.score ?? 0) > 3 && r.metadata?.version === '2.2'],
    [q('metadata.rating>=4'), (r) => (r.metadata?.rating as number) >= 4],
    [q('summary~battery'), (r) => (r.output?.summary ?? '').toLowerCase().includes('battery')],
    ['&q=BATTERY', (r) => JSON.stringify(Object.values(r.output ?? {})).toLowerCase().includes('battery')],
  ];
  // A phrase the answers actually hold: the first issue of the first answer that has one.
  const phrase = succeeded().flatMap((r) => r.output?.issues ?? [])[0];
  if (phrase) cases.push([q(`issues=  ${phrase.toUpperCase()}.`), (r) => (r.output?.issues ?? []).some((x) => x.trim().toLowerCase() === phrase.trim().toLowerCase())]);
  for (const [query, keep] of cases) {
    const expected = ids(results.filter(keep));
    assert.deepEqual(ids(await paged(query, 4)), expected, `pages of ${query}`);
    assert.deepEqual(ids(await all(`/v1/jobs/${jobId}/results?format=ndjson${query}`)), expected, `ndjson of ${query}`);
  }
  assert.ok(results.some((r) => r.output?.sentiment === 'negative') && results.some((r) => r.output?.sentiment !== 'negative'), 'the sample holds both kinds');
});

test('the filtered set exports as CSV, one column per answer field; each row shows its document on request', async () => {
  const res = await fetch(`${service.url}/v1/jobs/${jobId}/results?format=csv${q('sentiment=negative')}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
  assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename=".*-results\.csv"/);
  const [header, ...rows] = parseCsv(await res.text()) as string[][];
  assert.deepEqual(header, ['external_id', 'item_id', 'status', 'sentiment', 'score', 'key_points', 'issues', 'summary', 'error_type', 'error_message', 'metadata']);
  const negative = results.filter((r) => r.output?.sentiment === 'negative');
  assert.equal(rows.length, negative.length);
  for (const [i, row] of rows.entries()) {
    const r = negative[i];
    assert.ok(r);
    assert.equal(row[0], r.external_id);
    assert.equal(row[3], 'negative');
    assert.equal(Number(row[4]), r.output?.score);
    assert.equal(row[6], (r.output?.issues ?? []).join('; '));
    assert.deepEqual(JSON.parse(row[10] ?? 'null'), r.metadata);
  }

  const withDocs = await paged('&include=document', 50);
  assert.equal(withDocs.length, documents.length);
  for (const r of withDocs) {
    // Text is dropped once an item is answered unless BATCHLINE_TEXT_AT_REST keeps it: the page says so.
    assert.deepEqual(r.document, { title: null, text: null, text_kept: false });
  }
});

test('bad filters are 422s naming the filter, and change nothing', async () => {
  for (const [query, message] of [
    [q('colour=red'), /"colour" is not a field/],
    [q('score<=lots'), /score is a.* number; "lots" is not/],
    [q('sentiment~neg'), /sentiment is a choice of fixed values; use = !=/],
    ['&cursor=abc', /not a cursor/],
  ] as const) {
    const res = await fetch(`${service.url}/v1/jobs/${jobId}/results?limit=5${query}`);
    assert.equal(res.status, 422, query);
    const problem = (await res.json()) as { errors: Array<{ field: string; message: string }> };
    assert.match(problem.errors[0]?.message ?? '', message, query);
  }
});

async function put(externalId: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${service.url}/v1/jobs/${jobId}/items/${encodeURIComponent(externalId)}/correction`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

test('a correction is checked against the schema, recorded with who made it, listed, exported as labels, counted in the insights, used by an experiment, and withdrawn', async () => {
  const target = succeeded()[0];
  assert.ok(target?.output);
  const right = target.output.sentiment === 'negative' ? 'positive' : 'negative';
  const rightScore = target.output.score === 1 ? 5 : 1;

  // Bad corrections first: each a 422 naming the field, and nothing stored.
  for (const [body, field, message] of [
    [{ fields: { sentiment: 'angry' } }, 'fields.sentiment', /"angry" is not a valid sentiment; one of "positive", "negative", "neutral", "mixed"/],
    [{ fields: { score: 9 } }, 'fields.score', /9 is not a valid score/],
    [{ fields: { issues: 'battery' } }, 'fields.issues', /"battery" is not a valid issues/],
    [{ fields: { colour: 'red' } }, 'fields.colour', /"colour" is not a field of the task's answer/],
    [{ fields: { sentiment: target.output.sentiment } }, 'fields.sentiment', /is what the model answered/],
    [{ fields: {} }, 'fields', /at least one field/],
  ] as const) {
    const res = await put(target.external_id, body);
    assert.equal(res.status, 422, JSON.stringify(body));
    const problem = (await res.json()) as { errors: Array<{ field: string; message: string }> };
    assert.equal(problem.errors[0]?.field, field);
    assert.match(problem.errors[0]?.message ?? '', message);
  }
  assert.equal((await put('no-such-doc', { fields: { sentiment: 'negative' } })).status, 404);
  const empty = (await (await fetch(`${service.url}/v1/jobs/${jobId}/corrections`)).json()) as { data: unknown[] };
  assert.deepEqual(empty.data, [], 'no bad correction was stored');

  const before = (await (await fetch(`${service.url}/v1/jobs/${jobId}/insights`)).json()) as { fields: Array<{ path: string; corrected: { count: number } }> };
  assert.equal(before.fields.find((f) => f.path === 'sentiment')?.corrected.count, 0);

  const res = await put(target.external_id, { fields: { sentiment: right, score: rightScore }, author: 'maria@example.com', note: 'sarcasm' });
  assert.equal(res.status, 200, await res.clone().text());
  const stored = (await res.json()) as { external_id: string; fields: Record<string, { value: unknown; model_value: unknown; corrected_by: string; author: string }> };
  assert.equal(stored.external_id, target.external_id);
  assert.deepEqual(stored.fields.sentiment && { value: stored.fields.sentiment.value, model: stored.fields.sentiment.model_value }, { value: right, model: target.output.sentiment });
  assert.equal(stored.fields.score?.model_value, target.output.score);
  assert.equal(stored.fields.sentiment?.author, 'maria@example.com');
  assert.match(stored.fields.sentiment?.corrected_by ?? '', /^api:/);

  const listed = (await (await fetch(`${service.url}/v1/jobs/${jobId}/corrections`)).json()) as { data: Array<{ external_id: string; fields: Record<string, { value: unknown }> }> };
  assert.deepEqual(listed.data.map((d) => [d.external_id, d.fields.sentiment?.value, d.fields.score?.value]), [[target.external_id, right, rightScore]]);
  const labels = await (await fetch(`${service.url}/v1/jobs/${jobId}/corrections?format=labels`)).text();
  assert.deepEqual(labels.trim().split('\n').map((l) => JSON.parse(l) as unknown), [{ id: target.external_id, score: rightScore, sentiment: right }]);

  // The insights count it: one corrected answer of those that hold a sentiment.
  const after = (await (await fetch(`${service.url}/v1/jobs/${jobId}/insights`)).json()) as { answered: number; fields: Array<{ path: string; corrected: { count: number; share: number } }> };
  const corrected = after.fields.find((f) => f.path === 'sentiment')?.corrected;
  assert.equal(corrected?.count, 1);
  assert.equal(corrected?.share, Math.round((1 / after.answered) * 10_000) / 10_000);

  // An experiment on the same task takes the corrections as its gold labels.
  const experiment = await postJson(`${service.url}/v1/experiments`, {
    task: 'review-insights',
    documents,
    sample: { size: documents.length, seed: 1 },
    arms: [{ name: 'haiku', model: 'claude-haiku-5-5' }, { name: 'sonnet', model: 'claude-sonnet-5-5' }],
    labels: { corrections: { jobs: [jobId] } },
  });
  assert.equal(experiment.status, 201, await experiment.clone().text());
  const created = (await experiment.json()) as { labels: { kind: string; fields: string[]; documents: number } };
  assert.equal(created.labels.kind, 'corrections');
  assert.deepEqual([...created.labels.fields].sort(), ['score', 'sentiment']);
  assert.equal(created.labels.documents, 1);
  const wrongTask = await postJson(`${service.url}/v1/experiments`, {
    task: 'ticket-triage',
    documents,
    sample: { size: 5, seed: 1 },
    arms: [{ name: 'a', model: 'claude-haiku-5-5' }, { name: 'b', model: 'claude-sonnet-5-5' }],
    labels: { corrections: { jobs: [jobId] } },
  });
  assert.equal(wrongTask.status, 422);
  assert.match(((await wrongTask.json()) as { detail: string }).detail, /labels\.corrections\.jobs\.0: .*ran the task "review-insights", not "ticket-triage"/);

  // Withdrawn: gone from the list and from the insights.
  const withdrawn = await fetch(`${service.url}/v1/jobs/${jobId}/items/${target.external_id}/correction?field=sentiment`, { method: 'DELETE' });
  assert.equal(withdrawn.status, 204);
  const left = (await (await fetch(`${service.url}/v1/jobs/${jobId}/corrections`)).json()) as { data: Array<{ fields: Record<string, unknown> }> };
  assert.deepEqual(Object.keys(left.data[0]?.fields ?? {}), ['score']);
  const afterWithdraw = (await (await fetch(`${service.url}/v1/jobs/${jobId}/insights`)).json()) as { fields: Array<{ path: string; corrected: { count: number } }> };
  assert.equal(afterWithdraw.fields.find((f) => f.path === 'sentiment')?.corrected.count, 0);
  assert.equal(afterWithdraw.fields.find((f) => f.path === 'score')?.corrected.count, 1);
});

test('batchline insights prints one tab-separated figure per line in a pipe, and the API answer with --json', async () => {
  const env = { BATCHLINE_URL: service.url, PATH: process.env.PATH ?? '' };
  const plain = await runCli(['insights', jobId], { env, cwd: db.dataDir });
  assert.equal(plain.code, 0, plain.stderr);
  const lines = plain.stdout.trim().split('\n').map((l) => l.split('\t'));
  const negative = results.filter((r) => r.output?.sentiment === 'negative').length;
  assert.ok(lines.some((l) => l[0] === 'sentiment' && l[2] === 'value' && l[3] === 'negative' && Number(l[4]) === negative), plain.stdout);
  const json = await runCli(['insights', jobId, '--by', 'version', '--json'], { env, cwd: db.dataDir });
  assert.equal(json.code, 0, json.stderr);
  const body = JSON.parse(json.stdout) as { by: { values: string[] } };
  assert.deepEqual([...body.by.values].sort(), ['2.1', '2.2']);
  const bad = await runCli(['insights', jobId, '--filter', 'colour=red'], { env, cwd: db.dataDir });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /"colour" is not a field/);
  assert.equal(bad.stderr.trim().split('\n').length, 1, 'one line');
});
