// The own-writes window: a change inside Batchline's last write to a record is its own; one after it,
// or to another record or system, is not; an unfinished write stays open for a bounded time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestDatabase } from '../../../test/helpers/database.ts';
import { openDatabase } from '../../db/connect.ts';
import { migrate } from '../../db/migrate.ts';
import { CLOCK_SLACK_MS, IN_FLIGHT_MS, ownChangesOf, ownWritesOf, SYSTEM_SLACK_MS } from './own-writes.ts';

test("changes inside Batchline's last write window are its own; later ones, and other records, are not", async () => {
  const tdb = await createTestDatabase();
  const database = await openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir });
  try {
    await migrate(database.db);
    let clock = Date.parse('2026-11-24T10:00:00.000Z');
    const writes = ownWritesOf(database.db, () => clock);
    const lookup = ownChangesOf(database.db);
    const at = (ms: number) => new Date(Date.parse('2026-11-24T10:00:00.000Z') + ms).toISOString();
    const own = async (changes: Array<[string, number]>, scope = 'zendesk:https://acme.zendesk.com') =>
      [...(await lookup.ownOf(scope, changes.map(([record, ms]) => ({ record, changed_at: at(ms) }))))].sort();

    await writes.begin('zendesk:https://acme.zendesk.com', ['1', '2']);
    // In flight: Zendesk's webhook about the update can come before the sink hears the job is done.
    assert.deepEqual(await own([['1', 500], ['2', IN_FLIGHT_MS - CLOCK_SLACK_MS - 1000], ['3', 500]]), ['1', '2']);
    assert.deepEqual(await own([['1', IN_FLIGHT_MS]]), [], 'an unfinished write stops counting after IN_FLIGHT_MS');

    // Done: Zendesk's own clock (its Date headers) says when it took and finished the job.
    clock += 4000;
    await writes.end('zendesk:https://acme.zendesk.com', ['1', '2'], { began: new Date(at(1000)), ended: new Date(at(3000)) });
    assert.deepEqual(await own([['1', 3000], ['2', 3000 + SYSTEM_SLACK_MS]]), ['1', '2'], 'the last change is the write');
    assert.deepEqual(await own([['1', 3000 + SYSTEM_SLACK_MS + 1000]]), [], 'someone changed it after the write');
    assert.deepEqual(await own([['1', -CLOCK_SLACK_MS - 1000]]), [], 'a change from before the write');
    assert.deepEqual(await own([['1', 1000]], 'zendesk:https://other.zendesk.com'), [], 'another account');
    assert.deepEqual(await lookup.ownOf('zendesk:https://acme.zendesk.com', [{ record: '1', changed_at: 'not a time' }]), new Set());

    // Without Zendesk's clock, this machine's, with more slack.
    await writes.begin('zendesk:https://acme.zendesk.com', ['2']);
    clock += 1000;
    await writes.end('zendesk:https://acme.zendesk.com', ['2']);
    assert.deepEqual(await own([['2', 5000 + CLOCK_SLACK_MS - 1]]), ['2']);
    assert.deepEqual(await own([['2', 5000 + CLOCK_SLACK_MS + 1]]), []);
  } finally {
    await database.close();
    await tdb.drop();
  }
});
