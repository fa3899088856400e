import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestDatabase } from '../../test/helpers/database.ts';
import { openDatabase } from './connect.ts';
import { installationTag } from './installation.ts';
import { migrate } from './migrate.ts';

test('a database keeps its tag; one without the row gets a fresh tag on its first start, the same for every replica', async () => {
  const tdb = await createTestDatabase({ empty: true });
  const a = await openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir });
  const b = tdb.url ? await openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir }) : a;
  try {
    await migrate(a.db);
    const written = await installationTag(a.db);
    assert.match(written, /^[a-f0-9]{6}$/);
    assert.equal(await installationTag(b.db), written, 'the tag migration 0001 wrote is kept');

    await a.db.deleteFrom('installation').execute();
    const [first, second] = await Promise.all([installationTag(a.db), installationTag(b.db)]);
    assert.match(first, /^[a-f0-9]{6}$/);
    assert.equal(second, first, 'replicas starting together read one tag');
    assert.equal((await a.db.selectFrom('installation').select('tag').execute()).length, 1);
  } finally {
    if (b !== a) await b.close();
    await a.close();
    await tdb.drop();
  }
});

test('test databases cloned from one template tag themselves apart', async () => {
  const [x, y] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  try {
    const tags: string[] = [];
    for (const tdb of [x, y]) {
      const opened = await openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir });
      try {
        assert.equal((await opened.db.selectFrom('installation').select('tag').execute()).length, 0, 'the template holds no tag');
        tags.push(await installationTag(opened.db));
      } finally {
        await opened.close();
      }
    }
    assert.notEqual(tags[0], tags[1]);
  } finally {
    await Promise.all([x.drop(), y.drop()]);
  }
});
