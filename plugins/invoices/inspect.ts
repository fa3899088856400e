// Turns one file of the folder into a document: reads it (whole, never over max_file_bytes; only its
// first bytes when larger), identifies it by content, applies the API's limits and says why a file cannot
// be sent. A file that changes while read is left for the next rescan (watch) or failed (a one-off read).
import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import type { Logger } from '../../src/logger.ts';
import type { SourceDocument } from '../../src/plugins/contract.ts';
import type { InvoicesConfig } from './config.ts';
import { contentId, failedDocument, fileDocument, formatBytes, pathId, textDocument, type FileFacts } from './document.ts';
import { cachedFacts, factsKey, rememberFacts, type BinaryFacts } from './facts-cache.ts';
import { isEncryptedPdf } from './pdf-encryption.ts';
import { countPdfPages } from './pdf-pages.ts';
import { sniffBinary, unsupportedHint } from './sniff.ts';
import { decodeText, looksLikeText } from './text.ts';
import type { FolderFile } from './walk.ts';
import { xmlFormat } from './xml.ts';

/** How long a watched file must stay untouched before it is read: a scanner or a copy may still be writing it. */
export const SETTLE_MS = 1000;
/** Bytes read of a file too large to send, to say what it is. */
const HEAD_BYTES = 64 * 1024;
/** O_NOFOLLOW: the real path was checked, a link swapped in since is not followed; O_NONBLOCK: a FIFO cannot hang the read. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

type Contents =
  | { kind: 'whole'; bytes: Buffer; stat: Stats }
  | { kind: 'head'; head: Buffer; size: number }
  | { kind: 'changing' }
  | { kind: 'gone' };

/** The document for `file`, or undefined when it is to be skipped this time (gone, still being written). */
export async function inspectFile(file: FolderFile, config: InvoicesConfig, log: Logger): Promise<SourceDocument | undefined> {
  const { rel, name, stat } = file;
  if (config.watch && recentlyWritten(stat)) {
    log.debug({ file: rel }, 'invoices: written moments ago; left for the next scan');
    return undefined;
  }
  const facts: FileFacts = { rel, name, bytes: stat.size };
  if (stat.size === 0) return failedDocument(facts, pathId(rel), 'empty_file', `${rel}: the file is empty (0 bytes)`);
  const cached = stat.size <= config.max_file_bytes ? cachedFacts(factsKey(file.real, stat)) : undefined;
  if (cached) return binaryDocument(file, cached, config, log);

  let contents: Contents;
  try {
    contents = await readContents(file.real, config.max_file_bytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return failedDocument(facts, pathId(rel), 'unreadable_file', `${rel}: cannot be read (${code})`);
  }
  if (contents.kind === 'gone') {
    log.debug({ file: rel }, 'invoices: the file went away while the folder was read');
    return undefined;
  }
  if (contents.kind === 'changing') {
    if (config.watch) {
      log.debug({ file: rel }, 'invoices: changed while read; left for the next scan');
      return undefined;
    }
    return failedDocument(facts, pathId(rel), 'file_changed', `${rel}: changed while it was being read; read the folder again once it is complete`);
  }
  if (contents.kind === 'head') return oversized({ ...facts, bytes: contents.size }, contents.head, config);

  const { bytes } = contents;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const kind = sniffBinary(bytes);
  if (kind) {
    const found: BinaryFacts = kind.format === 'pdf' ? { ...kind, sha256, bytes: bytes.length, ...pdfFacts(bytes) } : { ...kind, sha256, bytes: bytes.length };
    rememberFacts(factsKey(file.real, contents.stat), found);
    return binaryDocument(file, found, config, log);
  }
  const text = decodeText(bytes);
  if (text === undefined) return unsupported(facts, contentId(sha256), bytes);
  const format = xmlFormat(text) ?? 'text';
  const textFacts: FileFacts = { ...facts, bytes: bytes.length, format, media_type: format === 'text' ? 'text/plain' : 'application/xml' };
  if (text.length > config.max_text_chars) {
    const what = format === 'text' ? 'text' : 'XML';
    return failedDocument(textFacts, contentId(sha256), 'too_large', `${rel}: ${text.length.toLocaleString('en-US')} characters of ${what}; at most ${config.max_text_chars.toLocaleString('en-US')} are sent (max_text_chars)`);
  }
  return textDocument(textFacts, sha256, text);
}

function binaryDocument(file: FolderFile, found: BinaryFacts, config: InvoicesConfig, log: Logger): SourceDocument {
  const { rel, name } = file;
  const facts: FileFacts = { rel, name, bytes: found.bytes, media_type: found.media_type, format: found.format, ...(found.pages !== undefined ? { pages: found.pages } : {}) };
  const id = contentId(found.sha256);
  if (found.format === 'pdf') {
    if (found.encrypted) {
      return failedDocument(facts, id, 'encrypted_pdf', `${rel}: the PDF is encrypted (password-protected), which the API does not accept; save a copy without protection`);
    }
    if (found.pages === undefined) log.info({ file: rel }, 'invoices: the page count of this PDF could not be determined; sending it as is');
    else if (found.pages > config.max_pages) {
      return failedDocument(facts, id, 'too_many_pages', `${rel}: the PDF has ${found.pages} pages; at most ${config.max_pages} are sent per PDF (max_pages)`);
    }
  } else {
    const encoded = base64Length(found.bytes);
    if (encoded > config.max_image_bytes) {
      return failedDocument(facts, id, 'too_large', `${rel}: the image is ${formatBytes(found.bytes)}, ${formatBytes(encoded)} as base64; images are sent up to ${formatBytes(config.max_image_bytes)} as base64 (max_image_bytes)`);
    }
  }
  return fileDocument(facts, { media_type: found.media_type, path: file.real, sha256: found.sha256, bytes: found.bytes, name });
}

/** A file over max_file_bytes: never read whole, known by its path; its first bytes say what it is. */
function oversized(facts: FileFacts, head: Buffer, config: InvoicesConfig): SourceDocument {
  const kind = sniffBinary(head);
  if (!kind && !looksLikeText(head)) return unsupported(facts, pathId(facts.rel), head);
  const typed: FileFacts = kind ? { ...facts, media_type: kind.media_type, format: kind.format } : facts;
  return failedDocument(
    typed,
    pathId(facts.rel),
    'too_large',
    `${facts.rel}: ${formatBytes(facts.bytes ?? 0)} is over the limit of ${formatBytes(config.max_file_bytes)} per file (max_file_bytes); as base64 it would not fit one 32 MiB request`,
  );
}

function unsupported(facts: FileFacts, id: string, head: Buffer): SourceDocument {
  const hint = unsupportedHint(head);
  return failedDocument(facts, id, 'unsupported_file', `${facts.rel}: content is not a PDF (no %PDF- header), image, XML or text${hint ? `; it looks like ${hint}` : ''}`);
}

function pdfFacts(pdf: Buffer): { encrypted: boolean; pages?: number } {
  if (isEncryptedPdf(pdf)) return { encrypted: true };
  const pages = countPdfPages(pdf);
  return pages === undefined ? { encrypted: false } : { encrypted: false, pages };
}

function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

function recentlyWritten(stat: Stats): boolean {
  const age = Date.now() - stat.mtimeMs;
  return age >= 0 && age < SETTLE_MS;
}

/** The whole file when it is at most `maxBytes`, else its first bytes; one file in memory at a time. */
async function readContents(real: string, maxBytes: number): Promise<Contents> {
  let handle: FileHandle;
  try {
    handle = await fs.open(real, OPEN_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  try {
    const before = await handle.stat();
    if (!before.isFile()) return { kind: 'gone' };
    if (before.size > maxBytes) return { kind: 'head', head: await readUpTo(handle, HEAD_BYTES), size: before.size };
    const bytes = await readUpTo(handle, before.size);
    const after = await handle.stat();
    if (bytes.length !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) return { kind: 'changing' };
    return { kind: 'whole', bytes, stat: after };
  } finally {
    await handle.close();
  }
}

async function readUpTo(handle: FileHandle, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}
