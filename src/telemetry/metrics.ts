// The service's OpenTelemetry instruments, made from the names in metric-names.ts. Without a registered
// MeterProvider (OTEL_* unset) the API's no-op meter makes each record call a no-op.
import { diag, metrics, type Attributes, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import { SERVICE_VERSION } from '../version.ts';
import { METRICS, type MetricName } from './metric-names.ts';

const meter = () => metrics.getMeter('batchline', SERVICE_VERSION);

function counter(m: MetricName): Counter {
  return meter().createCounter(m.name, { unit: m.unit, description: m.description });
}

function histogram(m: MetricName): Histogram {
  return meter().createHistogram(m.name, {
    unit: m.unit,
    description: m.description,
    // Batches end within 24 h; most in minutes to a few hours.
    advice: { explicitBucketBoundaries: [30, 60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 57_600, 86_400] },
  });
}

interface Instruments {
  resultsCollected: Counter;
  tokens: Counter;
  costUsd: Counter;
  deliveries: Counter;
  pollCalls: Counter;
  callbacks: Counter;
  batchesSubmitted: Counter;
  batchesGone: Counter;
  purgedRows: Counter;
  providerBatchesDeleted: Counter;
  batchDuration: Histogram;
}

let instruments: Instruments | undefined;

/**
 * Made on first use, so a MeterProvider registered at start-up (before the app is imported) is the one
 * they report to.
 */
export function instrumentsOf(): Instruments {
  instruments ??= {
    resultsCollected: counter(METRICS.resultsCollected),
    tokens: counter(METRICS.tokens),
    costUsd: counter(METRICS.costUsd),
    deliveries: counter(METRICS.deliveries),
    pollCalls: counter(METRICS.pollCalls),
    callbacks: counter(METRICS.callbacks),
    batchesSubmitted: counter(METRICS.batchesSubmitted),
    batchesGone: counter(METRICS.batchesGone),
    purgedRows: counter(METRICS.purgedRows),
    providerBatchesDeleted: counter(METRICS.providerBatchesDeleted),
    batchDuration: histogram(METRICS.batchDuration),
  };
  return instruments;
}

/** Tests install a fresh MeterProvider per run; the instruments must then be made again. */
export function resetInstruments(): void {
  instruments = undefined;
}

export function countAdd(name: Exclude<keyof Instruments, 'batchDuration'>, value: number, attributes?: Attributes): void {
  if (value > 0) instrumentsOf()[name].add(value, attributes);
}

/**
 * Starts a counter of rare events at 0, so that a series exists before the first event: an alert on
 * increase() then fires on the very first one instead of waiting for a second.
 */
export function countFromZero(name: Exclude<keyof Instruments, 'batchDuration'>): void {
  instrumentsOf()[name].add(0);
}

/** Arbitrary, constant (next to migrate.ts's 74_201_101): "batchline state gauges". */
export const STATE_GAUGE_LOCK = 74_201_102;
const STATE_GAUGE_TIMEOUT_MS = 2000;
/** Postgres' SQLSTATE for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

export interface StateGaugeOptions {
  /** Where a skipped reading is reported; the OpenTelemetry diag logger when absent. */
  log?: { warn(fields: object, message: string): void };
  /** Tests hand in their own meter; the global one otherwise. */
  meter?: Meter;
  /** Longest a reading may take before it is given up; default 2 s. */
  timeoutMs?: number;
}

interface StateCounts {
  items: Map<string, number>;
  jobs: Map<string, number>;
}

/**
 * Items and jobs by state, read from Postgres when the reader collects (every export interval), for
 * unfinished jobs and jobs finished within the last hour: whole history would make each read grow
 * without end.
 *
 * One replica at a time reads: the reading holds a transaction-level advisory lock, and a replica that
 * cannot take it at once reports nothing for that collection. A reading never waits, and however many
 * replicas there are the database runs at most one count at a time (replicas whose collections do not
 * overlap each read in turn). A statement timeout gives up a slow count rather than let it pile up.
 * Every reading is of the whole database, so Prometheus/Grafana must take max() (or last) across
 * instances, never sum(). Caveat: a replica that skipped keeps exporting its previous reading (the SDK
 * repeats the last value of a gauge under cumulative temporality), and does so until it reads again;
 * that takes its collections overlapping another replica's within the milliseconds of a count, so it
 * is rare and short, but max() can show such a stale higher value meanwhile. On PGlite there is one
 * process, and the lock is always free.
 */
