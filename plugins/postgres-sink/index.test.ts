// The `postgres` sink against an embedded PGlite (the service database) and, when DATABASE_URL is set,
// a real Postgres reached both as the service database and through `connection_string`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pino } from 'pino';
import type { DeliveredResult, SinkContext, SqlExecutor } from '../../src/plugins/contract.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { isRetryable } from './errors.ts';
import { closePostgresSinkPools, postgresSink } from './index.ts';
import { poolFor } from './pools.ts';

const silent = pino({ level: 'silent' });

const result = (n: number, extra: Partial<DeliveredResult> = {}): DeliveredResult => ({
  idempotency_key: `key-${n}`,
  job_id: 'job_1',
  item_id: String(n),
  external_id: `doc-${n}`,
  status: 'succeeded',
  output: { summary: `review "${n}"\nsecond line`, score: n % 5 },
  error: null,
  attempts: 1,
  usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  metadata: { rating: 5 },
  ...extra,
});
const thousand = (extra: Partial<DeliveredResult> = {}) => Array.from({ length: 1000 }, (_, n) => result(n, extra));

function contextWith(database: SqlExecutor, log = silent): SinkContext {
  return { jobId: 'job_1', log, fileRoots: [], signal: new AbortController().signal, database };
}

/** One database the sink writes to, as the tests see it. */
interface Backend {
  ctx: SinkContext;
  /** The sink config for a table, pointing wherever this backend writes. */
  config(table: string): Record<string, unknown>;
  /** Direct access to the same database, outside the sink (not counted). */
  sql(text: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Statements the sink has sent so far. */
  statements(): number;
}

function counting(database: SqlExecutor): { executor: SqlExecutor; count: () => number } {
  let n = 0;
  return { executor: { query: (text, params) => (n++, database.query(text, params)) }, count: () => n };
}

const deliver = (backend: Backend, table: string, results: DeliveredResult[]) =>
  postgresSink.deliver(postgresSink.configSchema.parse(backend.config(table)), results, backend.ctx);

/** The scenarios every backend must pass; tables are prefixed so backends never share one. */
function scenarios(prefix: string, backend: () => Backend) {
  test('on first use the table is created with the contract columns, keyed by idempotency key', async () => {
    const b = backend();
    assert.deepEqual(await deliver(b, `${prefix}_created`, [result(1, { status: 'failed', output: null, error: { type: 'invalid_output', message: 'no JSON' }, usage: null, metadata: null })]), [{ ok: true }]);
    const columns = await b.sql(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [`${prefix}_created`],
    );
    assert.deepEqual(
      columns.map((c) => `${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}`),
      [
        'idempotency_key text not null',
        'job_id text not null',
        'item_id text not null',
        'external_id text not null',
        'status text not null',
        'output jsonb',
        'error jsonb',
        'attempts integer not null',
        'usage jsonb',
        'metadata jsonb',
        'delivered_at timestamp with time zone not null',
      ],
    );
    const [key] = await b.sql(
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary`,
      [`${prefix}_created`],
    );
    assert.equal(key?.attname, 'idempotency_key');
    const [row] = await b.sql(`SELECT * FROM ${prefix}_created`);
    assert.equal(row?.status, 'failed');
    assert.equal(row?.output, null);
    assert.deepEqual(row?.error, { type: 'invalid_output', message: 'no JSON' });
  });

  test('1,000 results go in with one statement; redelivered with a changed payload they stay 1,000 rows', async (t) => {
    const b = backend();
    const table = `${prefix}_thousand`;
    assert.deepEqual(await deliver(b, table, [result(0)]), [{ ok: true }], 'first use prepares the table');

    let before = b.statements();
    let started = performance.now();
    const first = await deliver(b, table, thousand());
    t.diagnostic(`1,000 new rows: ${b.statements() - before} statement(s), ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(b.statements() - before, 1);
    assert.ok(first.length === 1000 && first.every((o) => o.ok));

    before = b.statements();
    started = performance.now();
    const again = await deliver(b, table, thousand({ output: { summary: 'changed', score: 9 }, attempts: 2 }));
    t.diagnostic(`1,000 redelivered rows: ${b.statements() - before} statement(s), ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(b.statements() - before, 1);
    assert.ok(again.length === 1000 && again.every((o) => o.ok));

    const [count] = await b.sql(`SELECT count(*)::int AS n, count(*) FILTER (WHERE attempts = 2 AND output->>'summary' = 'changed')::int AS changed FROM ${table}`);
    assert.deepEqual(count, { n: 1000, changed: 1000 });
  });

  test('the same key twice in one delivery is written once, the last copy winning', async () => {
    const b = backend();
    const outcomes = await deliver(b, `${prefix}_twice`, [result(1), result(1, { attempts: 3 })]);
    assert.deepEqual(outcomes, [{ ok: true }, { ok: true }]);
    assert.deepEqual(await b.sql(`SELECT attempts FROM ${prefix}_twice`), [{ attempts: 3 }]);
  });

  test('a schema-qualified table is created in its schema (made if missing)', async () => {
    const b = backend();
    const outcomes = await deliver(b, `${prefix}_schema.Results`, [result(1), result(2)]);
    assert.deepEqual(outcomes, [{ ok: true }, { ok: true }]);
    const [count] = await b.sql(`SELECT count(*)::int AS n FROM ${prefix}_schema."Results"`);
    assert.equal(count?.n, 2);
  });

  test('an existing table without the needed columns is refused for good, naming them; once fixed it is used', async () => {
    const b = backend();
    const table = `${prefix}_partial`;
    await b.sql(`CREATE TABLE ${table} (idempotency_key text PRIMARY KEY, job_id text NOT NULL, item_id text NOT NULL, status text NOT NULL)`);
    const outcomes = await deliver(b, table, [result(1), result(2)]);
    assert.equal(outcomes.length, 2);
    for (const o of outcomes) {
      assert.ok(!o.ok && !o.retryable, 'not retryable');
      assert.match(o.error, /missing columns: external_id, output, error, attempts, usage, metadata, delivered_at$/);
    }
    await b.sql(`ALTER TABLE ${table} ADD external_id text NOT NULL, ADD output jsonb, ADD error jsonb, ADD attempts integer NOT NULL,
      ADD usage jsonb, ADD metadata jsonb, ADD delivered_at timestamptz NOT NULL DEFAULT now()`);
    assert.deepEqual(await deliver(b, table, [result(1)]), [{ ok: true }]);
  });

  test('a table dropped after first use is created again', async () => {
    const b = backend();
    const table = `${prefix}_dropped`;
    assert.deepEqual(await deliver(b, table, [result(1)]), [{ ok: true }]);
    await b.sql(`DROP TABLE ${table}`);
    assert.deepEqual(await deliver(b, table, [result(2)]), [{ ok: true }]);
    assert.deepEqual(await b.sql(`SELECT idempotency_key FROM ${table}`), [{ idempotency_key: 'key-2' }]);
  });

  test('a row Postgres rejects fails alone and for good, with the Postgres message; the others go in', async () => {
    const b = backend();
    const table = `${prefix}_poison`;
    // jsonb cannot hold U+0000: the server refuses this one row (22P05).
    const results = Array.from({ length: 10 }, (_, n) => (n === 6 ? result(n, { output: { summary: 'nul \u0000 inside' } }) : result(n)));
    const outcomes = await deliver(b, table, results);
    outcomes.forEach((o, n) => {
      if (n !== 6) return assert.deepEqual(o, { ok: true });
      assert.ok(!o.ok && !o.retryable);
      assert.match(o.error, /\\u0000 cannot be converted to text.*\[22P05\]/);
    });
    const [count] = await b.sql(`SELECT count(*)::int AS n FROM ${table}`);
    assert.equal(count?.n, 9);
  });
}

describe('embedded PGlite as the service database', () => {
  let lite: PGlite;
  let database: ReturnType<typeof counting>;
  before(async () => {
    lite = new PGlite();
    await lite.waitReady;
    database = counting({ query: async (text, params) => ({ rows: (await lite.query<Record<string, unknown>>(text, [...params])).rows }) });
  });
  after(() => lite.close());
  scenarios('lite', () => ({
    ctx: contextWith(database.executor),
    config: (table) => ({ table }),
    sql: async (text, params = []) => (await lite.query<Record<string, unknown>>(text, params)).rows,
    statements: database.count,
  }));
});

const adminUrl = process.env.DATABASE_URL;
const skip = adminUrl ? false : 'DATABASE_URL is not set: skipping the real-Postgres tests';

describe('real Postgres', { skip }, () => {
  const name = `bl_pgsink_${randomBytes(6).toString('hex')}`;
  let url = '';
  let admin: pg.Client;
  let client: pg.Client;
  before(async () => {
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const target = new URL(adminUrl ?? '');
    target.pathname = `/${name}`;
    url = target.toString();
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  after(async () => {
    await closePostgresSinkPools();
    await client?.end();
    await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.end();
  });
  const sql = async (text: string, params: unknown[] = []) => (await client.query(text, params)).rows as Array<Record<string, unknown>>;

  describe('as the service database', () => {
    let database: ReturnType<typeof counting>;
    before(() => {
      database = counting({ query: async (text, params) => ({ rows: (await client.query(text, [...params])).rows as Array<Record<string, unknown>> }) });
    });
    scenarios('own', () => ({ ctx: contextWith(database.executor), config: (table) => ({ table }), sql, statements: database.count }));
  });

  describe('through connection_string', () => {
    let acquired = 0;
    const unused: SqlExecutor = {
      query: () => Promise.reject(new Error('the service database must not be used when connection_string is set')),
    };
    before(() => {
      // The sink's cached pool for this URL: each pool.query checks a client out once.
      poolFor(url, silent).on('acquire', () => acquired++);
    });
    scenarios('ext', () => ({ ctx: contextWith(unused), config: (table) => ({ table, connection_string: url }), sql, statements: () => acquired }));

    test('connections killed by the server (57P01) are logged, not fatal, and the next delivery reconnects', async () => {
      const lines: Array<{ msg?: string; err?: string }> = [];
      const log = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]), done()) }));
      const ctx = contextWith(unused, log);
      const config = postgresSink.configSchema.parse({ table: 'ext_killed', connection_string: url });
      assert.deepEqual(await postgresSink.deliver(config, [result(1)], ctx), [{ ok: true }]);
      const killed = await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'batchline-postgres-sink'`, [name]);
      assert.ok(killed.length > 0, 'the sink had a connection open');
      // The server's notice reaches the idle connections asynchronously: wait until the sink has heard it
      // (logged it, and dropped the dead connections from its pool), not for a fixed time.
      const pool = poolFor(url, log);
      const reported = await waitFor('the killed connections to be logged and dropped from the pool', () => {
        const errors = lines.filter((line) => line.msg === 'postgres sink connection error');
        return pool.totalCount === 0 && errors.length > 0 && errors;
      });
      for (const line of reported) assert.match(line.err ?? '', /terminating connection due to administrator command/);
      assert.deepEqual(await postgresSink.deliver(config, [result(2)], ctx), [{ ok: true }]);
    });
  });
});

