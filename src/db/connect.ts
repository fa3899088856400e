// Opens the database: Postgres through `pg` when DATABASE_URL is set, embedded PGlite otherwise.
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import pg from 'pg';
import fs from 'node:fs';
import path from 'node:path';
import type { DB } from './types.ts';
import { pglitePool } from './pglite-pool.ts';
import { DATA_DIR_ENTRIES } from '../data-dir.ts';

export interface Database {
  db: Kysely<DB>;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
}

const INT8_OID = 20;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(path.join(options.dataDir, DATA_DIR_ENTRIES.pglite));
}

function openPostgres(connectionString: string, max: number): Database {
  const pool = new pg.Pool({
    connectionString,
    max,
    // Ids and counts are bigint in SQL; they stay far below 2^53, so numbers are exact and simpler.
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) } as pg.CustomTypesConfig,
  });
  // An idle client that loses its server (Postgres restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // A checked-out client whose server goes away emits 'error' while the pool has no listener on it (only
  // idle ones get one): an uncaught exception. Its query has already failed; the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

async function openPglite(dir: string): Promise<Database> {
  fs.mkdirSync(dir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const lite = await PGlite.create(dir);
  const pool = pglitePool(lite) as unknown as PostgresPool;
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}
