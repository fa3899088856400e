// Turns a batch's recorded item set into the requests to send, reading items page by page.
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.ts';
import type { ResolvedTask } from '../tasks/types.ts';
import type { DocumentInput } from './document.ts';
import { customIdOf } from './ids.ts';
import { buildParams, type MessageParams } from './request.ts';

export interface BatchRequest {
  custom_id: string;
  params: MessageParams;
}

const PAGE = 2000;

export async function* batchRequests(db: Kysely<DB>, tag: string, batchId: number, task: ResolvedTask): AsyncGenerator<BatchRequest> {
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('items')
      .select(['id', 'attempts', 'document'])
      .where('batch_id', '=', batchId)
      .where('status', '=', 'submitted')
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const item of page) {
      yield { custom_id: customIdOf(tag, item.id, item.attempts), params: buildParams(task, item.document as DocumentInput) };
    }
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) return;
    after = last.id;
  }
}

/** The custom_ids a batch was submitted with, as a set, for confirming an orphan's identity. */
export async function batchCustomIds(db: Kysely<DB>, tag: string, batchId: number): Promise<Set<string>> {
  const rows = await db.selectFrom('items').select(['id', 'attempts']).where('batch_id', '=', batchId).execute();
  return new Set(rows.map((r) => customIdOf(tag, r.id, r.attempts)));
}
