// Which of a batch's result lines are stored already, for a read of its results stream after the first one.
// A read that was cut, or whose worker died, is started again from the top of the stream (the API has no
// offset); without this every line of the batch would be parsed, validated and written again, so a 100,000-
// line batch cut near its end, or a replica restarted again and again, would redo the whole batch each time.
import { sql } from 'kysely';
import type { EngineContext } from '../context.ts';

/** Item ids read per query while loading: memory for the rows in flight stays bounded. */
const PAGE = 10_000;

/** (item id, attempt) pairs whose result is stored, in two typed arrays sorted by id: 12 bytes per line. */
export interface StoredLines {
  has(itemId: number, attempt: number): boolean;
  readonly size: number;
}

export const NOTHING_STORED: StoredLines = { has: () => false, size: 0 };

/**
 * The lines of `batchId` already stored: items still placed in this batch whose result for their current
 * attempt exists. A line found here would change nothing (its result insert is a no-op and its item has moved
 * on in the same transaction), so skipping it is exact.
 */
export async function loadStoredLines(ctx: Pick<EngineContext, 'db'>, batchId: number, requestCount: number): Promise<StoredLines> {
  // A batch holds at most request_count items (the API's limit is 100,000: 1.2 MB here at most).
  const ids = new Float64Array(requestCount);
  const attempts = new Int32Array(requestCount);
  let size = 0;
  let after = 0;
  for (;;) {
    const page = await sql<{ id: string; attempts: number }>`
      SELECT i.id, i.attempts FROM items i
      WHERE i.batch_id = ${batchId} AND i.id > ${after}
        AND EXISTS (SELECT 1 FROM results r WHERE r.item_id = i.id AND r.attempt = i.attempts)
      ORDER BY i.id LIMIT ${PAGE}`.execute(ctx.db);
    for (const row of page.rows) {
      if (size === ids.length) break;
      ids[size] = Number(row.id);
      attempts[size] = row.attempts;
      size += 1;
    }
    if (page.rows.length < PAGE || size === ids.length) break;
    after = ids[size - 1] as number;
  }
  if (size === 0) return NOTHING_STORED;
  return {
    size,
    has(itemId, attempt) {
      const at = indexOf(ids, size, itemId);
      return at >= 0 && attempts[at] === attempt;
    },
  };
}

function indexOf(sorted: Float64Array, size: number, value: number): number {
  let low = 0;
  let high = size - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const v = sorted[mid] as number;
    if (v === value) return mid;
    if (v < value) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}
