// Streaming CSV/TSV records with csv-parse, where a bad row is reported and the read goes on.
//
// csv-parse's own recovery is not enough: with `skip_records_with_error` a closing quote followed by
// anything but a delimiter is an error, but the parser stays inside the quoted field and swallows every
// following row up to the next stray quote. So quotes are parsed relaxed (`relax_quotes`: a bad closing
// quote ends the field, the row ends at its line break, the next row starts clean) and each record that
// contains a quote is checked against RFC 4180 here, from its `raw` text; ragged rows are let through
// (`relax_column_count`) and counted here. Only an unclosed quote at the very end of the file still
// reaches csv-parse's skip mechanism ('skip' event).
//
// The parser is fed chunk by chunk and drained with read() after each write, so rows, broken rows and
// line numbers come out in file order, a batch per chunk (no more than one chunk of records is held, and
// the per-row cost of passing through async generators is paid per batch).
import { parse, type CsvError } from 'csv-parse';

/** `row` is the 1-based data row number (header excluded), `line` the file line the row starts on. */
export type CsvItem =
  | { kind: 'header'; fields: string[] }
  | { kind: 'row'; row: number; line: number; fields: string[] }
  | { kind: 'broken'; row: number; line: number; reason: string };

/** A record still open after this many bytes is an unclosed quote eating the file: report it and stop. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

interface RawRecord {
  record: string[];
  raw: string;
}

/** The file's records in order, a batch per chunk read: the header first, then rows and broken rows. */
export async function* csvItems(chunks: AsyncIterable<Buffer>, delimiter: string): AsyncGenerator<CsvItem[]> {
  const parser = parse({
    delimiter,
    bom: false, // dropped by the decoder
    raw: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  // Records csv-parse skipped (an unclosed quote at the end of the file), with how many records came before.
  const skipped: Array<{ after: number; error: CsvError; raw: string | undefined }> = [];
  parser.on('skip', (error: CsvError, raw: string | undefined) => skipped.push({ after: parser.info.records, error, raw }));

  let width = -1; // fields in the header; -1 until it is read
  let records = 0; // records received, header included
  let row = 0; // data rows so far, broken ones included
  let lines = 0; // line breaks consumed so far
  let written = 0;

  const classify = (rec: RawRecord): CsvItem => {
    records++;
    const { record, raw } = rec;
    const line = lines + 1 + leadingBreaks(raw);
    lines += countBreaks(raw);
    if (width < 0) {
      width = record.length;
      return { kind: 'header', fields: record };
    }
    row++;
    if (record.length !== width) return { kind: 'broken', row, line, reason: `expected ${width} fields as in the header, found ${record.length}` };
    const quoting = raw.includes('"') ? quoteProblem(raw, delimiter) : undefined;
    if (quoting !== undefined) return { kind: 'broken', row, line, reason: quoting };
    return { kind: 'row', row, line, fields: record };
  };

  const skippedItem = (): CsvItem => {
    const skip = skipped.shift();
    row++;
    const raw = skip?.raw ?? '';
    const line = lines + 1 + leadingBreaks(raw);
    lines += countBreaks(raw);
    const reason = skip?.error.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is not closed before the end of the file' : (skip?.error.message ?? 'unreadable');
    return { kind: 'broken', row, line, reason };
  };

  const drain = (): CsvItem[] => {
    const batch: CsvItem[] = [];
    for (let rec = parser.read() as RawRecord | null; rec !== null; rec = parser.read() as RawRecord | null) {
      while (skipped.length > 0 && (skipped[0]?.after ?? Infinity) <= records) batch.push(skippedItem());
      batch.push(classify(rec));
    }
    return batch;
  };

  try {
    for await (const chunk of chunks) {
      written += chunk.length;
      parser.write(chunk);
      const batch = drain();
      if (written - parser.info.bytes > MAX_RECORD_BYTES) {
        batch.push({
          kind: 'broken',
          row: row + 1,
          line: lines + 1,
          reason: `a record runs on for more than ${MAX_RECORD_BYTES / 1024 / 1024} MiB (an unclosed quote?); the rest of the file is not read`,
        });
        yield batch;
        return;
      }
      if (batch.length > 0) yield batch;
    }
    await new Promise<void>((resolve, reject) => parser.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const batch = drain();
    while (skipped.length > 0) batch.push(skippedItem());
    if (batch.length > 0) yield batch;
  } finally {
    parser.destroy();
  }
}

/**
 * What is wrong with the quoting of one raw record, or undefined when it is valid RFC 4180: a field that
 * opens with a quote must close with a quote followed by a delimiter or the end of the record, and
 * quotes inside it must be doubled. Quotes inside an unquoted field (`5 "stars"`) are taken literally.
 */
export function quoteProblem(raw: string, delimiter: string): string | undefined {
  let start = 0;
  while (start < raw.length && (raw[start] === '\n' || raw[start] === '\r')) start++;
  let end = raw.length;
  while (end > start && (raw[end - 1] === '\n' || raw[end - 1] === '\r')) end--;
  let field = 1;
  let pos = start;
  while (pos <= end) {
    if (raw[pos] === '"') {
      let at = pos + 1;
      for (;;) {
        const close = raw.indexOf('"', at);
        if (close === -1 || close >= end) return `field ${field} opens a quote that is never closed`;
        if (raw[close + 1] === '"') {
          at = close + 2;
          continue;
        }
        if (close + 1 === end) return undefined;
        if (raw[close + 1] !== delimiter) {
          return `bad quoting in field ${field}: a quote inside a quoted field must be doubled ("")`;
        }
        pos = close + 2;
        break;
      }
    } else {
      const next = raw.indexOf(delimiter, pos);
      if (next === -1 || next >= end) return undefined;
      pos = next + 1;
    }
    field++;
  }
  return undefined;
}

/** Line breaks in a string: LF, CRLF and lone CR each count once. */
function countBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  for (let i = s.indexOf('\r'); i !== -1; i = s.indexOf('\r', i + 1)) if (s[i + 1] !== '\n') n++;
  return n;
}

/** Line breaks before a record's first character: the blank lines csv-parse skipped. */
function leadingBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\n') n++;
    else if (c === '\r') {
      if (s[i + 1] !== '\n') n++;
    } else break;
  }
  return n;
}
