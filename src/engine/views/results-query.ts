// Reads a job's results in item order, a page at a time (the API's cursor pages, its NDJSON and CSV streams,
// and the dashboard's results explorer), narrowed by a condition on the answer and metadata when given.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/types.ts';
import { toDeliveredResult, type PublicResult, type ResultRow } from './result-view.ts';

export interface ResultsPage {
  results: ExplorerResult[];
  /** Item id to continue after, or null at the end. */
  next: number | null;
}

/** The document beside its answer, as the explorer shows it. */
export interface ResultDocument {
  title: string | null;
  text: string | null;
  /** False when the text was dropped once the item was final (BATCHLINE_TEXT_AT_REST) or purged by retention. */
  text_kept: boolean;
}

export type ExplorerResult = PublicResult & { document?: ResultDocument };

export interface ResultsPageOptions {
  status?: string | undefined;
  /** A condition on `r.output` and `i.document -> 'metadata'` (insights/filters.ts builds it). */
  where?: RawBuilder<boolean> | undefined;
  /** Add each result's document (title and text). */
  withDocument?: boolean | undefined;
}

interface Row extends ResultRow {
  title?: string | null;
  text?: string | null;
}

export async function resultsPage(db: Kysely<DB>, jobId: string, after: number, limit: number, options: ResultsPageOptions = {}): Promise<ResultsPage> {
  const { status, where, withDocument } = options;
  const rows = await sql<Row>`
    SELECT i.id AS item_id, i.job_id, i.external_id, i.status, i.attempts, i.last_error, i.document->'metadata' AS metadata,
      r.output, r.error, r.outcome, r.input_tokens, r.output_tokens, r.cache_creation_input_tokens, r.cache_read_input_tokens
      ${withDocument ? sql`, i.document->>'title' AS title, i.document->>'text' AS text` : sql``}
    FROM items i
    -- r.item_id > after says again what i.id > after says, so the results side of the join starts at the
    -- page too: without it each page of a stream read the job's results from its first (quadratic).
    LEFT JOIN results r ON r.item_id = i.id AND r.attempt = i.attempts AND r.item_id > ${after}
    WHERE i.job_id = ${jobId} AND i.id > ${after}
      AND i.status IN ('succeeded','failed','canceled')
      ${status ? sql`AND i.status = ${status}` : sql``}
      ${where ? sql`AND ${where}` : sql``}
    ORDER BY i.id
    LIMIT ${limit + 1}`.execute(db);
  const page = rows.rows.slice(0, limit);
  const last = page[page.length - 1];
  const results = page.map((row): ExplorerResult => {
    const result = toDeliveredResult(row);
    if (!withDocument) return result;
    return { ...result, document: { title: row.title ?? null, text: row.text ?? null, text_kept: row.text !== null && row.text !== undefined } };
  });
  return { results, next: rows.rows.length > limit && last ? last.item_id : null };
}
