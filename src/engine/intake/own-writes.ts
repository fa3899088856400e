// Batchline's own writes into a team's system, kept in own_writes (migrations/0009), so its changes never
// come back as new work: a sink marks the records it is about to change (begin) and when it is done
// (end); a source asks whether the change it sees is inside that window (ownOf). Only the latest write
// per record matters, since a record's change time is that of its latest change.
//
// The window: from just before the request went out (this machine's clock less CLOCK_SLACK_MS, or the
// system's own clock when it answered earlier, less SYSTEM_SLACK_MS) to when the system reported it done
// (its HTTP Date header plus SYSTEM_SLACK_MS when given, else this machine's clock plus CLOCK_SLACK_MS). While a write is in flight, the window stays open
// for IN_FLIGHT_MS: events about it can arrive before the sink hears that it is done.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { OwnChanges, OwnWrites } from '../../plugins/contract.ts';

/** Skew between this machine's clock and the system's, and second-rounded timestamps, fit within this. */
export const CLOCK_SLACK_MS = 2000;
/**
 * The system's own times (HTTP Date) are in the clock its change times are: only rounding to the second
 * and the skew between its own servers are left.
 */
export const SYSTEM_SLACK_MS = 1000;
/** How long an unfinished write counts as Batchline's (a sink that crashed mid-write stops suppressing after this). */
export const IN_FLIGHT_MS = 15 * 60 * 1000;

export function ownWritesOf(db: Kysely<DB>, now: () => number = Date.now): OwnWrites {
  return {
    async begin(scope, records) {
      if (records.length === 0) return;
      const began = new Date(now() - CLOCK_SLACK_MS);
      await sql`INSERT INTO own_writes (scope, record, began_at, ended_at)
          SELECT ${scope}, r, ${began}::timestamptz, NULL FROM unnest(${[...new Set(records)]}::text[]) AS r
        ON CONFLICT (scope, record) DO UPDATE SET began_at = excluded.began_at, ended_at = NULL`.execute(db);
    },
    async end(scope, records, systemTimes = {}) {
      if (records.length === 0) return;
      const ended = systemTimes.ended ? new Date(systemTimes.ended.getTime() + SYSTEM_SLACK_MS) : new Date(now() + CLOCK_SLACK_MS);
      const began = systemTimes.began ? new Date(systemTimes.began.getTime() - SYSTEM_SLACK_MS) : null;
      await sql`UPDATE own_writes SET ended_at = ${ended}::timestamptz,
          began_at = CASE WHEN ${began}::timestamptz IS NULL THEN began_at ELSE least(began_at, ${began}::timestamptz) END
        WHERE scope = ${scope} AND record = ANY(${[...new Set(records)]}::text[])`.execute(db);
    },
  };
}

export function ownChangesOf(db: Kysely<DB>): OwnChanges {
  return {
    async ownOf(scope, changes) {
      const known = changes.flatMap((c) => {
        const at = Date.parse(c.changed_at);
        return Number.isNaN(at) ? [] : [{ record: c.record, at: new Date(at).toISOString() }];
      });
      if (known.length === 0) return new Set();
      // Looked up by primary key, compared here: one index probe per record, whatever the table's size.
      const rows = await db
        .selectFrom('own_writes')
        .select(['record', 'began_at', 'ended_at'])
        .where('scope', '=', scope)
        .where('record', 'in', [...new Set(known.map((c) => c.record))])
        .execute();
      const windows = new Map(rows.map((r) => [r.record, { from: r.began_at.getTime(), to: r.ended_at?.getTime() ?? r.began_at.getTime() + IN_FLIGHT_MS }]));
      return new Set(
        known.filter((c) => {
          const w = windows.get(c.record);
          const at = Date.parse(c.at);
          return w !== undefined && at >= w.from && at <= w.to;
        }).map((c) => c.record),
      );
    },
  };
}
