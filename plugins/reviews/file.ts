// The file a config names: confined to BATCHLINE_FILE_ROOTS, a regular file, and how to read it
// (encoding from its first bytes, format from its extension or its content, the CSV delimiter).
import fs from 'node:fs/promises';
import path from 'node:path';
import { SourceConfigError } from '../../src/plugins/contract.ts';
import { OPEN_READ, PathOutsideRootsError, resolveInsideRoots } from '../../src/plugins/paths.ts';
import type { ReviewsConfig } from './config.ts';
import { decodeSample, sniffEncoding, type Encoding } from './encoding.ts';

export type Format = 'csv' | 'tsv' | 'jsonl';

export interface FilePlan {
  file: string;
  encoding: Encoding;
  format: Format;
  delimiter: string;
}

const SAMPLE_BYTES = 64 * 1024;

const BY_EXTENSION: Record<string, Format> = { '.csv': 'csv', '.tsv': 'tsv', '.tab': 'tsv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'jsonl' };

/** The real path of the config's file (open it with OPEN_READ); throws SourceConfigError('path') when it is outside the roots, missing or not a file. */
export async function confineFile(p: string, roots: readonly string[]): Promise<string> {
  let file: string;
  try {
    file = await resolveInsideRoots(p, roots);
  } catch (error) {
    if (error instanceof PathOutsideRootsError) throw new SourceConfigError('path', error.message);
    throw error;
  }
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SourceConfigError('path', `file "${p}" does not exist inside BATCHLINE_FILE_ROOTS`);
    if (code === 'EACCES') throw new SourceConfigError('path', `file "${p}" cannot be read (permission denied)`);
    throw error;
  }
  if (stat.isDirectory()) throw new SourceConfigError('path', `path "${p}" is a directory; name an export file`);
  if (!stat.isFile()) throw new SourceConfigError('path', `path "${p}" is not a regular file`);
  return file;
}

/** Reads the first 64 KiB to settle encoding, format and delimiter. */
export async function planFile(file: string, config: ReviewsConfig): Promise<FilePlan> {
  const handle = await fs.open(file, OPEN_READ);
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const encoding = sniffEncoding(head, config.encoding);
  const sample = decodeSample(head, encoding);
  const format = config.format !== 'auto' ? config.format : (BY_EXTENSION[path.extname(file).toLowerCase()] ?? sniffFormat(sample));
  return { file, encoding, format, delimiter: config.delimiter ?? defaultDelimiter(format, sample) };
}

/** JSON when the content starts with `{` or `[`; TSV when the first line has more tabs than commas and semicolons. */
function sniffFormat(sample: string): Format {
  const first = sample.trimStart()[0];
  if (first === '{' || first === '[') return 'jsonl';
  const line = firstLine(sample);
  const tabs = count(line, '\t');
  return tabs > 0 && tabs >= count(line, ',') && tabs >= count(line, ';') ? 'tsv' : 'csv';
}

/** Tab for TSV; for CSV a comma, unless the header is separated by semicolons (spreadsheets in many locales). */
function defaultDelimiter(format: Format, sample: string): string {
  if (format === 'tsv') return '\t';
  const line = firstLine(sample);
  return count(line, ';') > count(line, ',') ? ';' : ',';
}

function firstLine(sample: string): string {
  const text = sample.trimStart();
  const end = text.search(/\r|\n/);
  return end === -1 ? text : text.slice(0, end);
}

function count(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i !== -1; i = s.indexOf(c, i + 1)) n++;
  return n;
}
