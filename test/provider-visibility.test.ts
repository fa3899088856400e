// Acceptance (issue #14, part one): a provider id is a promise. 404s for batches the API gave an id for
// (first retrieve, first results, random retrieves), `ended` without a results_url, and SIGKILLs in the
// middle of it cost nothing: every prompt is sent once and the job costs what it costs without them. A
// batch that really vanishes is declared gone only after the window, loudly, and its items sent once more.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { context, metrics, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { startSimulator, type SimulatorFaults, type SimulatorStats } from '../src/provider/simulator/index.ts';
import { createProviderClient } from '../src/provider/client.ts';
import { startService } from '../src/service.ts';
import { METRICS } from '../src/telemetry/metric-names.ts';
import { createTestDatabase } from './helpers/database.ts';
import { pinInstallationTag } from './helpers/installation.ts';
import { postJson, spawnService, startTestService, testConfig, testEnv, waitForJob, type ChildService, type JobBody } from './helpers/service.ts';

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
class ManualReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
const reader = new ManualReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

const N = 2000;
const TAG = 'pin404';
const documents = Array.from({ length: N }, (_, i) => ({ id: `rev-${i}`, text: `Review ${i}: ${i % 4 === 0 ? 'strap broke after a week' : 'battery lasts two days'}.` }));
const THE_404S: SimulatorFaults = { notFound: { firstRetrieve: true, firstResults: true, retrieveRate: 0.1 } };

interface Run {
  job: JobBody;
  stats: SimulatorStats;
}

/** The 2,000-document job on a fresh database (same installation tag, so the same custom_ids) and simulator. */
async function runInProcess(faults: SimulatorFaults): Promise<Run> {
  const db = await createTestDatabase();
  await pinInstallationTag(db, TAG);
  const sim = await startSimulator({ processingMs: 150, faults });
  const service = await startTestService(db, sim.url, { BATCH_MAX_REQUESTS: '500' });
  try {
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    return { job: await waitForJob(service.url, id, 120_000), stats: sim.stats() };
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
}

function assertEachPromptOnce(run: Run): void {
  assert.equal(run.job.status, 'completed', JSON.stringify(run.job.counts));
  assert.equal(run.job.counts.succeeded, N);
  assert.equal(run.stats.requestsSubmitted, N, 'the simulator saw 2,000 requests');
  assert.equal(Object.keys(run.stats.submissionsByParamsHash).length, N);
  for (const [hash, n] of Object.entries(run.stats.submissionsByParamsHash)) assert.equal(n, 1, `prompt ${hash} sent ${n} times`);
  assert.equal(run.stats.creates, 4, 'four batches of 500, none sent again');
}

let clean: Run;
before(async () => {
  clean = await runInProcess({});
  assertEachPromptOnce(clean);
});

test('404s on the first retrieve and first results of every batch, and on 10% of other retrieves, cost nothing', async () => {
  const faulty = await runInProcess(THE_404S);
  assertEachPromptOnce(faulty);
  // Every batch's first retrieve and first results answered 404, and some of the later retrieves did too.
  assert.ok(faulty.stats.invisibleAnswers >= 8, `${faulty.stats.invisibleAnswers} 404s met (and looked past)`);
  assert.deepEqual(faulty.job.usage, clean.job.usage);
  assert.deepEqual(faulty.job.cost, clean.job.cost, 'the same cost as the same job without the 404s');
  assert.ok(faulty.job.batches.every((b) => b.status === 'collected' && !b.is_retry));
  console.log(`404s: 2,000 of 2,000 succeeded, ${faulty.stats.requestsSubmitted} requests sent, $${faulty.job.cost.usd} (without the 404s: $${clean.job.cost.usd}); ${faulty.stats.invisibleAnswers} 404s answered`);
});

test('the same with two SIGKILLs while batches are unconfirmed: the run of 404s survives each restart', async () => {
  const db = await createTestDatabase();
  await pinInstallationTag(db, TAG);
  const sim = await startSimulator({ processingMs: 1500, faults: THE_404S });
  const env = testEnv(db, { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: sim.url, BATCH_MAX_REQUESTS: '500', POLL_MIN_MS: '400', POLL_MAX_MS: '1000', BATCHLINE_LEASE_MS: '2000' });
  let service: ChildService = await spawnService(env);
  try {
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents })).json()) as { id: string };
    const view = async (): Promise<JobView> => (await (await fetch(`${service.url}/v1/jobs/${id}`)).json()) as JobView;
    for (let kill = 0; kill < 2; kill++) {
      // Hold the next few retrieves back, so a batch stays unconfirmed across the restart.
      sim.setFaults({ ...THE_404S, http: [{ route: 'retrieve', status: 404, times: 12 }] });
      const seen = await waitFor(async () => (await view()).batches.find((b) => b.unconfirmed !== null), 30_000);
      const before = seen.unconfirmed as Unconfirmed;
      service.child.kill('SIGKILL');
      await service.exited;
      service = await spawnService(env);
      // The restarted worker looks again and gets another 404: the same run, not the first of a new one.
      const again = await waitFor(async () => {
        const b = (await view()).batches.find((x) => x.id === seen.id);
        return b && (b.unconfirmed === null || b.unconfirmed.looks > before.looks) ? b : undefined;
      }, 30_000);
      if (again.unconfirmed !== null) assert.equal(again.unconfirmed.since, before.since, `batch ${seen.id}: the window started ${before.since} and still does after the restart`);
      else assert.fail(`batch ${seen.id} was seen again before the restarted worker met a 404 (the held 404s ran out)`);
      sim.setFaults(THE_404S);
    }
    const job = await waitForJob(service.url, id, 120_000);
    const run = { job, stats: sim.stats() };
    assertEachPromptOnce(run);
    assert.deepEqual(job.cost, clean.job.cost, 'the same cost as without 404s and kills');
  } finally {
    service.child.kill('SIGKILL');
    await sim.close();
    await db.drop();
  }
});

