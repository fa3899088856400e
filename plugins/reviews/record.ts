// One record → one SourceDocument: normalized fields, a stable id, metadata without empty values, or a
// failure (empty review text) that names the row it came from.
import type { SourceDocument } from '../../src/plugins/contract.ts';
import type { Extractor } from './columns.ts';
import { contentId } from './ids.ts';
import { dateOf, ratingOf, textOf } from './values.ts';

/** Where a record sits in its file, for metadata and messages. */
export interface Position {
  /** CSV/TSV: rows are numbered (header excluded); JSONL: lines are. */
  tabular: boolean;
  /** Data row number (CSV/TSV) or line number (JSONL); `metadata.row`. */
  row: number;
  /** The file line the record starts on. */
  line: number;
  /** 1-based index inside a line holding several reviews (a JSON array, a JSON:API document). */
  item?: number;
}

/** How messages name a record: `row 12 (line 14)`, `line 12`, `line 3, item 2`. */
export function labelOf(at: Position): string {
  if (at.tabular) return `row ${at.row} (line ${at.line})`;
  return at.item === undefined ? `line ${at.line}` : `line ${at.line}, item ${at.item}`;
}

/** The id of a failure that has no id of its own: `row-12`, `line-12`, `line-3.2`. */
export function fallbackIdOf(at: Position): string {
  if (at.tabular) return `row-${at.row}`;
  return at.item === undefined ? `line-${at.line}` : `line-${at.line}.${at.item}`;
}

export function toDocument<R>(ex: Extractor<R>, record: R, at: Position, source: string): SourceDocument {
  const f = ex.fields;
  const ownId = f.id ? textOf(f.id(record)) : undefined;
  const text = f.text ? textOf(f.text(record)) : undefined;
  if (text === undefined) {
    return { id: ownId ?? fallbackIdOf(at), failure: { type: 'empty_text', message: `${labelOf(at)}: the review text (${ex.textLabel}) is empty` } };
  }
  const title = f.title ? textOf(f.title(record)) : undefined;
  const rating = f.rating ? ratingOf(f.rating(record)) : undefined;
  const author = f.author ? textOf(f.author(record)) : undefined;
  const date = f.date ? dateOf(f.date(record)) : undefined;
  const product = f.product ? textOf(f.product(record)) : undefined;

  const metadata: Record<string, unknown> = {};
  if (rating !== undefined) metadata.rating = rating;
  if (date !== undefined) metadata.date = date;
  if (author !== undefined) metadata.author = author;
  setText(metadata, 'language', f.language?.(record));
  setText(metadata, 'version', f.version?.(record));
  if (product !== undefined) metadata.product = product;
  setText(metadata, 'territory', f.territory?.(record));
  for (const [key, get] of ex.extras) {
    if (key in metadata) continue; // the normalized field wins over a raw column of the same name
    const raw = get(record);
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value !== undefined && value !== null && value !== '') metadata[key] = value;
  }
  metadata.row = at.row;
  metadata.source = source;

  const id = ownId ?? contentId([text, title, rating, author, date, product]);
  return title === undefined ? { id, text, metadata } : { id, text, title, metadata };
}

function setText(metadata: Record<string, unknown>, key: string, value: unknown): void {
  const text = textOf(value);
  if (text !== undefined) metadata[key] = text;
}
