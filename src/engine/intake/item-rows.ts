// Turns documents into item rows — measured request size, or a failure kept with its reason — and
// writes them set-based. Shared by inline job creation and source reads, so both treat input alike.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, ErrorInfo } from '../../db/types.ts';
import type { FileRef, SourceDocument } from '../../plugins/contract.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import type { StoredDocument } from '../documents/document.ts';
import { BATCH_ENVELOPE_BYTES, fileBlockOverhead, requestHasher, requestSizer } from '../documents/request.ts';
import { reuseCachedResults } from '../money/result-cache.ts';
import { renderTemplate } from '../../tasks/template.ts';
import { enqueueDeliveries } from '../transitions.ts';
import { redactDocument, unredactableParts, type RedactionKind } from './redact.ts';

export interface ItemRow {
  external_id: string;
  /** JSON of the stored document (text, metadata, file references; never file bytes). */
  document: string;
  request_bytes: number;
  /** The result cache's key for this request; null for a document that cannot be sent. */
  request_hash: string | null;
  failure: ErrorInfo | null;
  /** When this version of the record changed (ISO 8601, normalised), for keeping the latest of two reads. */
  version: string | null;
}

/** The API's per-request ceiling (whole payload) for PDFs and images. */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
const MAX_EXTERNAL_ID = 512;

export function requestLimitOf(batchMaxBytes: number): number {
  return Math.min(batchMaxBytes - BATCH_ENVELOPE_BYTES, MAX_REQUEST_BYTES);
}

/**
 * Builds item rows for one task; the part of the request that is the same for every document is measured once.
 * With `redact`, the patterns are masked before anything is measured, hashed or stored (engine/intake/redact.ts).
 */
export function itemRowBuilder(task: ResolvedTask, limit: number, options: { redact?: readonly RedactionKind[] | null | undefined } = {}): (doc: SourceDocument | StoredDocument) => ItemRow {
  // Measured as marked: whether the job marks its prefix is decided later, and the mark only adds bytes.
  const size = requestSizer(task, { cachePrefix: true });
  const hash = requestHasher(task);
  const kinds = options.redact && options.redact.length > 0 ? options.redact : null;
  if (!kinds) return (doc) => itemRowOf(task, size, hash, doc, limit);
  return (doc) => {
    const binary = unredactableParts(doc as StoredDocument);
    if (binary.length > 0 && !(doc as SourceDocument).failure) {
      const failure = { type: 'redaction_unsupported', message: `redact is set, but ${[...new Set(binary)].join(', ')} content cannot be masked; the document was not sent (send it without that part, or in a job without redact)` };
      return itemRowOf(task, size, hash, { id: doc.id, ...(doc.metadata ? { metadata: redactDocument({ metadata: doc.metadata }, kinds).metadata } : {}), failure } as SourceDocument, limit);
    }
    const { redactions, ...masked } = redactDocument(doc, kinds);
    const row = itemRowOf(task, size, hash, masked as typeof doc, limit);
    // Kept beside the document, not in its metadata: metadata is rendered into prompts.
    return { ...row, document: JSON.stringify({ ...(JSON.parse(row.document) as Record<string, unknown>), redactions }) };
  };
}

type Measure<T> = (doc: StoredDocument, prompt: string) => T;
type Hash = (doc: StoredDocument) => string;

function itemRowOf(task: ResolvedTask, size: Measure<number>, hash: Hash, doc: SourceDocument | StoredDocument, limit: number): ItemRow {
  const row = itemRowWithoutVersion(task, size, hash, doc, limit);
  const version = versionOf((doc as SourceDocument).version);
  if (version === null) return row;
  // Kept in the stored document, where a second read of the same record is compared with it.
  return { ...row, version, document: JSON.stringify({ ...(JSON.parse(row.document) as Record<string, unknown>), version }) };
}

/** ISO 8601 at millisecond precision, so versions compare as text in SQL; null when absent or not a time. */
function versionOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function itemRowWithoutVersion(task: ResolvedTask, size: Measure<number>, hash: Hash, doc: SourceDocument | StoredDocument, limit: number): ItemRow {
  const externalId = doc.id.length > MAX_EXTERNAL_ID ? doc.id.slice(0, MAX_EXTERNAL_ID) : doc.id;
  const source = doc as SourceDocument;
  if (source.failure) {
    const stored = { id: externalId, ...(doc.metadata ? { metadata: doc.metadata } : {}) };
    return { external_id: externalId, document: JSON.stringify(stored), request_bytes: 0, request_hash: null, failure: source.failure, version: null };
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
    return { external_id: externalId, document: JSON.stringify(stored), request_bytes: 0, request_hash: null, failure: { type: 'empty_document', message: 'the document has no text and no attachment' }, version: null };
  }
  // Files are read when the batch is sent; their size is known now, so the request is measured exactly.
  const prompt = renderTemplate(task.prompt, stored);
  const bytes = size(stored, prompt) + (stored.files ?? []).reduce((sum, f) => sum + fileRequestBytes(f), 0);
  const failure = bytes > limit ? { type: 'request_too_large', message: `the request is ${bytes} bytes; the limit is ${limit}` } : null;
  return { external_id: externalId, document: JSON.stringify(stored), request_bytes: bytes, request_hash: failure ? null : hash(stored), failure, version: null };
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
 * harmless), unless this row is a later version of a record whose answer is not final yet: then it takes
 * that item's place (a ticket that changed while the export ran is processed once, as it is now). Waiting
 * items are replaced at once; one at the provider keeps the later version aside until its batch closes
 * (close-batch.ts). An item already answered keeps its answer: it is not processed twice in one job.
 * Failed rows are final at once and get their deliveries, like any failed item; with the job's result
 * cache on, so are rows the cache answers.
 */
