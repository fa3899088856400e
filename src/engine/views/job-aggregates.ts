// The job view's aggregates (items and deliveries by state, token usage): each counts every row of the
// job, so for a large running job they are the costliest thing a client can ask for: measured at 100,000
// items, 0.5 s of Postgres time per view, half the database's work when `batchline run` asks twice a
// second. While a job runs, a computation is shared by the requests that arrive during it and reused for
// ten times what it cost (at most MAX_REUSE_MS): the database spends at most about a tenth of its time on
// polling clients, and a small job (a few milliseconds to count) is always counted afresh. A job whose
// status changed, or that is not running, is counted afresh.
import type { Kysely } from 'kysely';
import type { DB, JobStatus } from '../../db/types.ts';
import { usageRowsOf, type UsageRow } from '../money/usage-rows.ts';

export interface JobAggregates {
  items: Array<{ status: string; n: number }>;
  usage: UsageRow[];
  deliveries: Array<{ status: string; n: number }>;
}

const REUSE_FACTOR = 10;
const MAX_REUSE_MS = 2000;
/** Below this, counting is cheap enough to do on every request. */
const MIN_COST_MS = 50;
const REUSED_WHILE: ReadonlySet<JobStatus> = new Set(['running', 'ingesting']);

interface Entry {
  status: JobStatus;
  until: number;
  value: Promise<JobAggregates>;
}

// Per database handle: one process may serve several databases (tests start many services).
const byDatabase = new WeakMap<Kysely<DB>, Map<string, Entry>>();

export function jobAggregates(db: Kysely<DB>, job: { id: string; status: JobStatus }): Promise<JobAggregates> {
  if (!REUSED_WHILE.has(job.status)) return countAll(db, job.id);
  let entries = byDatabase.get(db);
  if (!entries) {
    entries = new Map();
    byDatabase.set(db, entries);
  }
  const now = Date.now();
  const seen = entries.get(job.id);
  if (seen && seen.status === job.status && seen.until > now) return seen.value;
  for (const [id, e] of entries) if (e.until <= now) entries.delete(id);
  // In flight until it settles: requests meanwhile share it.
  const entry: Entry = { status: job.status, until: Number.POSITIVE_INFINITY, value: countAll(db, job.id) };
  entries.set(job.id, entry);
  const owner = entries;
  entry.value.then(
    () => {
      const cost = Date.now() - now;
      entry.until = cost < MIN_COST_MS ? 0 : Date.now() + Math.min(MAX_REUSE_MS, cost * REUSE_FACTOR);
      if (entry.until === 0 && owner.get(job.id) === entry) owner.delete(job.id);
    },
    () => {
      if (owner.get(job.id) === entry) owner.delete(job.id);
    },
  );
  return entry.value;
}

async function countAll(db: Kysely<DB>, jobId: string): Promise<JobAggregates> {
  const [items, usage, deliveries] = await Promise.all([
    db.selectFrom('items').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('job_id', '=', jobId).groupBy('status').execute(),
    usageRowsOf(db, jobId),
    db.selectFrom('deliveries').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('job_id', '=', jobId).groupBy('status').execute(),
  ]);
  return { items, usage, deliveries };
}
