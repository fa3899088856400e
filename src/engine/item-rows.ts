// Turns documents into item rows — measured request size, or a failure kept with its reason — and
// writes them set-based. Shared by inline job creation and source reads, so both treat input alike.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, ErrorInfo } from '../db/types.ts';
import type { FileRef, SourceDocument } from '../plugins/contract.ts';
import type { ResolvedTask } from '../tasks/types.ts';
import type { StoredDocument } from './document.ts';
import { BATCH_ENVELOPE_BYTES, fileBlockOverhead, requestHasher, requestSizer } from './request.ts';
import { reuseCachedResults } from './result-cache.ts';
import { renderTemplate } from '../tasks/template.ts';
import { enqueueDeliveries } from './transitions.ts';

export interface ItemRow {
  external_id: string;
  /** JSON of the stored document (text, metadata, file references; never file bytes). */
  document: string;
  request_bytes: number;
  /** The result cache's key for this request; null for a document that cannot be sent. */
  request_hash: string | null;
  failure: ErrorInfo | null;
}

/** The API's per-request ceiling (whole payload) for PDFs and images. */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
const MAX_EXTERNAL_ID = 512;

export function requestLimitOf(batchMaxBytes: number): number {
  return Math.min(batchMaxBytes - BATCH_ENVELOPE_BYTES, MAX_REQUEST_BYTES);
}

/** Builds item rows for one task; the part of the request that is the same for every document is measured once. */
export function itemRowBuilder(task: ResolvedTask, limit: number): (doc: SourceDocument | StoredDocument) => ItemRow {
  // Measured as marked: whether the job marks its prefix is decided later, and the mark only adds bytes.
  const size = requestSizer(task, { cachePrefix: true });
  const hash = requestHasher(task);
  return (doc) => itemRowOf(task, size, hash, doc, limit);
}

type Measure<T> = (doc: StoredDocument, prompt: string) => T;
type Hash = (doc: StoredDocument) => string;

function itemRowOf(task: ResolvedTask, size: Measure<number>, hash: Hash, doc: SourceDocument | StoredDocument, limit: number): ItemRow {
  const externalId = doc.id.length > MAX_EXTERNAL_ID ? doc.id.slice(0, MAX_EXTERNAL_ID) : doc.id;
  const source = doc as SourceDocument;
  if (source.failure) {
    const stored = { id: externalId, ...(doc.metadata ? { metadata: doc.metadata } : {}) };
    return { external_id: externalId, document: JSON.stringify(stored), request_bytes: 0, request_hash: null, failure: source.failure };
  }
  const stored: StoredDocument = {
    id: externalId,
    ...(doc.text !== undefined ? { text: doc.text } : {}),
    ...(doc.title !== undefined ? { title: doc.title } : {}),
    ...(doc.metadata !== undefined ? { metadata: doc.metadata } : {}),
    ...('attachments' in doc && doc.attachments ? { attachments: doc.attachments } : {}),
    ...(doc.files && doc.files.length > 0 ? { files: doc.files } : {}),
  };
  if (!stored.text && !stored.attachments?.length && !stored.files?.length) {
    return { external_id: externalId, document: JSON.stringify(stored), request_bytes: 0, request_hash: null, failure: { type: 'empty_document', message: 'the document has no text and no attachment' } };
  }
  // Files are read when the batch is sent; their size is known now, so the request is measured exactly.
  const prompt = renderTemplate(task.prompt, stored);
  const bytes = size(stored, prompt) + (stored.files ?? []).reduce((sum, f) => sum + fileRequestBytes(f), 0);
  const failure = bytes > limit ? { type: 'request_too_large', message: `the request is ${bytes} bytes; the limit is ${limit}` } : null;
  return { external_id: externalId, document: JSON.stringify(stored), request_bytes: bytes, request_hash: failure ? null : hash(stored), failure };
}

/** What a file adds to a request once read: its base64 and the content block around it. */
function fileRequestBytes(file: FileRef): number {
  return 4 * Math.ceil(file.bytes / 3) + fileBlockOverhead(file.media_type, file.name);
}

export interface InsertedItems {
  inserted: number;
  rejected: number;
}

/**
 * Inserts rows of one job; an external id the job already holds is skipped (re-reading a source is
 * harmless). Failed rows are final at once and get their deliveries, like any failed item; with the
 * job's result cache on, so are rows the cache answers.
 */
export async function insertItemRows(trx: Transaction<DB> | Kysely<DB>, tag: string, jobId: string, rows: readonly ItemRow[], options: { resultCache: boolean }): Promise<InsertedItems> {
  if (rows.length === 0) return { inserted: 0, rejected: 0 };
  const result = await sql<{ id: number; status: string }>`
    INSERT INTO items (job_id, external_id, document, request_bytes, request_hash, status, last_error)
    SELECT ${jobId}, external_id, document, request_bytes, request_hash, status, last_error
    FROM unnest(${rows.map((r) => r.external_id)}::text[], ${rows.map((r) => r.document)}::jsonb[], ${rows.map((r) => r.request_bytes)}::int[],
      ${rows.map((r) => r.request_hash)}::text[],
      ${rows.map((r) => (r.failure ? 'failed' : 'queued'))}::text[], ${rows.map((r) => (r.failure ? JSON.stringify(r.failure) : null))}::jsonb[])
      AS t(external_id, document, request_bytes, request_hash, status, last_error)
    ON CONFLICT (job_id, external_id) DO NOTHING
    RETURNING id, status`.execute(trx);
  const failed = result.rows.filter((r) => r.status === 'failed').map((r) => Number(r.id));
  const queued = result.rows.filter((r) => r.status === 'queued').map((r) => Number(r.id));
  // Answers the result cache already holds are final now: nothing is sent for them.
  const reused = options.resultCache ? await reuseCachedResults(trx, jobId, queued) : [];
  await enqueueDeliveries(trx, tag, jobId, [...failed, ...reused]);
  return { inserted: result.rows.length, rejected: failed.length };
}
