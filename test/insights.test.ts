// Insights of a job (issue #24), end to end over HTTP: the three built-in tasks and an inline task through
// the real SDK and the simulator, each aggregate checked against figures this test computes itself from
// the stored answers (read back through the results API, not through the insights' SQL); `by`, `over`,
// filters, the cache, and bad input.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 30 });
  service = await startTestService(db, sim.url, { BATCHLINE_FILE_ROOTS: `${db.dataDir}:${path.join(ROOT, 'examples')}` });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

interface StoredResult {
  external_id: string;
  status: string;
  output: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
}

interface Aggregate {
  answered: number;
  missing: number;
  corrected: { count: number; share: number };
  values?: Array<{ value: unknown; count: number; share: number }>;
  distinct?: number;
  stats?: { count: number; min: number | null; max: number | null; mean: number | null; median: number | null };
  histogram?: Array<{ from: number; to: number; count: number }>;
  totals?: Array<{ currency: string; total: number; count: number }>;
  months?: Array<{ month: string; count: number }>;
  phrases?: Array<{ phrase: string; count: number; documents: number; share: number }>;
  empty?: number;
}

interface InsightsBody {
  job_id: string;
  complete: boolean;
  documents: number;
  answered: number;
  by: { field: string; values: string[]; other: boolean } | null;
  over: { field: string; unit: string; points: Array<{ period: string; count: number; values: Record<string, Record<string, number>> }>; undated: number } | null;
  fields: Array<Aggregate & { path: string; kind: string; groups?: Array<Aggregate & { by: string }> }>;
  computed_at: string;
}

async function runJob(body: unknown): Promise<string> {
  const res = await postJson(`${service.url}/v1/jobs`, body);
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = (await res.json()) as { id: string };
  const job = await waitForJob(service.url, id, 90_000);
  assert.ok(['completed', 'completed_with_errors'].includes(job.status), job.status);
  return id;
}

async function storedResults(jobId: string): Promise<StoredResult[]> {
  const res = await fetch(`${service.url}/v1/jobs/${jobId}/results`, { headers: { accept: 'application/x-ndjson' } });
  assert.equal(res.status, 200);
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as StoredResult);
}