export async function insertItemRows(trx: Transaction<DB> | Kysely<DB>, tag: string, jobId: string, rows: readonly ItemRow[], options: { resultCache: boolean }): Promise<InsertedItems> {
  const latest = latestVersions(rows);
  if (latest.length === 0) return { inserted: 0, rejected: 0 };
  const result = await sql<{ id: number; external_id: string; status: string; inserted: boolean }>`
    INSERT INTO items (job_id, external_id, document, request_bytes, request_hash, status, last_error)
    SELECT ${jobId}, external_id, document, request_bytes, request_hash, status, last_error
    FROM unnest(${latest.map((r) => r.external_id)}::text[], ${latest.map((r) => r.document)}::jsonb[], ${latest.map((r) => r.request_bytes)}::int[],
      ${latest.map((r) => r.request_hash)}::text[],
      ${latest.map((r) => (r.failure ? 'failed' : 'queued'))}::text[], ${latest.map((r) => (r.failure ? JSON.stringify(r.failure) : null))}::jsonb[])
      AS t(external_id, document, request_bytes, request_hash, status, last_error)
    ON CONFLICT (job_id, external_id) DO UPDATE SET document = excluded.document, request_bytes = excluded.request_bytes,
      request_hash = excluded.request_hash, status = excluded.status, last_error = excluded.last_error, next_run_at = NULL, newer_version = NULL, updated_at = now()
      -- Only an item waiting to be planned (or to be retried), and not for an older version of its record.
      -- Change times are often whole seconds: of two versions in one second, the one read later changed later.
      WHERE items.status IN ('queued','retry_wait') AND excluded.document->>'version' IS NOT NULL
        AND excluded.document->>'version' >= coalesce(items.document->>'version', '')
    RETURNING id, external_id, status, (xmax = 0) AS inserted`.execute(trx);
  await keepNewerVersions(trx, jobId, latest, new Set(result.rows.map((r) => r.external_id)));
  const failed = result.rows.filter((r) => r.status === 'failed').map((r) => Number(r.id));
  const queued = result.rows.filter((r) => r.status === 'queued').map((r) => Number(r.id));
  // Answers the result cache already holds are final now: nothing is sent for them.
  const reused = options.resultCache ? await reuseCachedResults(trx, jobId, queued) : [];
  await enqueueDeliveries(trx, tag, jobId, [...failed, ...reused]);
  const inserted = result.rows.filter((r) => r.inserted);
  return { inserted: inserted.length, rejected: inserted.filter((r) => r.status === 'failed').length };
}

/**
 * Later versions of records whose items are at the provider: kept aside (items.newer_version) until the
 * batch closes. Only rows the insert neither added nor replaced, and only versioned ones, so a source
 * without versions costs nothing here.
 */
async function keepNewerVersions(trx: Transaction<DB> | Kysely<DB>, jobId: string, rows: readonly ItemRow[], written: ReadonlySet<string>): Promise<void> {
  const later = rows.filter((r) => r.version !== null && r.failure === null && !written.has(r.external_id));
  if (later.length === 0) return;
  await sql`
    UPDATE items SET newer_version = jsonb_build_object('document', t.document, 'request_bytes', t.request_bytes, 'request_hash', t.request_hash), updated_at = now()
    FROM unnest(${later.map((r) => r.external_id)}::text[], ${later.map((r) => r.document)}::jsonb[], ${later.map((r) => r.request_bytes)}::int[], ${later.map((r) => r.request_hash)}::text[])
      AS t(external_id, document, request_bytes, request_hash)
    WHERE items.job_id = ${jobId} AND items.external_id = t.external_id AND items.status = 'submitted'
      AND t.document->>'version' > coalesce(items.newer_version->'document'->>'version', items.document->>'version', '')`.execute(trx);
}

/**
 * One row per external id: the latest version when rows carry one (of equal ones, the one read later),
 * else the first, as before. (One INSERT … ON CONFLICT DO UPDATE may not touch a row twice.)
 */
function latestVersions(rows: readonly ItemRow[]): ItemRow[] {
  const byId = new Map<string, ItemRow>();
  for (const row of rows) {
    const seen = byId.get(row.external_id);
    if (!seen || (row.version !== null && (seen.version === null || row.version >= seen.version))) byId.set(row.external_id, row);
  }
  return byId.size === rows.length ? [...rows] : [...byId.values()];
}
