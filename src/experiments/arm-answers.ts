// What an arm answered for each sampled document: its job's items with their final result (the output only
// when it succeeded), and the documents themselves (for the disagreement list). One query per arm.
import { sql, type Kysely } from 'kysely';
import type { DB, ErrorInfo, ItemStatus } from '../db/types.ts';
import type { StoredDocument } from '../engine/documents/document.ts';

export interface Answer {
  status: ItemStatus;
  /** The schema-valid answer; null unless the item succeeded. */
  output: unknown;
  error: ErrorInfo | null;
}

export async function armAnswers(db: Kysely<DB>, jobId: string | null): Promise<Map<string, Answer>> {
  const byId = new Map<string, Answer>();
  if (jobId === null) return byId;
  const rows = await sql<{ external_id: string; status: ItemStatus; last_error: ErrorInfo | null; output: unknown }>`
    SELECT i.external_id, i.status, i.last_error, CASE WHEN i.status = 'succeeded' THEN r.output END AS output
    FROM items i LEFT JOIN results r ON r.item_id = i.id AND r.attempt = i.attempts
    WHERE i.job_id = ${jobId}`.execute(db);
  for (const r of rows.rows) byId.set(r.external_id, { status: r.status, output: r.output ?? null, error: r.last_error });
  return byId;
}

/** The stored documents of one arm's job (every arm holds the same ones), by external id. */
export async function sampleDocuments(db: Kysely<DB>, jobId: string | null, ids: readonly string[]): Promise<Map<string, StoredDocument>> {
  const byId = new Map<string, StoredDocument>();
  if (jobId === null || ids.length === 0) return byId;
  const rows = await db.selectFrom('items').select(['external_id', 'document']).where('job_id', '=', jobId).where('external_id', 'in', [...ids]).execute();
  for (const r of rows) byId.set(r.external_id, r.document as StoredDocument);
  return byId;
}