test('config: table names other than [schema.]identifier are refused; connection strings must be postgres:// URLs', () => {
  for (const table of ['results', 'analytics.results', '_x9', `a${'b'.repeat(62)}`]) assert.ok(postgresSink.configSchema.safeParse({ table }).success, table);
  for (const table of ['', 'bad-name', 'a.b.c', '9lives', 'x; DROP TABLE y', '"quoted"', 'sch.', `a${'b'.repeat(63)}`, 'tab le']) {
    assert.equal(postgresSink.configSchema.safeParse({ table }).success, false, table);
  }
  assert.equal(postgresSink.configSchema.safeParse({}).success, false, 'table is required');
  const secret = 'mysql://user:hunter2@db/x';
  const parsed = postgresSink.configSchema.safeParse({ table: 'results', connection_string: secret });
  assert.equal(parsed.success, false);
  assert.ok(!JSON.stringify(parsed.error).includes('hunter2'), 'the issue does not echo the value');
  assert.ok(postgresSink.configSchema.safeParse({ table: 'results', connection_string: 'postgresql://u:p@db:5433/x?sslmode=require' }).success);
  assert.deepEqual(postgresSink.secretFields, ['connection_string']);
});

test('an unreachable host is a retryable failure naming host/db, never the password (nor in the log)', async () => {
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
  const password = 'pa55-w0rd%21secret';
  const config = postgresSink.configSchema.parse({ table: 'results', connection_string: `postgres://batchline:${password}@no-such-host.invalid:5432/sinkdb` });
  const outcomes = await postgresSink.deliver(config, [result(1), result(2)], contextWith({ query: () => Promise.reject(new Error('unused')) }, log));
  assert.equal(outcomes.length, 2);
  for (const o of outcomes) {
    assert.ok(!o.ok && o.retryable, 'retryable');
    assert.match(o.error, /no-such-host\.invalid:5432\/sinkdb/);
    assert.ok(!o.error.includes('pa55') && !o.error.includes('batchline:'), o.error);
  }
  assert.ok(lines.length > 0, 'the failure is logged');
  assert.ok(!lines.join('').includes('pa55'), 'the log holds no password');
  await closePostgresSinkPools();
});

test('SQLSTATEs: connection, serialization and shutdown errors are retried; data, constraint and syntax errors are not', () => {
  for (const code of ['08006', '08001', '40001', '40P01', '53300', '57P01', '57P03', '55P03', undefined]) assert.equal(isRetryable({ code }), true, String(code));
  for (const code of ['22P02', '22001', '23505', '23502', '42P01', '42703', '42501']) assert.equal(isRetryable({ code }), false, code);
  assert.equal(isRetryable(Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND' })), true);
});
