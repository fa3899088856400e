// One small pg.Pool per external connection string for the life of the process, so deliveries reuse
// connections. A dropped connection must never crash the process: pg emits 'error' on idle clients
// (pool 'error') and on clients in use (client 'error'), and an unheard 'error' event throws.
import pg from 'pg';
import type { Logger } from '../../src/logger.ts';
import type { SqlExecutor } from '../../src/plugins/contract.ts';
import { describeTarget, scrub } from './errors.ts';

interface Entry {
  pool: pg.Pool;
  /** The latest delivery's logger: the pool outlives any one call. */
  log: Logger;
}

const pools = new Map<string, Entry>();

function createEntry(connectionString: string, log: Logger): Entry {
  const target = describeTarget(connectionString);
  const pool = new pg.Pool({
    connectionString,
    max: 2,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // Idle sink connections must not keep a shutting-down process alive.
    allowExitOnIdle: true,
    application_name: 'batchline-postgres-sink',
  });
  const entry: Entry = { pool, log };
  const report = (error: Error) => entry.log.warn({ target, err: scrub(error.message, connectionString) }, 'postgres sink connection error');
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
  return entry;
}

export function poolFor(connectionString: string, log: Logger): pg.Pool {
  const known = pools.get(connectionString);
  if (known) {
    known.log = log;
    return known.pool;
  }
  const entry = createEntry(connectionString, log);
  pools.set(connectionString, entry);
  return entry.pool;
}

export function poolExecutor(pool: pg.Pool): SqlExecutor {
  return {
    async query(text, params) {
      const result = await pool.query(text, [...params]);
      return { rows: result.rows as Array<Record<string, unknown>> };
    },
  };
}

/** Ends every cached pool (shutdown, tests). */
export async function closePools(): Promise<void> {
  const entries = [...pools.values()];
  pools.clear();
  await Promise.all(entries.map((e) => e.pool.end().catch(() => undefined)));
}
