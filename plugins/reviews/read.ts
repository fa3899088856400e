// The read itself: file → UTF-8 chunks → CSV rows or JSON lines → documents, one at a time, in file order.
// Rows that cannot be read become failed documents naming their row; the read always goes on.
import { SourceFatalError, type SourceDocument } from '../../src/plugins/contract.ts';
import { jsonExtractor, tabularExtractor, type Extractor, type JsonRecord, type MappingProblem } from './columns.ts';
import type { ReviewsConfig } from './config.ts';
import { csvItems } from './csv.ts';
import { utf8Chunks } from './encoding.ts';
import type { FilePlan } from './file.ts';
import { jsonItems } from './jsonl.ts';
import { toDocument, type Position } from './record.ts';

export interface ReadOptions {
  signal: AbortSignal;
  /** Called once per JSON:API object skipped for not being a review (e.g. an included `customerReviewResponses`). */
  onSkip?: (what: string) => void;
}

export function readDocuments(plan: FilePlan, config: ReviewsConfig, options: ReadOptions): AsyncGenerator<SourceDocument> {
  const chunks = utf8Chunks(plan.file, plan.encoding, options.signal);
  const source = config.preset ?? plan.format;
  return plan.format === 'jsonl' ? jsonDocuments(chunks, config, source, options) : csvDocuments(chunks, plan.delimiter, config, source);
}

async function* csvDocuments(chunks: AsyncIterable<Buffer>, delimiter: string, config: ReviewsConfig, source: string): AsyncGenerator<SourceDocument> {
  let extractor: Extractor<string[]> | undefined;
  const at: Position = { tabular: true, row: 0, line: 0 };
  for await (const batch of csvItems(chunks, delimiter)) {
    for (const item of batch) {
      if (item.kind === 'header') {
        const resolved = tabularExtractor(item.fields, config);
        const problem = resolved.problems[0];
        if (problem) throw new SourceFatalError(`${problem.field}: ${problem.message}`);
        extractor = resolved.extractor;
      } else if (item.kind === 'broken') {
        yield { id: `row-${item.row}`, failure: { type: 'invalid_row', message: `row ${item.row} (line ${item.line}): ${item.reason}` } };
      } else if (extractor) {
        at.row = item.row;
        at.line = item.line;
        yield toDocument(extractor, item.fields, at, source);
      }
    }
  }
}

async function* jsonDocuments(chunks: AsyncIterable<Buffer>, config: ReviewsConfig, source: string, options: ReadOptions): AsyncGenerator<SourceDocument> {
  const extractor = jsonExtractor(config);
  const onlyReviews = config.preset === 'app-store';
  for await (const item of jsonItems(chunks)) {
    if (item.kind === 'broken') {
      yield { id: `line-${item.line}`, failure: { type: 'invalid_row', message: `line ${item.line}: ${item.reason}` } };
      continue;
    }
    const { value, line } = item;
    const many = manyOf(value, extractor);
    if (many === undefined) {
      if (!isObject(value)) {
        yield { id: `line-${line}`, failure: { type: 'invalid_row', message: `line ${line}: expected a JSON object, found ${kindOf(value)}` } };
      } else if (!(onlyReviews && isOtherResource(value))) {
        yield toDocument(extractor, value, { tabular: false, row: line, line }, source);
      } else options.onSkip?.(String(value.type));
      continue;
    }
    for (let i = 0; i < many.length; i++) {
      const element = many[i];
      const at: Position = { tabular: false, row: line, line, item: i + 1 };
      if (!isObject(element)) {
        yield { id: `line-${line}.${i + 1}`, failure: { type: 'invalid_row', message: `line ${line}, item ${i + 1}: expected a JSON object, found ${kindOf(element)}` } };
      } else if (!(onlyReviews && isOtherResource(element))) {
        yield toDocument(extractor, element, at, source);
      } else options.onSkip?.(String(element.type));
    }
  }
}

/** A line holding several reviews: a JSON array, or a JSON:API document (`{ "data": [...] }`) — else undefined. */
function manyOf(value: unknown, extractor: Extractor<JsonRecord>): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (isObject(value) && Array.isArray(value.data) && extractor.fields.text?.(value) === undefined) return value.data;
  return undefined;
}

/** A JSON:API resource of another type than `customerReviews` (App Store review responses, apps…). */
function isOtherResource(value: JsonRecord): boolean {
  return typeof value.type === 'string' && value.type !== 'customerReviews' && typeof value.attributes === 'object';
}

function isObject(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** The first mapping problem a file's header (CSV/TSV) or first record (JSONL) shows, for check(). */
export async function firstMappingProblem(plan: FilePlan, config: ReviewsConfig, signal: AbortSignal): Promise<MappingProblem | undefined> {
  const chunks = utf8Chunks(plan.file, plan.encoding, signal);
  if (plan.format !== 'jsonl') {
    for await (const batch of csvItems(chunks, plan.delimiter)) {
      const header = batch[0];
      if (header?.kind === 'header') return tabularExtractor(header.fields, config).problems[0];
    }
    return undefined;
  }
  const extractor = jsonExtractor(config);
  for await (const item of jsonItems(chunks)) {
    if (item.kind === 'broken') {
      return { field: 'format', message: `the file is not JSON Lines: line ${item.line} is ${item.reason}; a pretty-printed JSON document must be converted to one value per line first (e.g. jq -c '.[]')` };
    }
    const first = manyOf(item.value, extractor)?.[0] ?? item.value;
    if (!isObject(first) || isOtherResource(first)) return undefined;
    if (extractor.fields.text?.(first) !== undefined) return undefined;
    return { field: 'columns.text', message: `the first record (line ${item.line}) has no review text under ${extractor.textLabel}; set columns.text to the key that holds it` };
  }
  return undefined;
}
