// This database's installation tag, part of every custom_id so that two installations never send the same
// one. Migration 0001 writes it; a database without the row (a copy whose row was deleted so the copy does
// not reuse the original's custom_ids, or a test template) gets a fresh one on its first start.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from './types.ts';

export async function installationTag(db: Kysely<DB>): Promise<string> {
  const found = await db.selectFrom('installation').select('tag').executeTakeFirst();
  if (found) return found.tag;
  // Replicas starting together on a fresh copy: the first insert wins and every replica reads its tag.
  await db.insertInto('installation').values({ tag: newInstallationTag() }).onConflict((oc) => oc.column('singleton').doNothing()).execute();
  const { tag } = await db.selectFrom('installation').select('tag').executeTakeFirstOrThrow();
  return tag;
}

/** Six hex digits, as migration 0001 writes them. */
export function newInstallationTag(): string {
  return randomBytes(3).toString('hex');
}
