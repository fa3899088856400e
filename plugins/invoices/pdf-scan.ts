// Finds a PDF's objects and trailers without a PDF library (ISO 32000-1 §7.3.10, §7.5): top-level
// `N G obj … endobj`, stream data skipped by /Length, and the objects packed inside FlateDecode object
// streams (/Type /ObjStm, §7.5.7), which hold most dictionaries of PDFs written since 1.5. Works on a
// bounded buffer (the source never reads a PDF over max_file_bytes, at most 24 MiB) and never throws on
// broken input: what cannot be parsed is simply not reported.
import { constants, inflateSync } from 'node:zlib';

export interface PdfObject {
  num: number;
  /** Where the object (or the object stream holding it) starts: later definitions win (incremental updates). */
  offset: number;
  /** The object's text before any stream data: its dictionary, or the whole object if it has no stream. */
  dict: string;
  stream?: Buffer;
}

/** Inflated bytes allowed per file across its object streams: a zip bomb is cut off, not followed. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

const OBJECT_HEADER = /(?<![\d.])(\d{1,10})[ \t\r\n\f\0]+(\d{1,5})[ \t\r\n\f\0]+obj(?![A-Za-z0-9])/g;
const STREAM_KEYWORD = /(?<![A-Za-z])stream(?:\r\n|\n|\r)/g;

/**
 * Every object in file order, those inside object streams right after their stream (unless
 * `objectStreams` is false: cross-reference streams, for one, are never packed). `text` is `pdf` as Latin-1.
 */
export function* pdfObjects(pdf: Buffer, text = pdf.toString('latin1'), objectStreams = true): Generator<PdfObject> {
  const budget = { left: MAX_INFLATED_BYTES };
  const header = new RegExp(OBJECT_HEADER.source, 'g');
  const streamKeyword = new RegExp(STREAM_KEYWORD.source, 'g');
  for (let match = header.exec(text); match; match = header.exec(text)) {
    const num = Number(match[1]);
    const offset = match.index;
    const bodyStart = header.lastIndex;
    const endobj = text.indexOf('endobj', bodyStart);
    const bodyEnd = endobj < 0 ? text.length : endobj;
    streamKeyword.lastIndex = bodyStart;
    const keyword = streamKeyword.exec(text);
    if (!keyword || keyword.index >= bodyEnd) {
      yield { num, offset, dict: text.slice(bodyStart, bodyEnd) };
      header.lastIndex = endobj < 0 ? text.length : endobj + 6;
      continue;
    }
    const dict = text.slice(bodyStart, keyword.index);
    const dataStart = keyword.index + keyword[0].length;
    const dataEnd = streamEnd(text, dict, dataStart);
    const stream = pdf.subarray(dataStart, dataEnd);
    yield { num, offset, dict, stream };
    if (objectStreams && hasName(dict, 'Type', 'ObjStm')) {
      for (const inner of objectStreamObjects(dict, stream, budget)) yield { ...inner, offset };
    }
    const next = text.indexOf('endobj', dataEnd);
    header.lastIndex = next < 0 ? dataEnd : next + 6;
  }
}

/** The dictionaries after each `trailer` keyword (classic cross-reference tables), with their offsets. */
export function* trailerDicts(text: string): Generator<{ offset: number; dict: string }> {
  const trailer = /(?<![A-Za-z])trailer\s*<</g;
  for (let match = trailer.exec(text); match; match = trailer.exec(text)) {
    const end = text.indexOf('startxref', match.index);
    yield { offset: match.index, dict: text.slice(match.index, end < 0 ? Math.min(text.length, match.index + 65536) : end) };
  }
}

/** A direct integer value of `key` in a dictionary (`/Count 3`, not `/Count 5 0 R`). */
export function directInt(dict: string, key: string): number | undefined {
  const match = new RegExp(`/${key}\\s+(\\d+)(?!\\s+\\d+\\s+R)(?![\\d.])`).exec(dict);
  return match ? Number(match[1]) : undefined;
}

export function hasName(dict: string, key: string, value: string): boolean {
  return new RegExp(`/${key}\\s*/${value}(?![A-Za-z0-9#_.-])`).test(dict);
}

/** Where stream data ends: after /Length bytes when that lands on `endstream`, else at the keyword. */
function streamEnd(text: string, dict: string, dataStart: number): number {
  const length = directInt(dict, 'Length');
  if (length !== undefined && /^\s*endstream/.test(text.slice(dataStart + length, dataStart + length + 32))) return dataStart + length;
  const keyword = text.indexOf('endstream', dataStart);
  if (keyword < 0) return text.length;
  let end = keyword;
  if (text[end - 1] === '\n') end--;
  if (text[end - 1] === '\r') end--;
  return Math.max(dataStart, end);
}

function* objectStreamObjects(dict: string, stream: Buffer, budget: { left: number }): Generator<Omit<PdfObject, 'offset'>> {
  const count = directInt(dict, 'N');
  const first = directInt(dict, 'First');
  const data = decodeStream(dict, stream, budget);
  if (count === undefined || first === undefined || !data) return;
  const text = data.toString('latin1');
  const numbers = text.slice(0, first).trim().split(/\s+/).map(Number);
  for (let i = 0; i < count; i++) {
    const num = numbers[2 * i];
    const start = numbers[2 * i + 1];
    if (num === undefined || start === undefined || !Number.isInteger(num) || !Number.isInteger(start)) return;
    const end = numbers[2 * i + 3] ?? text.length - first;
    yield { num, dict: text.slice(first + start, first + Math.max(start, end)) };
  }
}

/** Stream data unfiltered or FlateDecode only (what object streams use in practice); undefined otherwise. */
function decodeStream(dict: string, stream: Buffer, budget: { left: number }): Buffer | undefined {
  const filter = /\/Filter\s*(\[[^\]]*\]|\/[^\s/<>[\]()]+)/.exec(dict)?.[1];
  if (filter === undefined) return stream;
  const names = filter.match(/\/[^\s/<>[\]()]+/g) ?? [];
  if (names.length !== 1 || (names[0] !== '/FlateDecode' && names[0] !== '/Fl')) return undefined;
  if (budget.left <= 0) return undefined;
  try {
    // Sync flush: a stream cut short (a missing checksum) still gives what it holds.
    const data = inflateSync(stream, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: budget.left });
    budget.left -= data.length;
    return data;
  } catch {
    return undefined;
  }
}
