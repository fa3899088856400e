import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestDatabase } from '../../test/helpers/database.ts';
import { openDatabase } from './connect.ts';
import fs from 'node:fs';
import { MIGRATIONS_DIR, migrate, pendingMigrations } from './migrate.ts';

const ALL = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();

test('migrations apply once, are recorded, and two replicas starting together do not collide', async () => {
  const tdb = await createTestDatabase({ empty: true });
  // PGlite is one process's database; two "replicas" only exist on Postgres. Both share the same path.
  const a = await openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir });
  const b = tdb.url ? await openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir }) : a;
  try {
    const [first, second] = await Promise.all([migrate(a.db), migrate(b.db)]);
    assert.ok(ALL.length >= 2);
    assert.deepEqual([...first, ...second].sort(), ALL, 'each migration applied exactly once');
    assert.deepEqual(await migrate(a.db), []);
    assert.deepEqual(await pendingMigrations(a.db), []);
    const recorded = await a.db.selectFrom('schema_migrations').select('name').execute();
    assert.deepEqual(recorded.map((r) => r.name).sort(), ALL);
    const tag = await a.db.selectFrom('installation').select('tag').execute();
    assert.equal(tag.length, 1);
    assert.match(tag[0]?.tag ?? '', /^[a-f0-9]{6}$/);
  } finally {
    if (b !== a) await b.close();
    await a.close();
    await tdb.drop();
  }
});
