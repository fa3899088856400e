// A fresh, empty database per test: a new Postgres database when DATABASE_URL is set (CI), else a PGlite dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  /** DATABASE_URL for the service, or undefined for PGlite. */
  url: string | undefined;
  /** BATCHLINE_DATA_DIR (always set: PGlite lives there, and so do test files). */
  dataDir: string;
  kind: 'postgres' | 'pglite';
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-test-'));
  const admin = process.env.DATABASE_URL;
  if (!admin) {
    return { url: undefined, dataDir, kind: 'pglite', drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `bl_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    kind: 'postgres',
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
