// The spent_signatures table (migrations/0018): signed values refused until they would expire anyway, a
// webhook delivery already taken or a dashboard session logged out. Values are stored as SHA-256 digests.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/types.ts';

export type SpentKind = 'webhook_delivery' | 'dashboard_session';

export interface SpentSignatures {
  /** Marks `value` spent until `expiresAt`; false when it already was (a replay). */
  spend(kind: SpentKind, value: string, expiresAt: Date): Promise<boolean>;
  /** Takes back a spend whose request then failed, so the sender's retry is taken. */
  unspend(kind: SpentKind, value: string): Promise<void>;
  isSpent(kind: SpentKind, value: string): Promise<boolean>;
}

export function spentSignatures(db: Kysely<DB>): SpentSignatures {
  const digestOf = (kind: SpentKind, value: string) => createHash('sha256').update(`${kind}\0${value}`).digest('base64url');
  return {
    async spend(kind, value, expiresAt) {
      const digest = digestOf(kind, value);
      // Expired rows go as new ones come (an expired row of this very digest is taken over by the upsert:
      // one statement must not change a row twice).
      const fresh = await sql<{ digest: string }>`
        WITH expired AS (DELETE FROM spent_signatures WHERE expires_at < now() AND digest <> ${digest})
        INSERT INTO spent_signatures (digest, kind, expires_at) VALUES (${digest}, ${kind}, ${expiresAt})
        ON CONFLICT (digest) DO UPDATE SET expires_at = excluded.expires_at, spent_at = now()
          WHERE spent_signatures.expires_at < now()
        RETURNING digest`.execute(db);
      return fresh.rows.length > 0;
    },
    async unspend(kind, value) {
      await sql`DELETE FROM spent_signatures WHERE digest = ${digestOf(kind, value)}`.execute(db);
    },
    async isSpent(kind, value) {
      const found = await sql`SELECT 1 FROM spent_signatures WHERE digest = ${digestOf(kind, value)} AND expires_at >= now()`.execute(db);
      return found.rows.length > 0;
    },
  };
}