export function observeStateGauges(db: Kysely<DB>, options: StateGaugeOptions = {}): () => void {
  const m = options.meter ?? meter();
  const timeoutMs = options.timeoutMs ?? STATE_GAUGE_TIMEOUT_MS;
  const warn = options.log ? options.log.warn.bind(options.log) : (fields: object, message: string) => diag.warn(message, fields);
  const items = m.createObservableGauge(METRICS.items.name, { unit: METRICS.items.unit, description: METRICS.items.description });
  const jobs = m.createObservableGauge(METRICS.jobs.name, { unit: METRICS.jobs.unit, description: METRICS.jobs.description });
  // States this process has reported: one that has emptied is reported as 0, since the SDK would
  // otherwise keep exporting its last count.
  const seen = { items: new Set<string>(), jobs: new Set<string>() };
  const callback = async (result: { observe(o: typeof items, v: number, a: Attributes): void }) => {
    let counts: StateCounts | undefined;
    try {
      counts = await readStateCounts(db, timeoutMs);
    } catch (error) {
      // A slow count is given up, not piled up behind; a database hiccup skips one reading. Either way
      // the next export interval tries again.
      const timedOut = (error as { code?: unknown }).code === QUERY_CANCELED;
      warn({ err: error, timeout_ms: timeoutMs }, timedOut ? 'state gauges skipped: the count exceeded its statement timeout' : 'state gauges skipped: the count failed');
      return;
    }
    if (!counts) return;
    for (const [gauge, key, byState, label] of [[items, 'items', counts.items, 'state'], [jobs, 'jobs', counts.jobs, 'status']] as const) {
      for (const state of byState.keys()) seen[key].add(state);
      for (const state of seen[key]) result.observe(gauge, byState.get(state) ?? 0, { [label]: state });
    }
  };
  m.addBatchObservableCallback(callback, [items, jobs]);
  return () => m.removeBatchObservableCallback(callback, [items, jobs]);
}

/**
 * One reading of the state gauges, or undefined when another replica is reading. One statement, so
 * both counts are of one snapshot. The jobs of the window are found by jobs_finished (migration 0006),
 * one branch per side of the OR; each job's items are counted by job and state from items_job_status,
 * so the cost follows the window, never the items of older jobs.
 */
async function readStateCounts(db: Kysely<DB>, timeoutMs: number = STATE_GAUGE_TIMEOUT_MS): Promise<StateCounts | undefined> {
  return db.transaction().execute(async (trx) => {
    // SET takes no parameters; the value is an integer of ours.
    await sql.raw(`SET LOCAL statement_timeout = ${Math.max(1, Math.trunc(timeoutMs))}`).execute(trx);
    const lock = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${STATE_GAUGE_LOCK}) AS locked`.execute(trx);
    if (!lock.rows[0]?.locked) return undefined;
    const rows = await sql<{ kind: 'item' | 'job'; status: string; n: number | string }>`
      WITH recent AS (
        SELECT id, status FROM jobs WHERE finished_at IS NULL
        UNION ALL
        SELECT id, status FROM jobs WHERE finished_at > now() - interval '1 hour'
      )
      SELECT 'item' AS kind, c.status, sum(c.n)::bigint AS n
        FROM recent j CROSS JOIN LATERAL (SELECT status, count(*) AS n FROM items WHERE job_id = j.id GROUP BY status) c
        GROUP BY c.status
      UNION ALL
      SELECT 'job', status, count(*) FROM recent GROUP BY status`.execute(trx);
    const counts: StateCounts = { items: new Map(), jobs: new Map() };
    for (const r of rows.rows) counts[r.kind === 'item' ? 'items' : 'jobs'].set(r.status, Number(r.n));
    return counts;
  });
}
