// Turns a batch's recorded item set into the requests to send, reading items page by page. Files a
// document refers to (PDFs, images of a folder source) are read now, and only if they are still the
// bytes that were ingested: a file changed or gone since makes its item unsendable, never a wrong request.
import type { Kysely } from 'kysely';
import type { DB, ErrorInfo } from '../../db/types.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import type { Attachment, DocumentInput, StoredDocument } from '../documents/document.ts';
import { readFileRef } from '../documents/file-ref.ts';
import { customIdOf } from '../ids.ts';
import { buildParams, requestSerializer, type BuildOptions, type MessageParams } from '../documents/request.ts';

export interface BatchRequest {
  custom_id: string;
  params: MessageParams;
}

/** An item of the batch whose request cannot be built (its file changed or vanished). */
export interface Unsendable {
  itemId: number;
  error: ErrorInfo;
}

const PAGE = 2000;
/** A page holds at most about this many bytes of requests, however long each one is. */
const PAGE_BYTES = 4 * 1024 * 1024;

export async function* batchRequests(db: Kysely<DB>, tag: string, batchId: number, task: ResolvedTask, options: BuildOptions = {}): AsyncGenerator<BatchRequest | Unsendable> {
  for await (const item of batchDocuments(db, batchId)) {
    yield 'error' in item ? item : { custom_id: customIdOf(tag, item.itemId, item.attempts), params: buildParams(task, item.doc, options) };
  }
}

/**
 * The same requests, each already serialized as it goes into the create body: the part of a request that
 * is the same for every document (tool schema, system prompt) is serialized once, not once per request.
 */
export async function* batchRequestJson(db: Kysely<DB>, tag: string, batchId: number, task: ResolvedTask, options: BuildOptions = {}): AsyncGenerator<string | Unsendable> {
  const serialize = requestSerializer(task, options);
  for await (const item of batchDocuments(db, batchId)) {
    yield 'error' in item ? item : serialize(customIdOf(tag, item.itemId, item.attempts), item.doc);
  }
}

/** The batch's items as documents ready to build requests from: page by page, files read one at a time. */
async function* batchDocuments(db: Kysely<DB>, batchId: number): AsyncGenerator<{ itemId: number; attempts: number; doc: DocumentInput } | Unsendable> {
  let after = 0;
  // Sized from the batch's measured requests: a page of long documents holds fewer of them.
  const batch = await db.selectFrom('batches').select(['request_bytes', 'request_count']).where('id', '=', batchId).executeTakeFirst();
  const perRequest = batch && batch.request_count > 0 ? Number(batch.request_bytes) / batch.request_count : 1;
  const pageSize = Math.max(1, Math.min(PAGE, Math.floor(PAGE_BYTES / perRequest)));
  for (;;) {
    const page = await db
      .selectFrom('items')
      .select(['id', 'attempts', 'document'])
      .where('batch_id', '=', batchId)
      .where('status', '=', 'submitted')
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    for (const item of page) {
      const document = item.document as StoredDocument;
      let attachments: Attachment[] = [];
      try {
        attachments = await Promise.all((document.files ?? []).map(readFileRef));
      } catch (error) {
        yield { itemId: item.id, error: { type: 'file_unavailable', message: error instanceof Error ? error.message : String(error) } };
        continue;
      }
      const { files: _refs, ...inline } = document;
      const doc = attachments.length > 0 ? { ...inline, attachments: [...(inline.attachments ?? []), ...attachments] } : inline;
      yield { itemId: item.id, attempts: item.attempts, doc };
    }
    const last = page[page.length - 1];
    if (!last || page.length < pageSize) return;
    after = last.id;
  }
}

/** The custom_ids a batch was submitted with, as a set, for confirming an orphan's identity. */
export async function batchCustomIds(db: Kysely<DB>, tag: string, batchId: number): Promise<Set<string>> {
  const rows = await db.selectFrom('items').select(['id', 'attempts']).where('batch_id', '=', batchId).execute();
  return new Set(rows.map((r) => customIdOf(tag, r.id, r.attempts)));
}
