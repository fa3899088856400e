// Builds the documents the source yields: a file by reference (PDF, image), its content as text (XML,
// text), or a failed document with a reason naming the file. The id is the content's sha256, so one
// invoice saved under two names, or seen again by a rescan, is one document; a file whose content was
// never read (too large, a link out of the roots) is known by its path instead.
import type { FileRef, SourceDocument } from '../../src/plugins/contract.ts';

export type InvoiceFormat = 'pdf' | 'image' | 'ubl' | 'cii' | 'xml' | 'text';

export interface FileFacts {
  rel: string;
  name: string;
  bytes?: number;
  media_type?: string;
  format?: InvoiceFormat;
  pages?: number;
}

export function contentId(sha256: string): string {
  return `sha256:${sha256}`;
}

export function pathId(rel: string): string {
  return `file:${rel}`;
}

export function fileDocument(facts: FileFacts, ref: FileRef): SourceDocument {
  return { id: contentId(ref.sha256), title: facts.name, text: `Invoice file: ${facts.rel}`, metadata: metadataOf(facts), files: [ref] };
}

export function textDocument(facts: FileFacts, sha256: string, text: string): SourceDocument {
  return { id: contentId(sha256), title: facts.name, text, metadata: metadataOf(facts) };
}

/** A document that is recorded as a failed item and never sent. */
export function failedDocument(facts: FileFacts, id: string, type: string, message: string): SourceDocument {
  return { id, title: facts.name, metadata: metadataOf(facts), failure: { type, message } };
}

function metadataOf(facts: FileFacts): Record<string, unknown> {
  return {
    path: facts.rel,
    file_name: facts.name,
    ...(facts.bytes !== undefined ? { bytes: facts.bytes } : {}),
    ...(facts.media_type !== undefined ? { media_type: facts.media_type } : {}),
    ...(facts.format !== undefined ? { format: facts.format } : {}),
    ...(facts.pages !== undefined ? { pages: facts.pages } : {}),
  };
}

/** `24.1 MiB (25,270,000 bytes)`: readable and exact. */
export function formatBytes(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  if (bytes < 1024) return exact;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KiB'] : [bytes / (1024 * 1024), 'MiB'];
  return `${value.toFixed(1).replace(/\.0$/, '')} ${unit} (${exact})`;
}