test('a batch that really disappears is declared gone only after the window: re-sent once, shown, counted, traced, logged once', async () => {
  const db = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 1500 });
  const lines: Array<{ level: number; msg: string; batch_id?: number }> = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString())), done()) }));
  const WINDOW_MS = 1200;
  const service = await startService(testConfig(db, { BATCH_MAX_REQUESTS: '50', BATCHLINE_UNCONFIRMED_WINDOW_MS: String(WINDOW_MS), BATCHLINE_UNCONFIRMED_MIN_LOOKS: '3' }), {
    log,
    provider: createProviderClient({ apiKey: 'test-key', baseURL: sim.url }),
  });
  try {
    exporter.reset();
    const docs = Array.from({ length: 100 }, (_, i) => ({ id: `d${i}`, text: `document ${i}` }));
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: docs })).json()) as { id: string };
    const rows = service.database.db.selectFrom('batches').selectAll().where('job_id', '=', id).orderBy('id');
    const first = await waitFor(async () => (await rows.execute()).find((b) => b.provider_id !== null), 10_000);
    assert.ok(sim.forgetBatch(first.provider_id ?? ''), 'the provider lost the batch');

    const job = (await waitForJob(service.url, id, 60_000)) as unknown as Omit<JobBody, "batches"> & JobView;
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, 100);
    const gone = job.batches.find((b) => b.id === first.id);
    assert.equal(gone?.status, 'gone');
    assert.equal(gone?.gone?.requeued, 50);
    assert.match(gone?.gone?.reason ?? '', /answered 404 to retrieve .* batches\.list does not show it/);
    assert.deepEqual(job.provider_incidents, { unconfirmed_batches: 0, gone_batches: 1, requeued_items: 50 });
    const retried = job.batches.filter((b) => b.is_retry);
    assert.equal(retried.length, 1);
    assert.equal(retried[0]?.request_count, 50, 'its items, and only them, went out once more');
    assert.equal(sim.stats().requestsSubmitted, 150);

    const row = (await rows.execute()).find((b) => b.id === first.id);
    assert.ok(row?.gone_at && row.unconfirmed_since);
    assert.ok(row.gone_at.getTime() - row.unconfirmed_since.getTime() >= WINDOW_MS, 'not declared before the window was over');
    assert.ok(row.unconfirmed_looks >= 2, `${row.unconfirmed_looks} looks recorded before the last`);

    const { resourceMetrics } = await reader.collect();
    const goneMetric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === METRICS.batchesGone.name);
    const total = (goneMetric?.dataPoints as Array<{ value: unknown }> | undefined)?.reduce((n, p) => n + Number(p.value), 0);
    assert.equal(total, 1, 'batchline.batches.gone counted it');

    const polls = exporter.getFinishedSpans().filter((s) => s.name === 'batch.poll' && s.attributes['batchline.batch.id'] === first.id);
    const marked = polls.filter((s) => s.attributes['batchline.batch.gone'] === true);
    assert.equal(marked.length, 1);
    assert.equal(marked[0]?.status.code, SpanStatusCode.ERROR);
    assert.ok(marked[0]?.events.some((e) => e.name === 'batch.gone' && e.attributes?.['batchline.batch.gone.requeued'] === 50));
    assert.ok(polls.filter((s) => s.events.some((e) => e.name === 'batch.unconfirmed')).length >= 3, 'each 404 look is on the trace');

    // The dashboard shows it too: a notice at the top, and the batch row with its reason.
    const page = await (await fetch(`${service.url}/jobs/${id}`)).text();
    assert.match(page, /id="provider-gone"[^>]*>[\s\S]*1 provider batch was declared gone[\s\S]*50 unanswered items were sent again/);
    assert.match(page, /data-batch-status="gone"[\s\S]*?Declared gone/);

    const loud = lines.filter((l) => l.level >= 50 && l.batch_id === first.id);
    assert.equal(loud.length, 1, 'logged at error level once');
    assert.equal(loud[0]?.msg, 'provider batch declared gone; its items were re-queued');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

test('`ended` with results_url still null is looked at again: collected on a later look, nothing sent again', async () => {
  const db = await createTestDatabase();
  // Two looks see no results_url: the poll that sees the end, and the look results() makes first.
  const sim = await startSimulator({ processingMs: 100, faults: { endedWithoutResultsUrl: 2 } });
  const service = await startTestService(db, sim.url);
  try {
    const { id } = (await (await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: documents.slice(0, 40) })).json()) as { id: string };
    const job = await waitForJob(service.url, id, 30_000);
    assert.equal(job.status, 'completed');
    assert.equal(job.counts.succeeded, 40);
    assert.equal(sim.stats().requestsSubmitted, 40);
    assert.equal(job.batches.length, 1);
    const [batch] = await service.database.db.selectFrom('batches').selectAll().where('job_id', '=', id).execute();
    assert.ok((batch?.collect_attempts ?? 0) >= 1, 'the first read found no results_url and was tried again');
  } finally {
    await service.close();
    await sim.close();
    await db.drop();
  }
});

interface Unconfirmed {
  since: string;
  looks: number;
  reason: string;
}

interface JobView {
  batches: Array<{ id: number; status: string; is_retry: boolean; request_count: number; unconfirmed: Unconfirmed | null; gone: { at: string; reason: string; requeued: number } | null }>;
  provider_incidents: { unconfirmed_batches: number; gone_batches: number; requeued_items: number };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

after(() => exporter.reset());
