// In-memory batches: id → record (requests, times, cancel state, outcomes once ended), plus newest-first listing.
import type { ItemFaultKind } from './types.ts';
import { newBatchId } from './ids.ts';
import type { CacheUsage } from './prompt-cache.ts';

export interface BatchRequest {
  customId: string;
  params: Record<string, unknown>;
  paramsHash: string;
  /** Why the params cannot run (→ errored invalid_request_error), or null. */
  problem: string | null;
  /** The fault drawn at submission, or null. */
  fault: ItemFaultKind | null;
}

// One byte per request keeps 100,000 outcomes small.
export const OUTCOME = { succeeded: 0, errored: 1, canceled: 2, expired: 3 } as const;

export interface RequestCounts {
  processing: number;
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
}

export interface BatchRecord {
  id: string;
  /** Creation order; also resolves list cursors that point at deleted batches. */
  seq: number;
  createdAt: number;
  requests: BatchRequest[];
  cancelInitiatedAt: number | null;
  endedAt: number | null;
  /** Per request, in submission order; set when the batch ends. */
  outcomes: Uint8Array | null;
  /** Prompt-cache usage of succeeded requests that had a cache breakpoint, by request index. */
  cacheUsage: Map<number, CacheUsage>;
  counts: RequestCounts;
  /** Calls made about this batch so far, for the per-batch faults (first retrieve, first results, …). */
  looks: { retrieve: number; endedRetrieve: number; results: number };
}

export interface BatchStore {
  batches: Map<string, BatchRecord>;
  seqById: Map<string, number>;
  nextSeq: number;
}

export function createStore(): BatchStore {
  return { batches: new Map(), seqById: new Map(), nextSeq: 1 };
}

export function addBatch(store: BatchStore, requests: BatchRequest[], createdAt: number): BatchRecord {
  const batch: BatchRecord = {
    id: newBatchId(),
    seq: store.nextSeq++,
    createdAt,
    requests,
    cancelInitiatedAt: null,
    endedAt: null,
    outcomes: null,
    cacheUsage: new Map(),
    counts: { processing: requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    looks: { retrieve: 0, endedRetrieve: 0, results: 0 },
  };
  store.batches.set(batch.id, batch);
  store.seqById.set(batch.id, batch.seq);
  return batch;
}

export function getBatch(store: BatchStore, id: string): BatchRecord | null {
  return store.batches.get(id) ?? null;
}

export function removeBatch(store: BatchStore, id: string): void {
  store.batches.delete(id);
}

/** A batch that really disappears, whatever its state (no end, no announcement): every later call about it is a 404. */
export function forgetBatch(sim: { store: BatchStore; notifier: { endTimers: Map<string, NodeJS.Timeout> } }, id: string): boolean {
  if (!sim.store.batches.has(id)) return false;
  const timer = sim.notifier.endTimers.get(id);
  if (timer !== undefined) clearTimeout(timer);
  sim.notifier.endTimers.delete(id);
  removeBatch(sim.store, id);
  return true;
}

export interface ListQuery {
  limit: number;
  afterId: string | null;
  beforeId: string | null;
}

export type ListPage = { ok: true; data: BatchRecord[]; hasMore: boolean } | { ok: false; message: string };

/** A page of batches, newest first; before_id pages back toward newer batches (SDK reverse paging). */
export function listBatches(store: BatchStore, query: ListQuery): ListPage {
  let newestFirst = [...store.batches.values()].reverse();
  for (const [name, id] of [['after_id', query.afterId], ['before_id', query.beforeId]] as const) {
    if (id !== null && !store.seqById.has(id)) return { ok: false, message: `${name}: unknown message batch id '${id}'` };
  }
  const afterSeq = query.afterId === null ? undefined : store.seqById.get(query.afterId);
  const beforeSeq = query.beforeId === null ? undefined : store.seqById.get(query.beforeId);
  if (afterSeq !== undefined) newestFirst = newestFirst.filter((batch) => batch.seq < afterSeq);
  if (beforeSeq !== undefined) newestFirst = newestFirst.filter((batch) => batch.seq > beforeSeq);
  if (beforeSeq !== undefined && afterSeq === undefined) {
    // The page just before the cursor: the `limit` batches closest to it.
    const start = Math.max(0, newestFirst.length - query.limit);
    return { ok: true, data: newestFirst.slice(start), hasMore: start > 0 };
  }
  return { ok: true, data: newestFirst.slice(0, query.limit), hasMore: newestFirst.length > query.limit };
}
