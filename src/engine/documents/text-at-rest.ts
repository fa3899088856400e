// What of a document is kept once its item is final (docs/architecture.md, "Data lifecycle"). A request is
// built again only for an item that is sent again: a retry of a retryable failure (still open, so kept),
// or a manual retry of a failed item (POST /v1/jobs/{id}/retry: failed items keep their text until
// retention). A succeeded or canceled item is never sent again, so its text, title and inline attachments
// (base64 bytes) are dropped in the same statement that makes it final. Kept: the id, the metadata (it is
// delivered with the result and shown by the results API), file references (a path and a sha256, no bytes),
// the version and the redaction counts.
import { sql } from 'kysely';

/** The stored document without what only a request needs (SQL, for the UPDATE that makes an item final). */
export const TEXT_DROP = sql`items.document - 'text' - 'title' - 'attachments'`;

/** The same, as a JSON transform (tests and the docs use it to state exactly what is kept). */
export function withoutText<T extends Record<string, unknown>>(document: T): Omit<T, 'text' | 'title' | 'attachments'> {
  const { text: _text, title: _title, attachments: _attachments, ...kept } = document;
  return kept;
}
