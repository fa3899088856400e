// Experiments (issue #18), end to end through the real HTTP API, the real SDK and the simulator with
// per-model error rates: a 200-review sample of a 5,000-row export with gold labels, two arms at 5% and
// 20% error, the comparison, and promoting the better arm; seeded sampling; bad input; the shared budget.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeGooglePlayCsv } from '../plugins/reviews/fixtures.ts';
import { round } from '../src/engine/money/cost.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { labeledReviews } from './fixtures/labeled-reviews.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

const SONNET = 'claude-sonnet-5-5';
const HAIKU = 'claude-haiku-5-5';

interface RateBody {
  k: number;
  n: number;
  rate: number | null;
  interval: { low: number; high: number; confidence: number; method: string } | null;
}

interface ExperimentBody {
  id: string;
  status: string;
  population: { documents: number; rejected: number };
  sample: { size: number; seed: string; stratify_by: string | null; strata: Array<{ value: string | null; population: number; sampled: number }> | null };
  labels: { kind: string; fields: string[]; documents: number } | null;
  budget: { max_usd: number; spent_usd: number } | null;
  arms: Array<{ name: string; model: string; job_id: string; status: string; max_usd: number | null; cost_usd: number; promoted_job_id: string | null }>;
  comparison: {
    documents: number;
    arms: Array<{ arm: string; answered: number; schema_valid: RateBody; usage: { output_tokens: number; per_document: { input_tokens: number } }; cost: { usd: number; reused_usd: number; per_1000_usd: number; projected_source_usd: number; promote_usd: number } }>;
    agreement: Array<RateBody & { field: string; kind: string; arms: [string, string] }>;
    confusion: Array<{ field: string; rows: string; columns: string; values: unknown[]; counts: number[][]; total: number }>;
    accuracy: Array<RateBody & { arm: string; field: string; unanswered: number }> | null;
    label_confusion: Array<{ field: string; rows: string; columns: string; counts: number[][]; total: number }> | null;
    differences: Array<{ field: string; arms: [string, string]; accuracy_difference: number; p_value: number }> | null;
    disagreements: { documents: number; by_field: Record<string, number> };
  } | null;
}

interface DocumentsPage {
  data: Array<{ external_id: string; text: string; answers: Record<string, { status: string; output: Record<string, unknown> | null }>; expected: Record<string, unknown> | null; disagreeing_fields: string[]; wrong_arms: string[] }>;
  next_cursor: string | null;
}

let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 30, modelErrorRates: { [SONNET]: 0.05, [HAIKU]: 0.2 } });
  service = await startTestService(db, sim.url);
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

async function getJson<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

async function waitForComparison(id: string, timeoutMs = 60_000): Promise<ExperimentBody> {
  const deadline = Date.now() + timeoutMs;
  let last: ExperimentBody | undefined;
  while (Date.now() < deadline) {
    last = await getJson<ExperimentBody>(`${service.url}/v1/experiments/${id}`);
    if (last.comparison) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`experiment ${id} did not end; last: ${JSON.stringify(last)?.slice(0, 1500)}`);
}

async function create(body: unknown, expected = 201): Promise<ExperimentBody> {
  const res = await postJson(`${service.url}/v1/experiments`, body);
  const text = await res.text();
  assert.equal(res.status, expected, text.slice(0, 1500));
  return JSON.parse(text) as ExperimentBody;
}

async function sampledIds(id: string): Promise<string[]> {
  const page = await getJson<DocumentsPage>(`${service.url}/v1/experiments/${id}/documents?limit=1000`);
  return page.data.map((d) => d.external_id);
}

const within = (interval: RateBody['interval'], value: number) => interval !== null && interval.low <= value && value <= interval.high;

