// A fresh database per test: a new Postgres database when DATABASE_URL is set (CI), else a PGlite dir.
// Both start migrated, cloned from a template made once (as graphile-worker does with CREATE DATABASE …
// TEMPLATE): an embedded PGlite's initdb and the migrations cost 5–10 s of WebAssembly per database on
// these machines, which over the suite's ~90 databases was a third of the PGlite pass. The template holds
// no installation row, so each clone tags itself on its first start (src/db/installation.ts) as a fresh
// database would, and custom_ids never repeat between two test databases; re-tagging each clone here cost
// a PGlite boot per database.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase } from '../../src/db/connect.ts';
import { MIGRATIONS_DIR, migrate } from '../../src/db/migrate.ts';

export interface TestDatabase {
  /** DATABASE_URL for the service, or undefined for PGlite. */
  url: string | undefined;
  /** BATCHLINE_DATA_DIR (always set: PGlite lives there, and so do test files). */
  dataDir: string;
  kind: 'postgres' | 'pglite';
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Start with no schema at all (the migration test applies the migrations itself). */
  empty?: boolean;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where test databases and their files live: BATCHLINE_TEST_TMPDIR, else /dev/shm where the machine has one
 * (Linux), else the temp folder. In memory, an embedded PGlite's fsyncs and each clone's 40 MB copy cost
 * no disk I/O: on these machines a PGlite test file's system time fell to about 40% (4.8 → 1.9 s for
 * test/jobs.lifecycle.test.ts). Nothing here needs to outlive the run.
 */
const TEST_ROOT = process.env.BATCHLINE_TEST_TMPDIR ?? (isWritableDir('/dev/shm') ? '/dev/shm' : os.tmpdir());

function isWritableDir(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  removeAbandonedTestDirs();
  const dataDir = fs.mkdtempSync(path.join(TEST_ROOT, 'batchline-test-'));
  const admin = process.env.DATABASE_URL;
  if (!admin) {
    if (!options.empty) await clonePglite(await pgliteTemplate(), path.join(dataDir, 'pgdata'));
    return { url: undefined, dataDir, kind: 'pglite', drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `bl_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const template = options.empty ? null : await postgresTemplate(admin);
  await withAdmin(admin, (client) => client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  const url = databaseUrl(admin, name);
  return {
    url,
    dataDir,
    kind: 'postgres',
    async drop() {
      await withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What a template holds besides the migrations (a change here must not reuse older templates). */
const TEMPLATE_SHAPE = 'migrated, no installation row';

/** Names the schema a template holds: the migrations' text, its shape and the PGlite build that wrote it. */
function schemaKey(): string {
  const hash = createHash('sha256').update(TEMPLATE_SHAPE);
  for (const file of fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort()) {
    hash.update(file).update(fs.readFileSync(path.join(MIGRATIONS_DIR, file)));
  }
  const pglite = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
  return hash.update(pglite.version).digest('hex').slice(0, 16);
}

let pgliteTemplatePath: Promise<string> | undefined;

/** A migrated PGlite data dir in the temp folder, made once per schema and shared by every test process. */
function pgliteTemplate(): Promise<string> {
  pgliteTemplatePath ??= (async () => {
    const dir = path.join(TEST_ROOT, `batchline-pglite-template-${schemaKey()}`);
    if (fs.existsSync(path.join(dir, 'ready'))) return dir;
    removeStalePgliteTemplates();
    // Made aside and renamed into place: a process that finds the folder finds it whole.
    const building = fs.mkdtempSync(`${dir}-building-`);
    const database = await openDatabase({ dataDir: building });
    try {
      await migrate(database.db);
      await database.db.deleteFrom('installation').execute();
    } finally {
      await database.close();
    }
    fs.writeFileSync(path.join(building, 'ready'), '');
    try {
      fs.renameSync(building, dir);
    } catch {
      // Another process put its template there first: use that one.
      fs.rmSync(building, { recursive: true, force: true });
    }
    return dir;
  })();
  return pgliteTemplatePath;
}

let abandonedRemoved = false;

/** Folders of test processes killed before their drop, a day old or more: in memory they would add up. */
function removeAbandonedTestDirs(): void {
  if (abandonedRemoved) return;
  abandonedRemoved = true;
  for (const name of fs.readdirSync(TEST_ROOT).filter((n) => n.startsWith('batchline-test-'))) {
    const dir = path.join(TEST_ROOT, name);
    try {
      if (Date.now() - fs.statSync(dir).mtimeMs > 86_400_000) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

/** Templates of earlier schemas, left an hour ago or more (a younger one may belong to another checkout's run). */
function removeStalePgliteTemplates(): void {
  for (const name of fs.readdirSync(TEST_ROOT).filter((n) => n.startsWith('batchline-pglite-template-'))) {
    const dir = path.join(TEST_ROOT, name);
    if (Date.now() - fs.statSync(dir).mtimeMs > 3_600_000) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function clonePglite(template: string, pgdata: string): Promise<void> {
  fs.cpSync(path.join(template, 'pgdata'), pgdata, { recursive: true });
}

/** A migrated template database on the server, made once per schema (CREATE DATABASE copies it). */
async function postgresTemplate(admin: string): Promise<string> {
  const name = `bl_template_${schemaKey()}`;
  const exists = await withAdmin(admin, (c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
  if (exists.rowCount === 1) return name;
  // Templates of earlier schemas are of no further use (one still being cloned from refuses the drop: kept).
  const old = await withAdmin(admin, (c) => c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'bl\\_template\\_%'"));
  for (const row of old.rows) await withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${row.datname}`)).catch(() => undefined);
  const building = `${name}_${randomBytes(4).toString('hex')}`;
  await withAdmin(admin, (c) => c.query(`CREATE DATABASE ${building}`));
  const database = await openDatabase({ databaseUrl: databaseUrl(admin, building), dataDir: os.tmpdir(), poolSize: 1 });
  try {
    await migrate(database.db);
    await database.db.deleteFrom('installation').execute();
  } finally {
    await database.close();
  }
  try {
    await withAdmin(admin, (c) => c.query(`ALTER DATABASE ${building} RENAME TO ${name}`));
  } catch {
    // Another process made it first.
    await withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`));
  }
  return name;
}

function databaseUrl(admin: string, name: string): string {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(admin: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