async function insights(jobId: string, query = ''): Promise<InsightsBody> {
  const res = await fetch(`${service.url}/v1/jobs/${jobId}/insights${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as InsightsBody;
}

function field(body: { fields: InsightsBody['fields'] }, path: string) {
  const found = body.fields.find((f) => f.path === path);
  assert.ok(found, `insights have field ${path}`);
  return found;
}

// ---- The test's own arithmetic over the stored answers ----

function at(output: unknown, dotted: string): unknown {
  let node = output;
  for (const key of dotted.split('.')) node = node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = (s.length - 1) / 2;
  return ((s[Math.floor(mid)] ?? 0) + (s[Math.ceil(mid)] ?? 0)) / 2;
}

function statsOf(values: number[]) {
  return {
    count: values.length,
    min: values.length ? Math.min(...values) : null,
    max: values.length ? Math.max(...values) : null,
    mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null,
    median: median(values),
  };
}

function assertStats(actual: Aggregate['stats'], expected: ReturnType<typeof statsOf>, what: string) {
  assert.ok(actual, `${what} has stats`);
  assert.equal(actual.count, expected.count, `${what} count`);
  assert.equal(actual.min, expected.min, `${what} min`);
  assert.equal(actual.max, expected.max, `${what} max`);
  assert.ok(Math.abs((actual.mean ?? 0) - (expected.mean ?? 0)) < 1e-9, `${what} mean ${actual.mean} vs ${expected.mean}`);
  assert.equal(actual.median, expected.median, `${what} median`);
}

/** The test's normalisation of a phrase: lower case, one space inside, no punctuation or space around it. */
function phraseKey(text: string): string {
  let s = text.toLowerCase().split(/\s+/).filter(Boolean).join(' ');
  const punct = ' .,;:!?"\'()[]{}*-–—';
  while (s.length > 0 && punct.includes(s[0] ?? '')) s = s.slice(1);
  while (s.length > 0 && punct.includes(s[s.length - 1] ?? '')) s = s.slice(0, -1);
  return s;
}

function phraseCounts(answers: readonly Record<string, unknown>[], path: string) {
  const mentions = new Map<string, number>();
  const docs = new Map<string, number>();
  for (const a of answers) {
    const list = at(a, path);
    if (!Array.isArray(list)) continue;
    const keys = list.map((x) => phraseKey(String(x))).filter(Boolean);
    for (const k of keys) mentions.set(k, (mentions.get(k) ?? 0) + 1);
    for (const k of new Set(keys)) docs.set(k, (docs.get(k) ?? 0) + 1);
  }
  return { mentions, docs };
}

function assertValueCounts(agg: Aggregate, expected: Map<string, number>, what: string) {
  const actual = new Map((agg.values ?? []).filter((v) => v.count > 0).map((v) => [String(v.value), v.count]));
  assert.deepEqual([...actual.entries()].sort(), [...expected.entries()].sort(), what);
}

function assertPhrases(agg: Aggregate, answers: readonly Record<string, unknown>[], path: string) {
  const { mentions, docs } = phraseCounts(answers, path);
  assert.equal(agg.distinct ?? 0, docs.size, `${path}: distinct phrases`);
  const phrases = agg.phrases ?? [];
  assert.ok(phrases.length > 0 || docs.size === 0, `${path}: top phrases listed`);
  for (const p of phrases) {
    assert.equal(p.documents, docs.get(p.phrase), `${path}: documents mentioning "${p.phrase}"`);
    assert.equal(p.count, mentions.get(p.phrase), `${path}: mentions of "${p.phrase}"`);
  }
  // The top is the top: nothing left out mentions in more documents than the last one listed.
  const last = phrases[phrases.length - 1];
  if (last) for (const [k, n] of docs) if (!phrases.some((p) => p.phrase === k)) assert.ok(n <= last.documents, `${path}: "${k}" (${n}) is not above the top`);
}

// ---- Tests ----

test('review-insights: counts per sentiment, score statistics and histogram, top issues, summary lengths; by rating; over date', async () => {
  const jobId = await runJob({
    task: 'review-insights',
    source: { plugin: 'reviews', config: { path: path.join(ROOT, 'examples/reviews-google-play.csv'), preset: 'google-play' } },
  });
  const results = await storedResults(jobId);
  const answers = results.filter((r) => r.status === 'succeeded').map((r) => r.output as Record<string, unknown>);
  const body = await insights(jobId);
  assert.equal(body.complete, true);
  assert.equal(body.documents, results.length);
  assert.equal(body.answered, answers.length);

  const sentiment = field(body, 'sentiment');
  assert.equal(sentiment.kind, 'values');
  assertValueCounts(sentiment, countBy(answers, (a) => String(a.sentiment)), 'sentiment counts');
  assert.deepEqual(sentiment.values?.map((v) => v.value).sort(), ['mixed', 'negative', 'neutral', 'positive'], 'every allowed value listed');

  const score = field(body, 'score');
  assert.equal(score.kind, 'number');
  const scores = answers.map((a) => a.score as number);
  assertStats(score.stats, statsOf(scores), 'score');
  const bins = countBy(scores, String);
  for (const bin of score.histogram ?? []) {
    assert.equal(bin.from, bin.to, 'a 1–5 score gets one bin per value');
    assert.equal(bin.count, bins.get(String(bin.from)) ?? 0, `score bin ${bin.from}`);
  }
  assert.equal((score.histogram ?? []).reduce((n, b) => n + b.count, 0), scores.length);

  for (const list of ['issues', 'key_points']) {
    const agg = field(body, list);
    assert.equal(agg.kind, 'phrases');
    assertPhrases(agg, answers, list);
    assert.equal(agg.empty, answers.filter((a) => (a[list] as unknown[]).length === 0).length, `${list}: empty lists`);
  }
  const summary = field(body, 'summary');
  assert.equal(summary.kind, 'text');
  assertStats(summary.stats, statsOf(answers.map((a) => [...String(a.summary)].length)), 'summary length');

  // by=rating: each group is the same arithmetic over that rating's answers.
  const byRating = await insights(jobId, '?by=rating');
  assert.ok(byRating.by && byRating.by.values.length > 1, 'ratings found');
  const groups = field(byRating, 'sentiment').groups ?? [];
  for (const value of byRating.by.values) {
    const mine = results.filter((r) => r.status === 'succeeded' && String(r.metadata?.rating ?? '(not set)') === value).map((r) => r.output as Record<string, unknown>);
    const group = groups.find((g) => g.by === value);
    assert.ok(group, `a group for rating ${value}`);
    assertValueCounts(group, countBy(mine, (a) => String(a.sentiment)), `sentiment at rating ${value}`);
    assertStats(field(byRating, 'score').groups?.find((g) => g.by === value)?.stats, statsOf(mine.map((a) => a.score as number)), `score at rating ${value}`);
  }
  assert.deepEqual(field(byRating, 'sentiment').values, sentiment.values, 'the overall figures are the same with by');

  // over=date: answers per day or week of the review's date add up to the answers with a date.
  const overDate = await insights(jobId, '?over=date');
  assert.ok(overDate.over);
  const dated = results.filter((r) => r.status === 'succeeded' && typeof r.metadata?.date === 'string');
  assert.equal(overDate.over.points.reduce((n, p) => n + p.count, 0), dated.length);
  assert.equal(overDate.over.undated, answers.length - dated.length);
  if (overDate.over.unit === 'day') {
    const perDay = countBy(dated, (r) => String(r.metadata?.date).slice(0, 10));
    for (const p of overDate.over.points) assert.equal(p.count, perDay.get(p.period), `reviews on ${p.period}`);
  }
  const negativePerPeriod = overDate.over.points.reduce((n, p) => n + (p.values.sentiment?.negative ?? 0), 0);
  assert.equal(negativePerPeriod, dated.filter((r) => r.output?.sentiment === 'negative').length);

  // A filter narrows every aggregate to the answers it selects.
  const negative = await insights(jobId, '?filter=sentiment%3Dnegative');
  assert.equal(negative.answered, answers.filter((a) => a.sentiment === 'negative').length);
  assertStats(field(negative, 'score').stats, statsOf(answers.filter((a) => a.sentiment === 'negative').map((a) => a.score as number)), 'score of negative reviews');
  const lowScores = await insights(jobId, `?filter=${encodeURIComponent('score<=2')}&filter=${encodeURIComponent('metadata.rating>=1')}`);
  assert.equal(lowScores.answered, results.filter((r) => r.status === 'succeeded' && (r.output?.score as number) <= 2 && typeof r.metadata?.rating === 'number').length);

  // Kept while nothing changed: the same figures, computed once.
  const again = await insights(jobId);
  assert.equal(again.computed_at, body.computed_at);
});

test('ticket-triage and invoice-extraction: enums, booleans, tags, dates per month, totals per currency, lists of objects', async () => {
  const tickets = Array.from({ length: 60 }, (_, i) => ({
    id: `t${i}`,
    title: i % 3 === 0 ? 'Refund for a double charge' : 'App crashes on login',
    text: i % 3 === 0 ? 'I was charged twice this month, please refund one of the payments.' : 'Since the update the app crashes as soon as I log in. Very frustrating!',
    metadata: { channel: i % 2 === 0 ? 'email' : 'chat' },
  }));
  const triageId = await runJob({ task: 'ticket-triage', documents: tickets });
  const triage = (await storedResults(triageId)).filter((r) => r.status === 'succeeded').map((r) => r.output as Record<string, unknown>);
  const t = await insights(triageId);
  for (const name of ['category', 'priority', 'sentiment']) assertValueCounts(field(t, name), countBy(triage, (a) => String(a[name])), name);
  assert.equal(field(t, 'needs_human').kind, 'values');
  assertValueCounts(field(t, 'needs_human'), countBy(triage, (a) => String(a.needs_human)), 'needs_human');
  assertPhrases(field(t, 'suggested_tags'), triage, 'suggested_tags');

  const invoices = Array.from({ length: 40 }, (_, i) => ({
    id: `inv${i}`,
    text: `INVOICE ${1000 + i}\nIssue date: 2026-0${1 + (i % 6)}-1${i % 9}\nFrom: Acme GmbH, VAT DE123456789\nTo: Widgets Ltd\nCurrency: ${i % 4 === 0 ? 'USD' : 'EUR'}\n1 x Consulting 100.00\nTotal: ${100 + i}.00`,
  }));
  const invoiceId = await runJob({ task: 'invoice-extraction', documents: invoices });
  const inv = (await storedResults(invoiceId)).filter((r) => r.status === 'succeeded').map((r) => r.output as Record<string, unknown>);
  const b = await insights(invoiceId);
  const issue = field(b, 'issue_date');
  assert.equal(issue.kind, 'date');
  assert.deepEqual(new Map((issue.months ?? []).map((m) => [m.month, m.count])), countBy(inv, (a) => String(a.issue_date).slice(0, 7)));
  const total = field(b, 'total');
  assert.equal(total.kind, 'number');
  assertStats(total.stats, statsOf(inv.map((a) => a.total as number)), 'total');
  const perCurrency = new Map<string, number>();
  for (const a of inv) perCurrency.set(String(a.currency), (perCurrency.get(String(a.currency)) ?? 0) + (a.total as number));
  assert.equal(total.totals?.length, perCurrency.size);
  for (const row of total.totals ?? []) assert.ok(Math.abs(row.total - (perCurrency.get(row.currency) ?? NaN)) < 1e-6, `total in ${row.currency}`);
  assert.equal((total.histogram ?? []).reduce((n, x) => n + x.count, 0), inv.length, 'every total in one bin');
  assert.equal(field(b, 'vendor.name').kind, 'text');
  assert.equal(field(b, 'currency').kind, 'code');
  assertValueCounts(field(b, 'currency'), countBy(inv, (a) => String(a.currency)), 'currency codes');
  const lines = field(b, 'line_items');
  assert.equal(lines.kind, 'list');
  assertStats(lines.stats, statsOf(inv.map((a) => (a.line_items as unknown[]).length)), 'line items per invoice');
  assert.equal(field(b, 'due_date').missing, inv.filter((a) => a.due_date === null).length, 'a null date is missing');
});

test('an inline task: nested fields as dotted paths, an integer histogram, a number histogram, booleans and tags', async () => {
  const documents = Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, text: `Order ${i}: arrived ${i % 5} days late, box ${i % 2 ? 'damaged' : 'fine'}.`, metadata: { store: i % 3 === 0 ? 'north' : 'south' } }));
  const jobId = await runJob({
    task: {
      name: 'delivery-check',
      prompt: 'Check this delivery report.\n\n{{text}}',
      output_schema: {
        type: 'object',
        properties: {
          delay_days: { type: 'integer', minimum: 0, maximum: 10 },
          damage: { type: 'object', properties: { damaged: { type: 'boolean' }, severity: { type: 'string', enum: ['none', 'minor', 'major'] } }, required: ['damaged', 'severity'] },
          refund_ratio: { type: 'number', minimum: 0, maximum: 1 },
          labels: { type: 'array', items: { type: 'string' } },
        },
        required: ['delay_days', 'damage', 'refund_ratio', 'labels'],
      },
    },
    documents,
  });
  const results = await storedResults(jobId);
  const answers = results.filter((r) => r.status === 'succeeded').map((r) => r.output as Record<string, unknown>);
  const body = await insights(jobId, '?by=store');
  assert.deepEqual(body.fields.map((f) => [f.path, f.kind]), [
    ['delay_days', 'number'],
    ['damage.damaged', 'values'],
    ['damage.severity', 'values'],
    ['refund_ratio', 'number'],
    ['labels', 'phrases'],
  ]);
  assertValueCounts(field(body, 'damage.damaged'), countBy(answers, (a) => String(at(a, 'damage.damaged'))), 'damage.damaged');
  assertValueCounts(field(body, 'damage.severity'), countBy(answers, (a) => String(at(a, 'damage.severity'))), 'damage.severity');
  assertStats(field(body, 'delay_days').stats, statsOf(answers.map((a) => a.delay_days as number)), 'delay_days');
  const ratio = field(body, 'refund_ratio');
  const ratios = answers.map((a) => a.refund_ratio as number);
  assertStats(ratio.stats, statsOf(ratios), 'refund_ratio');
  // Twelve equal bins from min to max, the last one closed. A value within rounding of an edge may fall on either
  // side of it (Postgres's width_bucket and this arithmetic round differently), so each bin is checked to hold
  // every value well inside it and no value well outside it.
  const hist = ratio.histogram ?? [];
  const min = Math.min(...ratios);
  const max = Math.max(...ratios);
  assert.equal(hist.reduce((n, x) => n + x.count, 0), ratios.length, 'every value in one bin');
  if (max > min) {
    const width = (max - min) / 12;
    const eps = width * 1e-9;
    for (const h of hist) {
      const bin = Math.round((h.from - min) / width) + 1;
      assert.ok(Math.abs(h.from - (min + (bin - 1) * width)) < 1e-6, `bin ${bin} starts at min + (k-1)·width`);
      const last = bin === 12;
      const surely = ratios.filter((r) => r >= h.from + eps && (last ? r <= h.to : r < h.to - eps)).length;
      const maybe = ratios.filter((r) => r >= h.from - eps && r <= h.to + eps).length;
      assert.ok(h.count >= surely && h.count <= maybe, `refund_ratio bin ${bin} [${h.from}, ${h.to}): ${h.count} between ${surely} and ${maybe}`);
    }
  }
  assertPhrases(field(body, 'labels'), answers, 'labels');
  for (const store of ['north', 'south']) {
    const mine = results.filter((r) => r.status === 'succeeded' && r.metadata?.store === store).map((r) => r.output as Record<string, unknown>);
    const group = field(body, 'delay_days').groups?.find((g) => g.by === store);
    assertStats(group?.stats, statsOf(mine.map((a) => a.delay_days as number)), `delay_days at ${store}`);
  }
});

test('bad input: an unknown field, a filter of the wrong type, a by or over field with no values — each a 422 naming it', async () => {
  const jobId = await runJob({ task: 'review-insights', documents: [{ id: 'a', text: 'Great app, battery lasts.', metadata: { rating: 5 } }, { id: 'b', text: 'Crashes all the time.', metadata: { rating: 1 } }] });
  const cases: Array<[string, string, RegExp]> = [
    ['?filter=colour%3Dred', 'query.filter', /"colour" is not a field of the task's answer/],
    ['?filter=score%3Dhigh', 'query.filter', /score is a.*number; "high" is not/],
    ['?filter=sentiment%3Dangry', 'query.filter', /sentiment is one of "positive", "negative", "neutral", "mixed"; "angry" is not/],
    ['?filter=sentiment%3C%3Dnegative', 'query.filter', /sentiment is a choice of fixed values; use = !=/],
    ['?filter=nonsense', 'query.filter', /is not a filter/],
    ['?by=channel', 'query.by', /no answered document of this job has metadata "channel"/],
    ['?over=rating', 'query.over', /no answered document of this job has a date/],
    ['?by=bad%20key', 'query.by', /metadata key/],
  ];
  for (const [query, fieldName, message] of cases) {
    const res = await fetch(`${service.url}/v1/jobs/${jobId}/insights${query}`);
    assert.equal(res.status, 422, query);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = (await res.json()) as { errors: Array<{ field: string; message: string }> };
    assert.equal(problem.errors[0]?.field, fieldName, query);
    assert.match(problem.errors[0]?.message ?? '', message, query);
  }
  const unknown = await fetch(`${service.url}/v1/jobs/job_doesnotexist00/insights`);
  assert.equal(unknown.status, 404);
});
