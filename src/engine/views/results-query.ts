// Reads a job's results in item order, a page at a time (the API's cursor pages and NDJSON stream).
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import { toDeliveredResult, type PublicResult, type ResultRow } from './result-view.ts';

export interface ResultsPage {
  results: PublicResult[];
  /** Item id to continue after, or null at the end. */
  next: number | null;
}

export async function resultsPage(db: Kysely<DB>, jobId: string, after: number, limit: number, status?: string): Promise<ResultsPage> {
  const rows = await sql<ResultRow>`
    SELECT i.id AS item_id, i.job_id, i.external_id, i.status, i.attempts, i.last_error, i.document->'metadata' AS metadata,
      r.output, r.error, r.outcome, r.input_tokens, r.output_tokens, r.cache_creation_input_tokens, r.cache_read_input_tokens
    FROM items i
    LEFT JOIN results r ON r.item_id = i.id AND r.attempt = i.attempts
    WHERE i.job_id = ${jobId} AND i.id > ${after}
      AND i.status IN ('succeeded','failed','canceled')
      ${status ? sql`AND i.status = ${status}` : sql``}
    ORDER BY i.id
    LIMIT ${limit + 1}`.execute(db);
  const page = rows.rows.slice(0, limit);
  const last = page[page.length - 1];
  return { results: page.map(toDeliveredResult), next: rows.rows.length > limit && last ? last.item_id : null };
}