test('200 of a 5,000-row export, arms at 5% and 20% error with gold labels: accuracies within their intervals, a confusion matrix of 200, cost per 1,000 scaled; promoting sends 4,800 requests', async () => {
  const reviews = labeledReviews(5000, 18);
  const exportPath = path.join(db.dataDir, 'reviews-5000.csv');
  writeGooglePlayCsv(exportPath, reviews.map((r) => ({ reviewId: r.id, text: r.text, rating: r.rating })));
  fs.writeFileSync(path.join(db.dataDir, 'gold.csv'), `id,sentiment\n${reviews.map((r) => `${r.id},${r.sentiment}`).join('\n')}\n`);
  const source = { plugin: 'reviews', config: { path: exportPath, preset: 'google-play' } };

  const created = await create({
    name: 'sonnet-vs-haiku',
    task: 'review-insights',
    source,
    sample: { size: 200, seed: 2026 },
    arms: [
      { name: 'sonnet', model: SONNET },
      { name: 'haiku', model: HAIKU },
    ],
    labels: { path: 'gold.csv' },
  });
  assert.equal(created.status, 'running');
  assert.deepEqual(created.population, { documents: 5000, rejected: 0 });
  assert.equal(created.labels?.documents, 200, 'only the sampled documents keep their labels');

  const experiment = await waitForComparison(created.id);
  assert.equal(experiment.status, 'completed');
  const comparison = experiment.comparison;
  assert.ok(comparison?.accuracy);
  assert.equal(comparison.documents, 200);

  const accuracy = (arm: string) => comparison.accuracy?.find((a) => a.arm === arm && a.field === 'sentiment');
  const sonnet = accuracy('sonnet');
  const haiku = accuracy('haiku');
  console.log(`sentiment accuracy: sonnet ${sonnet?.rate} [${sonnet?.interval?.low}, ${sonnet?.interval?.high}], haiku ${haiku?.rate} [${haiku?.interval?.low}, ${haiku?.interval?.high}] (n = ${sonnet?.n})`);
  assert.equal(sonnet?.n, 200);
  assert.equal(haiku?.n, 200);
  assert.ok(within(sonnet?.interval ?? null, 0.95), `0.95 in sonnet's interval ${JSON.stringify(sonnet)}`);
  assert.ok(within(haiku?.interval ?? null, 0.8), `0.80 in haiku's interval ${JSON.stringify(haiku)}`);
  assert.equal(sonnet?.interval?.method, 'wilson');
  assert.ok((sonnet?.rate ?? 0) > (haiku?.rate ?? 1));
  const difference = comparison.differences?.find((d) => d.field === 'sentiment');
  assert.ok(difference && difference.accuracy_difference > 0 && difference.p_value < 0.05, JSON.stringify(difference));

  // The confusion matrix of sentiment, sonnet against haiku: every sampled document once.
  const matrix = comparison.confusion.find((m) => m.field === 'sentiment');
  assert.ok(matrix);
  assert.deepEqual([matrix.rows, matrix.columns], ['sonnet', 'haiku']);
  assert.equal(matrix.total, 200);
  assert.equal(matrix.counts.flat().reduce((a, b) => a + b, 0), 200);
  const diagonal = matrix.counts.reduce((sum, row, i) => sum + (row[i] ?? 0), 0);
  const agreement = comparison.agreement.find((a) => a.field === 'sentiment');
  assert.equal(agreement?.k, diagonal, 'agreement is the diagonal of the matrix');
  assert.equal(comparison.label_confusion?.find((m) => m.columns === 'haiku')?.total, 200);

  // Cost per 1,000 is each arm's measured cost (its job's) scaled; the projection is the same per document × 5,000.
  for (const arm of comparison.arms) {
    const job = await getJson<{ cost: { usd: number } }>(`${service.url}/v1/jobs/${experiment.arms.find((a) => a.name === arm.arm)?.job_id}`);
    assert.equal(arm.cost.usd, job.cost.usd);
    assert.ok(arm.cost.usd > 0);
    assert.equal(arm.cost.per_1000_usd, round((job.cost.usd / 200) * 1000));
    assert.equal(arm.cost.projected_source_usd, round((job.cost.usd / 200) * 5000));
    assert.equal(arm.schema_valid.rate, 1);
    console.log(`${arm.arm}: $${arm.cost.usd} for 200 → $${arm.cost.per_1000_usd} per 1,000, $${arm.cost.projected_source_usd} for the 5,000 (promote: $${arm.cost.promote_usd})`);
  }
  assert.ok((comparison.arms[0]?.cost.per_1000_usd ?? 0) > (comparison.arms[1]?.cost.per_1000_usd ?? 0), 'sonnet costs more than haiku');

  // The disagreements, with the document text beside each arm's answer.
  assert.ok(comparison.disagreements.documents > 0);
  const page = await getJson<DocumentsPage>(`${service.url}/v1/experiments/${created.id}/documents?filter=disagreements:sentiment&limit=1000`);
  assert.equal(page.data.length, comparison.disagreements.by_field.sentiment);
  assert.equal(page.data.length, 200 - diagonal);
  const first = page.data[0];
  assert.ok(first && first.text === reviews.find((r) => r.id === first.external_id)?.text);
  assert.notEqual(first.answers.sonnet?.output?.sentiment, first.answers.haiku?.output?.sentiment);
  const wrong = await getJson<DocumentsPage>(`${service.url}/v1/experiments/${created.id}/documents?filter=wrong:haiku&limit=1000`);
  assert.equal(wrong.data.length, 200 - (haiku?.k ?? 0), "haiku's wrong sentiments are listed");
  assert.ok(wrong.data.every((d) => d.expected?.sentiment !== d.answers.haiku?.output?.sentiment));

  // Promote the better arm: the 200 sampled documents come from the result cache, 4,800 are sent.
  const before = sim.stats().requestsSubmitted;
  const promoted = await postJson(`${service.url}/v1/experiments/${created.id}/promote`, { arm: 'sonnet', name: 'reviews-full' });
  assert.equal(promoted.status, 201, await promoted.clone().text());
  const job = (await promoted.json()) as { id: string };
  const done = await waitForJob(service.url, job.id, 120_000);
  assert.equal(done.status, 'completed');
  assert.equal(done.counts.total, 5000);
  assert.equal(done.counts.succeeded, 5000);
  assert.equal(sim.stats().requestsSubmitted - before, 4800, 'only documents outside the sample were sent');
  const full = await getJson<{ result_cache: { hits: number } }>(`${service.url}/v1/jobs/${job.id}`);
  assert.equal(full.result_cache.hits, 200);
  const again = await postJson(`${service.url}/v1/experiments/${created.id}/promote`, { arm: 'sonnet', name: 'reviews-full' });
  assert.equal(again.status, 200, 'promoting again returns the same job');
  assert.equal(((await again.json()) as { id: string }).id, job.id);
  assert.equal((await postJson(`${service.url}/v1/experiments/${created.id}/promote`, { arm: 'sonnet', name: 'other' })).status, 409);
  const shown = await getJson<ExperimentBody>(`${service.url}/v1/experiments/${created.id}`);
  assert.equal(shown.arms[0]?.promoted_job_id, job.id);
});

