// Acceptance (issue #14, part two): estimates that do not promise savings the API will not give. The
// simulator caches as the API does (nothing below the model's minimum prefix; hits inside a batch best
// effort), and Batchline marks a prefix only when it can be cached, says so, and estimates accordingly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from './helpers/database.ts';
import { reviews } from './fixtures/reviews.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

interface Cost {
  usd: number;
  no_cache_hit_usd: number;
  standard_usd: number;
  worst_case_usd: number;
}

interface DryRun {
  estimate: {
    prompt_cache: { prefix_tokens: number; min_prefix_tokens: number; cacheable: boolean; hit_rate: number; hit_rate_basis: string; writes: number; reads: number };
    cost: Cost;
  };
}

interface JobView {
  status: string;
  counts: { succeeded: number };
  usage: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };
  cost: { usd: number; savings: { prompt_cache_usd: number } };
  prompt_cache: { marked: boolean; prefix_tokens: number; min_prefix_tokens: number; basis: string; note: string } | null;
}

const within = (actual: number, expected: number, pct: number) => Math.abs(actual - expected) <= (Math.abs(expected) * pct) / 100;

async function run(url: string, body: object): Promise<JobView> {
  const res = await postJson(`${url}/v1/jobs`, body);
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = (await res.json()) as { id: string };
  await waitForJob(url, id, 60_000);
  return (await (await fetch(`${url}/v1/jobs/${id}`)).json()) as JobView;
}

async function dryRun(url: string, body: object): Promise<DryRun> {
  const res = await postJson(`${url}/v1/jobs?dry_run=true`, body);
  assert.equal(res.status, 200);
  return (await res.json()) as DryRun;
}

function markedRequests(sim: { submitted(): Iterable<{ params: Record<string, unknown> }> }): number {
  let marked = 0;
  for (const { params } of sim.submitted()) if (JSON.stringify([params.system ?? null, params.tools]).includes('cache_control')) marked += 1;
  return marked;
}

test('a task prefix below the model minimum is not marked, the job says so, and the dry run is within 10% of the real cost', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    // What a user does first: a small run, so that the length of answers is known.
    await run(service.url, { task: 'review-insights', documents: reviews(100, 3) });
    const body = { task: 'review-insights', documents: reviews(1500, 5) };
    const dry = await dryRun(service.url, body);
    const pc = dry.estimate.prompt_cache;
    // review-insights runs on claude-haiku-5-5, whose minimum is not published: the conservative 4,096.
    assert.equal(pc.min_prefix_tokens, 4096);
    assert.ok(pc.prefix_tokens > 100 && pc.prefix_tokens < pc.min_prefix_tokens, JSON.stringify(pc));
    assert.equal(pc.cacheable, false);
    assert.deepEqual([pc.writes, pc.reads], [0, 0]);
    assert.equal(dry.estimate.cost.no_cache_hit_usd, dry.estimate.cost.usd, 'nothing marked: no hit to count on');

    const job = await run(service.url, body);
    assert.equal(job.counts.succeeded, 1500);
    assert.equal(job.prompt_cache?.marked, false);
    assert.match(job.prompt_cache?.note ?? '', /^no prefix was cacheable: the task's shared prefix is \d+ tokens and claude-haiku-5-5 caches prefixes from 4096 tokens/);
    assert.equal(job.usage.cache_creation_input_tokens + job.usage.cache_read_input_tokens, 0);
    assert.equal(markedRequests(sim), 0, 'no request carried a cache_control breakpoint');
    assert.ok(within(dry.estimate.cost.usd, job.cost.usd, 10), `estimated $${dry.estimate.cost.usd}, real $${job.cost.usd}`);
    console.log(`no cacheable prefix: estimated $${dry.estimate.cost.usd}, real $${job.cost.usd} (${(((dry.estimate.cost.usd - job.cost.usd) / job.cost.usd) * 100).toFixed(1)}%); prefix ${pc.prefix_tokens} of ${pc.min_prefix_tokens} tokens`);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('a 6 KB reference in the system prompt is cached (best effort), saves money, and its no-hit figure bounds the real cost', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 50 });
  const service = await startTestService(db, sim.url);
  try {
    const reference = 'Product line reference: the Pulse 3 watch has a 2-day battery, a silicone strap and a companion app. '.repeat(60);
    const task = {
      name: 'grounded-review',
      system: `You classify reviews of our watches. Use this reference.\n${reference}`,
      prompt: 'Classify this review.\n\n{{text}}',
      output_schema: { type: 'object', properties: { topic: { type: 'string', enum: ['battery', 'strap', 'app', 'other'] } }, required: ['topic'] },
    };
    // claude-sonnet-4-5 caches prefixes from 1,024 tokens (published).
    const body = (n: number, seed: number) => ({ task, model: 'claude-sonnet-4-5', max_tokens: 128, documents: reviews(n, seed) });
    const first = await run(service.url, body(100, 11));
    assert.equal(first.prompt_cache?.marked, true);

    const dry = await dryRun(service.url, body(600, 12));
    const pc = dry.estimate.prompt_cache;
    assert.ok(pc.cacheable && pc.prefix_tokens >= 1024 && pc.min_prefix_tokens === 1024, JSON.stringify(pc));
    assert.equal(pc.hit_rate_basis, 'observed', 'the hit rate comes from the first run');
    assert.ok(pc.hit_rate > 0.2 && pc.hit_rate < 0.8, `observed hit rate ${pc.hit_rate}: hits inside a batch are partial`);
    const { cost } = dry.estimate;
    assert.ok(cost.usd < cost.no_cache_hit_usd, JSON.stringify(cost));

    const job = await run(service.url, body(600, 12));
    assert.equal(job.counts.succeeded, 600);
    assert.ok(markedRequests(sim) >= 700, 'the prefix was marked on every request');
    assert.ok(job.usage.cache_read_input_tokens > 0 && job.usage.cache_creation_input_tokens > 0, JSON.stringify(job.usage));
    assert.ok(job.cost.savings.prompt_cache_usd > 0, 'the cache still saves money');
    assert.ok(cost.no_cache_hit_usd >= job.cost.usd, `no-hit figure $${cost.no_cache_hit_usd} bounds the real $${job.cost.usd}`);
    assert.ok(within(cost.usd, job.cost.usd, 10), `estimated $${cost.usd}, real $${job.cost.usd}`);
    console.log(`6 KB prefix: estimated $${cost.usd} (no hit at all $${cost.no_cache_hit_usd}), real $${job.cost.usd}, prompt cache saved $${job.cost.savings.prompt_cache_usd}; hit rate ${pc.hit_rate}`);
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});
