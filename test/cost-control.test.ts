// Cost control (issue #8), end to end through the real HTTP API, the real SDK and the simulator:
// dry-run estimates, budgets with resume, pilot runs, prompt caching and the result cache.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { writeGooglePlayCsv } from '../plugins/reviews/fixtures.ts';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';
import { reviews } from './fixtures/reviews.ts';

interface Comparison {
  estimated: number;
  actual: number;
  error_pct: number | null;
}

interface JobView {
  id: string;
  status: string;
  counts: Record<string, number>;
  batches: Array<{ request_count: number }>;
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
  cost: { usd: number; standard_usd: number; saved_usd: number; savings: { batch_discount_usd: number; prompt_cache_usd: number; result_cache_usd: number } };
  estimate: { items: number; input_tokens: { estimate: number } } | null;
  estimate_vs_actual: { cost_usd: Comparison; input_tokens: Comparison; output_tokens: Comparison } | null;
  budget: { max_usd: number; spent_usd: number; reserved_usd: number; remaining_usd: number } | null;
  pilot: { state: string; sample: { judged: number; valid: number; rate: number | null } | null; failures: Array<{ external_id: string; output: unknown; error: { type: string; message: string } | null }> } | null;
  result_cache: { enabled: boolean; hits: number; saved_usd: number };
  pause_reason: { type: string; message: string } | null;
}

interface DryRun {
  dry_run: true;
  estimate: {
    items: number;
    rejected: number;
    batches: number;
    input_tokens: { estimate: number; method: string; sample_size: number; sample_tokens: number; error_bound: number };
    output_tokens: { estimate: number; basis: string; max: number };
    prompt_cache: { prefix_tokens: number; min_prefix_tokens: number; cacheable: boolean; writes: number; reads: number };
    result_cache: { hits: number; saved_usd: number } | null;
    cost: { usd: number; standard_usd: number; worst_case_usd: number };
  };
  budget: { max_usd: number; fits_expected: boolean; fits_worst_case: boolean } | null;
}