test('the same seed picks the same documents, whatever the order of the source; another seed does not; stratified shares follow the strata', async () => {
  const docs = labeledReviews(120, 5).map((r) => ({ id: r.id, text: r.text, metadata: { rating: r.rating } }));
  const body = (seed: number | string, documents = docs, stratify?: string) => ({
    task: 'review-insights',
    documents,
    sample: { size: 30, seed, ...(stratify ? { stratify_by: stratify } : {}) },
    arms: [{ model: HAIKU }, { model: HAIKU, max_tokens: 512 }],
  });
  const [a, b, c] = await Promise.all([create(body(7)), create(body(7, [...docs].reverse())), create(body(8))]);
  const [idsA, idsB, idsC] = await Promise.all([sampledIds(a.id), sampledIds(b.id), sampledIds(c.id)]);
  assert.equal(idsA.length, 30);
  assert.deepEqual(idsB, idsA, 'same seed, same documents (and order), though the source came reversed');
  assert.notDeepEqual([...idsC].sort(), [...idsA].sort(), 'another seed, other documents');
  assert.equal(a.sample.seed, '7');
  // Each arm job holds exactly the sampled documents.
  const armItems = await service.database.db.selectFrom('items').select('external_id').where('job_id', '=', a.arms[1]?.job_id ?? '').execute();
  assert.deepEqual(armItems.map((i) => i.external_id).sort(), [...idsA].sort());

  const stratified = await create(body('strata', docs, 'rating'));
  const strata = stratified.sample.strata ?? [];
  assert.equal(strata.reduce((sum, s) => sum + s.population, 0), 120);
  assert.equal(strata.reduce((sum, s) => sum + s.sampled, 0), 30);
  for (const s of strata) assert.ok(Math.abs(s.sampled - (30 * s.population) / 120) < 1, `stratum ${s.value}: ${s.sampled} of ${s.population}`);
  const ids = new Set(await sampledIds(stratified.id));
  for (const s of strata) assert.equal(docs.filter((d) => String(d.metadata.rating) === s.value && ids.has(d.id)).length, s.sampled);
  const noSeed = await create({ ...body(1), sample: { size: 5 } });
  assert.match(noSeed.sample.seed, /^[0-9a-f]{12}$/, 'without a seed, a random one is reported');
  await Promise.all([a, b, c, stratified, noSeed].map((e) => waitForComparison(e.id)));
});

