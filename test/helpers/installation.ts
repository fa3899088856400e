// Pins a test database's installation tag before a service first opens it: two databases with the same
// tag give the same items the same custom_ids, so the simulator answers two runs of a job identically.
import { openDatabase } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import type { TestDatabase } from './database.ts';

export async function pinInstallationTag(db: TestDatabase, tag: string): Promise<void> {
  const opened = await openDatabase({ databaseUrl: db.url, dataDir: db.dataDir });
  try {
    await migrate(opened.db);
    await opened.db.insertInto('installation').values({ tag }).onConflict((oc) => oc.column('singleton').doUpdateSet({ tag })).execute();
  } finally {
    await opened.close();
  }
}