async function getJob(url: string, id: string): Promise<JobView> {
  return (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as JobView;
}

async function waitForStatus(url: string, id: string, status: string, timeoutMs = 60_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  let last: JobView | undefined;
  while (Date.now() < deadline) {
    last = await getJob(url, id);
    if (last.status === status) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} never reached ${status}; last: ${JSON.stringify(last)?.slice(0, 1500)}`);
}

const within = (actual: number, expected: number, pct: number) => Math.abs(actual - expected) <= (Math.abs(expected) * pct) / 100;

test('a dry run of 10,000 reviews stores and sends nothing, and its estimate is within 10% of the real run', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 100 });
  const service = await startTestService(db, sim.url);
  try {
    const body = { task: 'review-insights', documents: reviews(10_000) };
    // Before the task has ever run, answers are guessed from its schema; input is measured either way.
    const first = (await (await postJson(`${service.url}/v1/jobs?dry_run=true`, body)).json()) as DryRun;
    assert.equal(first.estimate.output_tokens.basis, 'schema');
    assert.ok(first.estimate.output_tokens.estimate < first.estimate.output_tokens.max);

    // A first small run of the task (what a user does before sending 10,000) makes its answers' length known.
    const small = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: reviews(100, 99) })).json()) as { id: string };
    await waitForJob(service.url, small.id, 30_000);
    const before = sim.stats();

    const res = await postJson(`${service.url}/v1/jobs?dry_run=true`, body);
    assert.equal(res.status, 200);
    const dry = (await res.json()) as DryRun;
    assert.equal(dry.dry_run, true);
    const e = dry.estimate;
    assert.equal(e.items, 10_000);
    assert.equal(e.batches, 1);
    assert.equal(e.input_tokens.method, 'count_tokens_sample');
    assert.equal(e.input_tokens.sample_size, 50);
    assert.ok(e.input_tokens.sample_tokens > 0 && e.input_tokens.error_bound > 0, JSON.stringify(e.input_tokens));
    assert.equal(e.output_tokens.basis, 'observed_mean');
    assert.equal(e.output_tokens.max, 10_000 * 1024);
    // The task's prefix is far below the model's minimum cacheable prefix (issue #14): nothing is counted as cached.
    assert.ok(e.prompt_cache.prefix_tokens > 0 && e.prompt_cache.prefix_tokens < e.prompt_cache.min_prefix_tokens && !e.prompt_cache.cacheable && e.prompt_cache.reads === 0, JSON.stringify(e.prompt_cache));
    assert.ok(e.cost.usd < e.cost.standard_usd && e.cost.usd < e.cost.worst_case_usd, JSON.stringify(e.cost));
    // Nothing was stored, nothing submitted: only count_tokens was called (the sample and the prefix).
    assert.equal(sim.stats().creates, before.creates);
    assert.equal((sim.stats().callsByRoute.count_tokens ?? 0) - (before.callsByRoute.count_tokens ?? 0), 51);
    const list = (await (await fetch(`${service.url}/v1/jobs`)).json()) as { data: unknown[] };
    assert.equal(list.data.length, 1, 'only the small job exists');

    const created = (await (await postJson(`${service.url}/v1/jobs`, body)).json()) as { id: string };
    await waitForJob(service.url, created.id, 120_000);
    const job = await getJob(service.url, created.id);
    assert.equal(job.counts.succeeded, 10_000);
    const actualInput = job.usage.input_tokens + job.usage.cache_creation_input_tokens + job.usage.cache_read_input_tokens;
    for (const estimate of [first.estimate, e]) {
      assert.ok(within(estimate.input_tokens.estimate, actualInput, 10), `input tokens: estimated ${estimate.input_tokens.estimate}, actual ${actualInput}`);
      assert.ok(Math.abs(estimate.input_tokens.estimate - actualInput) <= 2 * estimate.input_tokens.error_bound, `the error stays near its stated bound (${estimate.input_tokens.error_bound})`);
    }
    assert.ok(within(e.output_tokens.estimate, job.usage.output_tokens, 10), `output tokens: estimated ${e.output_tokens.estimate}, actual ${job.usage.output_tokens}`);
    assert.ok(within(e.cost.usd, job.cost.usd, 10), `cost: estimated $${e.cost.usd}, actual $${job.cost.usd}`);
    // The job made and stored its own estimate before its first batch, and compares it once done.
    assert.ok(job.estimate && job.estimate.items === 10_000, 'the job stored its estimate');
    assert.ok(job.estimate_vs_actual, 'estimate vs actual is shown once the job has ended');
    assert.ok(Math.abs(job.estimate_vs_actual.cost_usd.error_pct ?? 100) < 10, JSON.stringify(job.estimate_vs_actual));
    assert.equal(job.estimate_vs_actual.cost_usd.actual, job.cost.usd);
    console.log(
      `dry run: estimated $${e.cost.usd} (input ${e.input_tokens.estimate} ± ${e.input_tokens.error_bound}, output ${e.output_tokens.estimate}); ` +
        `before any run: $${first.estimate.cost.usd} (output ${first.estimate.output_tokens.estimate} from the schema); ` +
        `actual $${job.cost.usd} (input ${actualInput}, output ${job.usage.output_tokens})`,
    );
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('bad dry-run input is refused with a problem and changes nothing', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const res = await postJson(`${service.url}/v1/jobs?dry_run=true`, { task: 'no-such-task', documents: [{ id: 'a', text: 'x' }] });
    assert.equal(res.status, 422);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const bad = await postJson(`${service.url}/v1/jobs?dry_run=maybe`, { task: 'review-insights', documents: [{ id: 'a', text: 'x' }] });
    assert.equal(bad.status, 422);
    assert.match(await bad.text(), /dry_run/);
    assert.equal(sim.stats().creates, 0);
    assert.equal(((await (await fetch(`${service.url}/v1/jobs`)).json()) as { data: unknown[] }).data.length, 0);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a budget that allows half the items: about half go out, the job pauses with the reason, and a resume finishes it', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const n = 400;
    const body = { task: 'review-insights', max_tokens: 256, documents: reviews(n, 11) };
    // What the whole job costs, measured by running it once without a budget.
    const full = (await (await postJson(`${service.url}/v1/jobs`, body)).json()) as { id: string };
    await waitForJob(service.url, full.id, 60_000);
    const fullCost = (await getJob(service.url, full.id)).cost.usd;
    const dry = (await (await postJson(`${service.url}/v1/jobs?dry_run=true`, body)).json()) as DryRun;
    const half = Math.round((fullCost / 2) * 1e6) / 1e6;
    const base = sim.stats().requestsSubmitted;

    const created = (await (await postJson(`${service.url}/v1/jobs`, { ...body, max_usd: half })).json()) as { id: string };
    const paused = await waitForStatus(service.url, created.id, 'awaiting_budget', 60_000);
    const submitted = sim.stats().requestsSubmitted - base;
    assert.ok(submitted >= n * 0.35 && submitted <= n * 0.65, `submitted ${submitted} of ${n} under a budget for half`);
    assert.equal(paused.pause_reason?.type, 'budget_exhausted');
    assert.match(paused.pause_reason?.message ?? '', /budget.*resume/);
    assert.ok(paused.budget, 'spend is visible');
    assert.equal(paused.budget.max_usd, half);
    assert.ok(paused.budget.spent_usd <= half, `spent ${paused.budget.spent_usd} of ${half}`);
    assert.ok(paused.cost.usd <= half);
    assert.equal(paused.budget.reserved_usd, 0);
    assert.equal(paused.counts.queued, n - submitted);
    // Paused means paused: nothing more goes out while it waits.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(sim.stats().requestsSubmitted - base, submitted);

    const raised = Math.round(dry.estimate.cost.worst_case_usd * 1.2 * 1e6) / 1e6;
    const resumed = await postJson(`${service.url}/v1/jobs/${created.id}/resume`, { max_usd: raised });
    assert.equal(resumed.status, 202);
    assert.equal(((await resumed.json()) as JobView).budget?.max_usd, raised);
    const done = await waitForJob(service.url, created.id, 60_000);
    assert.equal(done.status, 'completed');
    assert.equal(done.counts.succeeded, n);
    assert.equal(sim.stats().requestsSubmitted - base, n, 'every item went out once');
    const final = await getJob(service.url, created.id);
    assert.ok(final.cost.usd <= raised);
    console.log(`budget: $${half} (half of the full run's $${fullCost}) let ${submitted} of ${n} items out and stopped at $${paused.budget.spent_usd}; after the resume: $${final.cost.usd}, ${final.batches.length} batches`);

    // A job that has ended cannot be resumed.
    assert.equal((await postJson(`${service.url}/v1/jobs/${created.id}/resume`, {})).status, 409);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a pilot whose answers fail the schema pauses the job before anything beyond the sample is sent', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const impossible = {
      name: 'impossible-code',
      prompt: 'Give the product code of this review.\n\n{{text}}',
      // No string is at least 5 and at most 2 characters long: every answer fails validation.
      output_schema: { type: 'object', properties: { code: { type: 'string', minLength: 5, maxLength: 2 } }, required: ['code'] },
    };
    const created = (await (await postJson(`${service.url}/v1/jobs`, { task: impossible, max_tokens: 256, documents: reviews(300, 3), pilot: { items: 20, min_success_rate: 0.9 } })).json()) as { id: string };
    const failed = await waitForStatus(service.url, created.id, 'pilot_failed', 30_000);
    assert.equal(failed.pilot?.state, 'failed');
    assert.deepEqual(failed.pilot?.sample, { judged: 20, valid: 0, rate: 0 });
    assert.equal(failed.pilot?.failures.length, 20);
    assert.match(failed.pilot?.failures[0]?.error?.message ?? '', /code/);
    assert.ok(failed.pilot?.failures[0]?.output !== undefined, 'the failing answer is shown');
    assert.equal(failed.pause_reason?.type, 'pilot_failed');
    assert.match(failed.pause_reason?.message ?? '', /0 times in 20/);
    assert.equal(failed.counts.queued, 280);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(sim.stats().requestsSubmitted, 20, 'the simulator saw only the sample');
    assert.equal(sim.stats().creates, 1);

    // A resume without accepting the pilot is refused; canceling ends the job without sending more.
    assert.equal((await postJson(`${service.url}/v1/jobs/${created.id}/resume`, {})).status, 409);
    assert.equal((await fetch(`${service.url}/v1/jobs/${created.id}/cancel`, { method: 'POST' })).status, 202);
    const canceled = await waitForJob(service.url, created.id, 30_000);
    assert.equal(canceled.status, 'canceled');
    assert.equal(sim.stats().requestsSubmitted, 20);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a pilot that passes lets the rest go out; a failed one can be accepted with a resume', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50, faults: { items: { offSchema: 0.5 } } });
  const service = await startTestService(db, sim.url);
  try {
    const good = (await (await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', documents: reviews(100, 5), pilot: { items: 10, min_success_rate: 0.1 } })).json()) as { id: string };
    const done = await waitForJob(service.url, good.id, 30_000);
    const job = await getJob(service.url, good.id);
    assert.equal(job.pilot?.state, 'passed');
    assert.equal(done.batches[0]?.request_count, 10, 'the first batch is the sample');
    assert.equal(done.counts.succeeded + done.counts.failed, 100);

    const strict = (await (await postJson(`${service.url}/v1/jobs`, { task: 'ticket-triage', documents: reviews(60, 6), pilot: { items: 10, min_success_rate: 0.99 } })).json()) as { id: string };
    const paused = await waitForStatus(service.url, strict.id, 'pilot_failed', 30_000);
    assert.ok((paused.pilot?.sample?.rate ?? 1) < 0.99);
    const before = sim.stats().requestsSubmitted;
    const accepted = await postJson(`${service.url}/v1/jobs/${strict.id}/resume`, { accept_pilot: true });
    assert.equal(accepted.status, 202);
    const finished = await waitForJob(service.url, strict.id, 30_000);
    assert.equal(finished.counts.succeeded + finished.counts.failed, 60);
    assert.ok(sim.stats().requestsSubmitted >= before + 50);
    assert.equal((await getJob(service.url, strict.id)).pilot?.state, 'accepted');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('the same 2,000-item job twice with the result cache on: the second submits nothing and reports the savings', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const body = (file: string, cache: 'on' | 'off') => ({ task: 'review-insights', documents: reviews(2000, 9), cache, sinks: [{ plugin: 'file', config: { path: file } }] });
    const first = (await (await postJson(`${service.url}/v1/jobs`, body('first.jsonl', 'on'))).json()) as { id: string };
    await waitForJob(service.url, first.id, 60_000);
    const firstJob = await getJob(service.url, first.id);
    assert.equal(firstJob.counts.succeeded, 2000);
    assert.equal(firstJob.result_cache.hits, 0);
    const submitted = sim.stats().requestsSubmitted;
    const creates = sim.stats().creates;
    assert.equal(submitted, 2000);

    const dry = (await (await postJson(`${service.url}/v1/jobs?dry_run=true`, body('second.jsonl', 'on'))).json()) as DryRun;
    assert.equal(dry.estimate.result_cache?.hits, 2000, 'a dry run sees the hits');
    assert.equal(dry.estimate.items, 0);
    assert.equal(dry.estimate.cost.usd, 0);

    const second = (await (await postJson(`${service.url}/v1/jobs`, body('second.jsonl', 'on'))).json()) as { id: string };
    const done = await waitForJob(service.url, second.id, 60_000);
    const job = await getJob(service.url, second.id);
    assert.equal(done.status, 'completed');
    assert.equal(job.counts.succeeded, 2000);
    assert.equal(sim.stats().requestsSubmitted, submitted, 'the second job submitted nothing');
    assert.equal(sim.stats().creates, creates);
    assert.equal(job.batches.length, 0);
    assert.equal(job.result_cache.hits, 2000);
    assert.equal(job.cost.usd, 0);
    assert.ok(within(job.result_cache.saved_usd, firstJob.cost.usd, 0.1), `saved ${job.result_cache.saved_usd}, first job cost ${firstJob.cost.usd}`);
    assert.equal(job.cost.savings.result_cache_usd, job.result_cache.saved_usd);
    console.log(`result cache: second run ${job.result_cache.hits} hits, $${job.cost.usd} spent, $${job.result_cache.saved_usd} saved (first run cost $${firstJob.cost.usd})`);
    const sum = job.cost.savings.batch_discount_usd + job.cost.savings.prompt_cache_usd + job.cost.savings.result_cache_usd;
    assert.ok(Math.abs(sum - job.cost.saved_usd) < 1e-5, 'the savings split adds up');
    // The answers were delivered like any others, with the same outputs.
    const lines = (f: string) => fs.readFileSync(path.join(db.dataDir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { external_id: string; output: unknown });
    const byId = new Map(lines('first.jsonl').map((l) => [l.external_id, l.output]));
    const again = lines('second.jsonl');
    assert.equal(again.length, 2000);
    for (const l of again) assert.deepEqual(l.output, byId.get(l.external_id));

    // cache: "off" bypasses it: the same job is sent again.
    const third = (await (await postJson(`${service.url}/v1/jobs`, body('third.jsonl', 'off'))).json()) as { id: string };
    await waitForJob(service.url, third.id, 60_000);
    assert.equal(sim.stats().requestsSubmitted, submitted + 2000);
    assert.equal((await getJob(service.url, third.id)).result_cache.hits, 0);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('result cache entries expire after their TTL', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  // An hour: no run is slow enough for an entry to expire by itself; the test moves the entries' clock.
  const ttlHours = 1;
  const service = await startTestService(db, sim.url, { BATCHLINE_RESULT_CACHE: 'on', BATCHLINE_RESULT_CACHE_TTL_HOURS: String(ttlHours) });
  try {
    const body = { task: 'ticket-triage', documents: reviews(20, 4) };
    const run = async () => {
      const { id } = (await (await postJson(`${service.url}/v1/jobs`, body)).json()) as { id: string };
      await waitForJob(service.url, id, 30_000);
      return getJob(service.url, id);
    };
    const entries = () => service.database.db.selectFrom('result_cache').select(['created_at', 'expires_at']).execute();
    const lifetimesMs = async () => (await entries()).map((e) => e.expires_at.getTime() - e.created_at.getTime());
    assert.equal((await run()).result_cache.hits, 0);
    assert.deepEqual(new Set(await lifetimesMs()), new Set([ttlHours * 3_600_000]), 'each entry lives exactly the TTL');
    assert.equal((await run()).result_cache.hits, 20, 'on by default here (BATCHLINE_RESULT_CACHE=on)');
    // The TTL passes: the entries are made as old as the TTL and a second (as if written that long ago).
    await sql`UPDATE result_cache SET created_at = created_at - ${ttlHours * 3600 + 1} * interval '1 second',
      expires_at = expires_at - ${ttlHours * 3600 + 1} * interval '1 second'`.execute(service.database.db);
    assert.ok((await entries()).every((e) => e.expires_at.getTime() < Date.now()), 'every entry is past its expiry');
    const late = await run();
    assert.equal(late.result_cache.hits, 0, 'expired entries are not used');
    assert.equal(sim.stats().requestsSubmitted, 40);
    assert.ok((await entries()).every((e) => e.expires_at.getTime() > Date.now()), 'the answers sent again are stored for a new lifetime');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('prompt caching: the shared prefix is written once and read by the other requests, and priced so', async () => {
  const db = await createTestDatabase();
  // Mechanics with every possible hit taken: partial hits, as inside real batches, are in test/prompt-cache.test.ts.
  const sim = await startSimulator({ processingMs: 50, promptCache: { hitRate: 1 } });
  const service = await startTestService(db, sim.url, { BATCHLINE_PROMPT_CACHE_HIT_RATE: '1' });
  try {
    const reference = 'Product line reference: the Pulse 3 watch has a 2-day battery, a silicone strap and a companion app. '.repeat(60);
    const task = {
      name: 'grounded-review',
      system: `You classify reviews of our watches. Use this reference.\n${reference}`,
      prompt: 'Classify this review.\n\n{{text}}',
      output_schema: { type: 'object', properties: { topic: { type: 'string', enum: ['battery', 'strap', 'app', 'other'] } }, required: ['topic'] },
    };
    // A model whose minimum cacheable prefix (1,024 tokens) the 6 KB reference reaches.
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task, model: 'claude-sonnet-4-5', max_tokens: 128, documents: reviews(200, 8) })).json()) as { id: string };
    await waitForJob(service.url, id, 30_000);
    const job = await getJob(service.url, id);
    assert.equal(job.counts.succeeded, 200);
    assert.ok(job.usage.cache_creation_input_tokens > 1000, JSON.stringify(job.usage));
    assert.ok(job.usage.cache_read_input_tokens >= 199 * 1000, JSON.stringify(job.usage));
    assert.ok(job.usage.cache_read_input_tokens > 10 * job.usage.input_tokens, 'most input is read from the cache');
    assert.ok(job.cost.savings.prompt_cache_usd > 0);
    assert.ok(job.cost.savings.prompt_cache_usd > job.cost.usd, 'the cache saves more than the job costs');
    const sum = job.cost.savings.batch_discount_usd + job.cost.savings.prompt_cache_usd + job.cost.savings.result_cache_usd;
    assert.ok(Math.abs(sum - job.cost.saved_usd) < 1e-5);
    console.log(`prompt cache: ${job.usage.cache_creation_input_tokens} written, ${job.usage.cache_read_input_tokens} read, ${job.usage.input_tokens} uncached; spent $${job.cost.usd}, saved $${job.cost.savings.prompt_cache_usd} by the cache`);
    assert.ok(job.estimate_vs_actual && Math.abs(job.estimate_vs_actual.cost_usd.error_pct ?? 100) < 15, JSON.stringify(job.estimate_vs_actual));
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('the result cache serves jobs that read a source as well', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const rows = Array.from({ length: 50 }, (_, i) => ({ reviewId: `gp:${i}`, rating: (i % 5) + 1, text: `Review ${i}: decent, battery could be better` }));
    writeGooglePlayCsv(path.join(db.dataDir, 'export.csv'), rows);
    const body = { task: 'review-insights', cache: 'on', source: { plugin: 'reviews', config: { path: path.join(db.dataDir, 'export.csv'), preset: 'google-play' } } };
    const run = async () => {
      const { id } = (await (await postJson(`${service.url}/v1/jobs`, body)).json()) as { id: string };
      await waitForJob(service.url, id, 30_000);
      return getJob(service.url, id);
    };
    assert.equal((await run()).result_cache.hits, 0);
    const second = await run();
    assert.equal(second.result_cache.hits, 50);
    assert.equal(second.counts.succeeded, 50);
    assert.equal(sim.stats().requestsSubmitted, 50, 'the second read submitted nothing');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});