test('bad input is a 422 naming the field, and nothing is stored or sent', async () => {
  fs.writeFileSync(path.join(db.dataDir, 'labels-bad.jsonl'), '{"id":"d1","sentiment":"positive"}\n{"id":"ghost","sentiment":"negative"}\n');
  fs.writeFileSync(path.join(db.dataDir, 'labels-typo.csv'), 'id,sentiment\nd1,postive\n');
  const documents = Array.from({ length: 5 }, (_, i) => ({ id: `d${i + 1}`, text: `Review ${i + 1}: love it.`, metadata: { rating: 5, n: i } }));
  const good = { task: 'review-insights', documents, sample: { size: 3, seed: 1 }, arms: [{ model: HAIKU }, { model: SONNET }] };
  const cases: Array<[string, unknown, string]> = [
    ['one arm', { ...good, arms: [{ model: HAIKU }] }, 'arms'],
    ['a sample larger than the source', { ...good, sample: { size: 6 } }, 'sample.size'],
    ['an arm with an unknown field', { ...good, arms: [{ model: HAIKU }, { model: SONNET, colour: 'red' }] }, 'arms.1.colour'],
    ['an arm with a negative max_tokens', { ...good, arms: [{ model: HAIKU }, { max_tokens: -5 }] }, 'arms.1.max_tokens'],
    ['an arm whose prompt is not a valid template', { ...good, arms: [{ prompt: 'Classify {{body}}' }, { model: SONNET }] }, 'arms.0.prompt'],
    ['two arms with one name', { ...good, arms: [{ name: 'x' }, { name: 'x', model: SONNET }] }, 'arms.1.name'],
    ['inline labels for an id not in the source', { ...good, labels: { values: { d1: { sentiment: 'positive' }, nope: { sentiment: 'negative' } } } }, 'labels.values'],
    ['a labels file with an id not in the source', { ...good, labels: { path: 'labels-bad.jsonl' } }, 'labels.path'],
    ['a label that is not a valid value', { ...good, labels: { values: { d1: { sentiment: 'great' } } } }, 'labels.values.d1.sentiment'],
    ['a labels file with a value that is not valid', { ...good, labels: { path: 'labels-typo.csv' } }, 'labels.path'],
    ['a label of a free-text field', { ...good, labels: { values: { d1: { summary: 'A happy customer.' } } } }, 'labels.values.d1.summary'],
    ['labels from a metadata column that holds no valid value', { ...good, labels: { metadata: { score: 'n' } }, sample: { size: 5 } }, 'labels.metadata.score'],
    ['a tolerance for a field that is not a number', { ...good, compare: { tolerance: { sentiment: 1 } } }, 'compare.tolerance.sentiment'],
    ['stratifying by a field with too many values', { ...good, documents: Array.from({ length: 60 }, (_, i) => ({ id: `s${i}`, text: 'ok', metadata: { n: i } })), sample: { size: 3, stratify_by: 'n' } }, 'sample.stratify_by'],
    ['an unknown task', { ...good, task: 'review-insight' }, 'task'],
    ['no documents', { ...good, documents: [] }, 'documents'],
  ];
  const statsBefore = sim.stats();
  const countsBefore = await counts();
  for (const [what, body, field] of cases) {
    const res = await postJson(`${service.url}/v1/experiments`, body);
    const problem = (await res.json()) as { status: number; code: string; detail: string; errors?: Array<{ field: string }> };
    assert.equal(res.status, 422, `${what}: ${JSON.stringify(problem)}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(problem.errors?.[0]?.field, field, `${what}: ${problem.detail}`);
    assert.ok(problem.detail.startsWith(`${field}:`), `${what}: the message names the field: ${problem.detail}`);
  }
  assert.deepEqual(await counts(), countsBefore, 'nothing stored');
  assert.equal(sim.stats().creates, statsBefore.creates, 'nothing sent');
  assert.equal(sim.stats().requestsSubmitted, statsBefore.requestsSubmitted);
});

async function counts(): Promise<Record<string, number>> {
  const n = async (table: 'experiments' | 'experiment_arms' | 'jobs' | 'items') => Number((await service.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { experiments: await n('experiments'), arms: await n('experiment_arms'), jobs: await n('jobs'), items: await n('items') };
}

test('max_usd covers all arms: each arm job holds a share in proportion to its worst case, and together they never spend more', async () => {
  const documents = labeledReviews(40, 9).map((r) => ({ id: r.id, text: r.text, metadata: { rating: r.rating, gold: r.sentiment } }));
  // Labels from a column of the source itself.
  const body = { task: 'review-insights', documents, sample: { size: 40, seed: 3 }, arms: [{ name: 'cheap', model: HAIKU }, { name: 'dear', model: SONNET }], labels: { metadata: { sentiment: 'gold' } } };
  const roomy = await create({ ...body, max_usd: 2 });
  const shares = roomy.arms.map((a) => a.max_usd ?? 0);
  assert.ok(shares[0] !== undefined && shares[1] !== undefined && shares[0] + shares[1] <= 2 && shares[0] + shares[1] > 1.9999, JSON.stringify(shares));
  assert.ok(Math.abs(shares[1] / shares[0] - 3) < 0.01, 'sonnet may cost three times what haiku may, so its share is three times larger');
  const done = await waitForComparison(roomy.id);
  assert.equal(done.status, 'completed');
  assert.equal(done.labels?.kind, 'metadata');
  assert.equal(done.comparison?.accuracy?.find((a) => a.arm === 'dear')?.n, 40);
  assert.ok((done.budget?.spent_usd ?? 0) > 0 && (done.budget?.spent_usd ?? 0) <= 2);
  // Inline documents: promote runs the arm on all of them; the sample was all of them, so nothing is sent again.
  const sentBefore = sim.stats().requestsSubmitted;
  const promoted = (await (await postJson(`${service.url}/v1/experiments/${roomy.id}/promote`, { arm: 'cheap' })).json()) as { id: string };
  const full = await waitForJob(service.url, promoted.id);
  assert.deepEqual([full.status, full.counts.succeeded, sim.stats().requestsSubmitted - sentBefore], ['completed', 40, 0]);

  // A budget too small for even one batch's worst case: the arms wait for more instead of spending it.
  // (Other documents: the ones above are in the result cache now and would cost nothing.)
  const others = labeledReviews(40, 10).map((r) => ({ id: r.id, text: `${r.text} (second batch)`, metadata: { rating: r.rating, gold: r.sentiment } }));
  const tight = await create({ ...body, documents: others, max_usd: 0.01 });
  let paused: ExperimentBody | undefined;
  for (let i = 0; i < 200; i++) {
    paused = await getJson<ExperimentBody>(`${service.url}/v1/experiments/${tight.id}`);
    if (paused.status === 'awaiting_budget') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(paused?.status, 'awaiting_budget');
  assert.ok((paused?.budget?.spent_usd ?? 1) <= 0.01);
  assert.equal(paused?.comparison, null, 'no comparison before the arms end');
  const conflict = await postJson(`${service.url}/v1/experiments/${tight.id}/promote`, { arm: 'cheap' });
  assert.equal(conflict.status, 409, 'an arm that has not completed cannot be promoted');
  const unknown = (await (await postJson(`${service.url}/v1/experiments/${tight.id}/promote`, { arm: 'opus' })).json()) as { errors: Array<{ field: string }> };
  assert.equal(unknown.errors[0]?.field, 'arm');
  for (const arm of paused?.arms ?? []) assert.equal((await postJson(`${service.url}/v1/jobs/${arm.job_id}/cancel`, {})).status, 202);
});

test('an Idempotency-Key replay returns the experiment created first; the list shows experiments newest first', async () => {
  const body = { task: 'ticket-triage', documents: [{ id: 't1', text: 'Please refund my order, charged twice.' }, { id: 't2', text: 'Login is broken.' }], sample: { size: 2, seed: 1 }, arms: [{ model: HAIKU }, { model: SONNET }] };
  const first = await postJson(`${service.url}/v1/experiments`, body, { 'idempotency-key': 'exp-key-1' });
  const second = await postJson(`${service.url}/v1/experiments`, body, { 'idempotency-key': 'exp-key-1' });
  assert.deepEqual([first.status, second.status], [201, 200]);
  const id = ((await first.json()) as { id: string }).id;
  assert.equal(((await second.json()) as { id: string }).id, id);
  assert.equal((await postJson(`${service.url}/v1/experiments`, { ...body, name: 'other' }, { 'idempotency-key': 'exp-key-1' })).status, 409);
  const list = await getJson<{ data: Array<{ id: string; arms: string[]; task: string }> }>(`${service.url}/v1/experiments?limit=1`);
  assert.deepEqual(list.data.map((e) => [e.id, e.arms, e.task]), [[id, ['A', 'B'], 'ticket-triage']]);
  const done = await waitForComparison(id);
  // Triage: the category and the needs_human boolean get confusion matrices; tags are compared as sets.
  assert.deepEqual(done.comparison?.confusion.map((c) => c.field), ['category', 'priority', 'sentiment', 'needs_human']);
  assert.equal(done.comparison?.agreement.find((a) => a.field === 'suggested_tags')?.kind, 'set');
});
