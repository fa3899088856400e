// The service's OpenTelemetry instruments, made from the names in metric-names.ts. Without a registered
// MeterProvider (OTEL_* unset) the API's no-op meter makes each record call a no-op.
import { metrics, type Attributes, type Counter, type Histogram } from '@opentelemetry/api';
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
 * Items and jobs by state, read from Postgres when the reader collects (every export interval), for
 * unfinished jobs and jobs finished within the last hour: whole history would make each read grow
 * without end. Every replica reports the same numbers; dashboards take max() across instances.
 */
export function observeStateGauges(db: Kysely<DB>): () => void {
  const m = meter();
  const items = m.createObservableGauge(METRICS.items.name, { unit: METRICS.items.unit, description: METRICS.items.description });
  const jobs = m.createObservableGauge(METRICS.jobs.name, { unit: METRICS.jobs.unit, description: METRICS.jobs.description });
  const callback = async (result: { observe(o: typeof items, v: number, a: Attributes): void }) => {
    try {
      const [itemRows, jobRows] = await Promise.all([
        sql<{ status: string; n: string }>`
          SELECT i.status, count(*) AS n FROM items i JOIN jobs j ON j.id = i.job_id
          WHERE j.finished_at IS NULL OR j.finished_at > now() - interval '1 hour'
          GROUP BY i.status`.execute(db),
        sql<{ status: string; n: string }>`
          SELECT status, count(*) AS n FROM jobs
          WHERE finished_at IS NULL OR finished_at > now() - interval '1 hour'
          GROUP BY status`.execute(db),
      ]);
      for (const r of itemRows.rows) result.observe(items, Number(r.n), { state: r.status });
      for (const r of jobRows.rows) result.observe(jobs, Number(r.n), { status: r.status });
    } catch {
      // A database hiccup skips one reading; the next export interval tries again.
    }
  };
  m.addBatchObservableCallback(callback, [items, jobs]);
  return () => m.removeBatchObservableCallback(callback, [items, jobs]);
}
