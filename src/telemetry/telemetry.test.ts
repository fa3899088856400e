import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { createTestDatabase } from '../../test/helpers/database.ts';
import { postJson, startTestService, waitForJob } from '../../test/helpers/service.ts';
import { openDatabase } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { startSimulator } from '../provider/simulator/index.ts';
import type { DB } from '../db/types.ts';
import { METRICS } from './metric-names.ts';
import { observeStateGauges, STATE_GAUGE_LOCK, type StateGaugeOptions } from './metrics.ts';
import { telemetrySettings } from './sdk.ts';
import { scrubSecrets } from '../secrets/scrub.ts';
import { contextFrom, inSpan, linkTo, spanContextFrom, traceparentOf, tracer } from './trace.ts';

test('telemetry is off unless an OTEL_* endpoint or exporter asks for it', () => {
  assert.deepEqual(telemetrySettings({}), { traces: false, metrics: false });
  assert.deepEqual(telemetrySettings({ OTEL_SERVICE_NAME: 'x' }), { traces: false, metrics: false });
  assert.deepEqual(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), { traces: true, metrics: true });
  assert.deepEqual(telemetrySettings({ OTEL_TRACES_EXPORTER: 'console' }), { traces: true, metrics: false });
  assert.deepEqual(telemetrySettings({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/v1/metrics' }), { traces: false, metrics: true });
  assert.deepEqual(telemetrySettings({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' }), { traces: false, metrics: false });
  assert.deepEqual(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), { traces: false, metrics: false });
});

test('a stored traceparent round-trips into a parent context; junk and the all-zero id give none', () => {
  const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const sc = spanContextFrom(tp);
  assert.equal(sc?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(sc?.spanId, '00f067aa0ba902b7');
  assert.equal(sc?.isRemote, true);
  assert.equal(trace.getSpanContext(contextFrom(tp))?.spanId, '00f067aa0ba902b7');
  for (const bad of [null, undefined, '', 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']) {
    assert.equal(spanContextFrom(bad), undefined, String(bad));
    assert.deepEqual(linkTo(bad), []);
  }
});

test('with tracing off spans are no-ops and nothing is stored', async () => {
  // No SDK is registered in this process, as in a service started without OTEL_* settings.
  const span = tracer().startSpan('x');
  assert.equal(span.isRecording(), false);
  assert.equal(traceparentOf(span), null);
  span.end();
  assert.equal(await inSpan('y', {}, async (inner) => (inner.isRecording() ? 'recording' : 'no-op')), 'no-op', 'inSpan still runs the work');

  // A job run through the service leaves no trace context on its rows.
  const tdb = await createTestDatabase();
  const sim = await startSimulator({ processingMs: 0 });
  const service = await startTestService(tdb, sim.url);
  try {
    const res = await postJson(`${service.url}/v1/jobs`, { task: 'review-insights', documents: [{ id: 'a', text: 'Fine.' }] });
    assert.equal(res.status, 201, await res.clone().text());
    const job = await waitForJob(service.url, ((await res.json()) as { id: string }).id, 30_000);
    assert.equal(job.status, 'completed');
    const db = service.database.db;
    const jobs = await db.selectFrom('jobs').select('trace_context').execute();
    const batches = await db.selectFrom('batches').select('trace_context').execute();
    assert.ok(jobs.length === 1 && batches.length === 1, `one job and one batch (${jobs.length}, ${batches.length})`);
    assert.deepEqual([...jobs, ...batches].map((row) => row.trace_context), [null, null], 'no traceparent stored');
  } finally {
    await service.close();
    await sim.close();
    await tdb.drop();
  }
});

test('error messages lose URL credentials and query strings before they reach a span', () => {
  assert.equal(
    scrubSecrets('request failed: https://user:s3cret@hooks.example/in?token=abc: refused'),
    'request failed: https://***@hooks.example/in?… refused',
  );
  assert.equal(scrubSecrets('no url here'), 'no url here');
});

/** Collects only when asked. */
class ManualReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

type Reading = { items: Record<string, number>; jobs: Record<string, number> };

/** One replica's state gauges: each read() is one metric collection, giving what it reported. */
function replica(db: Kysely<DB>, options: Omit<StateGaugeOptions, 'meter'> = {}): { read(): Promise<Reading>; stop(): void } {
  const reader = new ManualReader();
  const stop = observeStateGauges(db, { ...options, meter: new MeterProvider({ readers: [reader] }).getMeter('test') });
  return {
    stop,
    async read() {
      const { resourceMetrics } = await reader.collect();
      const reading: Reading = { items: {}, jobs: {} };
      for (const m of resourceMetrics.scopeMetrics.flatMap((s) => s.metrics)) {
        const [into, label] = m.descriptor.name === METRICS.items.name ? [reading.items, 'state'] : m.descriptor.name === METRICS.jobs.name ? [reading.jobs, 'status'] : [];
        if (!into || !label) continue;
        for (const p of m.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>) into[String(p.attributes[label])] = Number(p.value);
      }
      return reading;
    },
  };
}

async function addJob(db: Kysely<DB>, id: string, status: string, finishedAgo: string | null, items: Record<string, number>): Promise<void> {
  await sql`INSERT INTO jobs (id, status, task, finished_at) VALUES (${id}, ${status}, '{}', ${finishedAgo === null ? null : sql`now() - ${finishedAgo}::interval`})`.execute(db);
  for (const [state, n] of Object.entries(items)) {
    await sql`INSERT INTO items (job_id, external_id, document, status)
      SELECT ${id}, ${`${id}-${state}-`} || g, '{}', ${state} FROM generate_series(1, ${n}::int) g`.execute(db);
  }
}

test('the state gauges count items and jobs of unfinished and recent jobs, and an emptied state reads 0', async () => {
  const tdb = await createTestDatabase();
  const { db, close } = await openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir });
  try {
    await migrate(db);
    await addJob(db, 'live', 'running', null, { queued: 2, submitted: 1 });
    await addJob(db, 'recent', 'completed', '10 minutes', { succeeded: 2 });
    await addJob(db, 'old', 'completed_with_errors', '2 days', { succeeded: 5, failed: 1 });
    const gauges = replica(db);
    assert.deepEqual(await gauges.read(), { items: { queued: 2, submitted: 1, succeeded: 2 }, jobs: { running: 1, completed: 1 } }, 'a job finished two days ago is left out');

    await sql`UPDATE items SET status = 'succeeded' WHERE job_id = 'live'`.execute(db);
    await sql`UPDATE jobs SET status = 'completed', finished_at = now() WHERE id = 'live'`.execute(db);
    assert.deepEqual(await gauges.read(), { items: { queued: 0, submitted: 0, succeeded: 5 }, jobs: { running: 0, completed: 2 } }, 'states that emptied read 0, not their last count');
    gauges.stop();
  } finally {
    await close();
    await tdb.drop();
  }
});

test(
  'one replica at a time reads the state gauges, and a slow count is given up at its timeout',
  { skip: process.env.DATABASE_URL ? false : 'PGlite is one connection in one process: there is no second replica to keep out' },
  async () => {
    const tdb = await createTestDatabase();
    const a = await openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir });
    const b = await openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir });
    const blocker = new pg.Client({ connectionString: tdb.url });
    await blocker.connect();
    try {
      await migrate(a.db);
      await addJob(a.db, 'live', 'running', null, { queued: 2 });
      const warnings: string[] = [];
      const first = replica(a.db, { timeoutMs: 10_000 });
      const second = replica(b.db, { timeoutMs: 300, log: { warn: (_fields, message) => warnings.push(message) } });

      // A holds the lock and waits on the items table (locked by someone else) while B collects.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
      const firstReading = first.read();
      const deadline = Date.now() + 5000;
      const lockHeld = async () => (await blocker.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = $1`, [STATE_GAUGE_LOCK])).rowCount === 1;
      while (!(await lockHeld())) {
        assert.ok(Date.now() < deadline, 'replica A took the gauge lock');
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(await second.read(), { items: {}, jobs: {} }, 'B, finding the lock taken, reports nothing');
      assert.deepEqual(warnings, [], 'and that is no failure');
      await blocker.query('COMMIT');
      assert.deepEqual(await firstReading, { items: { queued: 2 }, jobs: { running: 1 } }, 'A reports once its count runs');

      // A count that cannot finish in time is cancelled by statement_timeout, not left to pile up.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      assert.deepEqual(await second.read(), { items: {}, jobs: {} }, 'a timed-out count reports nothing');
      assert.ok(Date.now() - started < 3000, `given up at its timeout (${Date.now() - started} ms)`);
      assert.deepEqual(warnings, ['state gauges skipped: the count exceeded its statement timeout']);
      await blocker.query('ROLLBACK');
      assert.deepEqual(await second.read(), { items: { queued: 2 }, jobs: { running: 1 } }, 'the lock went with the failed transaction: B reads next time');
      first.stop();
      second.stop();
    } finally {
      await blocker.end();
      await b.close();
      await a.close();
      await tdb.drop();
    }
  },
);
