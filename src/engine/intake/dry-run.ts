// POST /v1/jobs?dry_run=true: reads the documents (inline, or the source as a job's first read would),
// measures and packs them exactly as a job would, and estimates the cost. Nothing is stored or sent.
// Memory stays flat: documents are tallied one by one; only a fixed-size sample is kept.
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { SourceDocument } from '../../plugins/contract.ts';
import { openConfig } from '../../plugins/stored-config.ts';
import type { EngineContext } from '../context.ts';
import type { StoredDocument } from '../documents/document.ts';
import { batchCounter, composeEstimate, measureSample, type Estimate, type Tally } from '../money/estimate.ts';
import { decidePromptCache, expectedHitRate } from '../money/prompt-cache.ts';
import { guessOutputTokens } from '../money/estimate-output.ts';
import { itemRowBuilder, requestLimitOf, type ItemRow } from './item-rows.ts';
import { prepareJob, type CreateJobInput } from './ingest.ts';
import { sampledRequests } from '../money/sampled-requests.ts';
import { ownChangesOf } from './own-writes.ts';
import { cursorKeys } from './read-source.ts';
import { BATCH_ENVELOPE_BYTES } from '../documents/request.ts';
import { cachedUsage } from '../money/result-cache.ts';
import { batchCostUsd } from '../money/cost.ts';
import type { StoredSource } from './source-ref.ts';

/** Requests measured with count_tokens in a dry run. */
export const DRY_RUN_SAMPLE = 50;
/** Request hashes looked up in the result cache at once. */
const CACHE_LOOKUP_CHUNK = 2000;

type Deps = Pick<EngineContext, 'db' | 'config' | 'sinks' | 'sources' | 'tag' | 'secretKey' | 'log' | 'provider'>;

export interface DryRun {
  dry_run: true;
  task: { name: string; model: string; max_tokens: number };
  estimate: Estimate;
  /** The budget the job would run under, and whether the expected and the worst-case cost fit it. */
  budget: { max_usd: number; fits_expected: boolean; fits_worst_case: boolean } | null;
}

export async function dryRun(ctx: Deps, input: CreateJobInput, signal?: AbortSignal): Promise<DryRun> {
  const prepared = await prepareJob(ctx, input);
  const { task } = prepared;
  const cacheEnabled = (input.cache ?? ctx.config.BATCHLINE_RESULT_CACHE) === 'on';
  const tally = newTally(ctx, cacheEnabled);
  const sampler = reservoir<{ doc: StoredDocument; bytes: number }>(DRY_RUN_SAMPLE);
  const rowOf = itemRowBuilder(task, requestLimitOf(ctx.config.BATCH_MAX_BYTES), { redact: input.redact });
  let pendingHashes: ItemRow[] = [];

  const flushCacheLookups = async () => {
    if (pendingHashes.length === 0) return;
    const rows = pendingHashes;
    pendingHashes = [];
    const hits = await cachedUsage(ctx.db, rows.map((r) => r.request_hash!));
    for (const row of rows) {
      const hit = hits.get(row.request_hash!);
      if (hit) {
        tally.cacheHits += 1;
        tally.cacheSavedUsd += batchCostUsd(hit.model, hit.usage);
      } else {
        countSendable(row);
      }
    }
  };
  const countSendable = (row: ItemRow) => {
    tally.items += 1;
    tally.bytes += row.request_bytes;
    tally.batches.add(row.request_bytes);
    sampler.offer({ doc: JSON.parse(row.document) as StoredDocument, bytes: row.request_bytes });
  };

  const documents = prepared.source ? sourceDocuments(ctx, prepared.source, signal) : inlineDocuments(prepared.documents);
  for await (const doc of documents) {
    const row = rowOf(doc);
    if (row.failure) {
      tally.rejected += 1;
      continue;
    }
    if (!cacheEnabled) {
      countSendable(row);
      continue;
    }
    pendingHashes.push(row);
    if (pendingHashes.length >= CACHE_LOOKUP_CHUNK) await flushCacheLookups();
  }
  await flushCacheLookups();

  const sample = await sampledRequests(task, sampler.items());
  const [measured, promptCache, hitRate, output] = await Promise.all([
    measureSample(ctx.provider, sample),
    decidePromptCache(ctx, task, { measure: tally.items > 0 }),
    expectedHitRate(ctx.db, ctx.config, task),
    guessOutputTokens(ctx.db, task),
  ]);
  const estimate = composeEstimate({ task, tally: { ...tally, batches: tally.batches.count() }, measured, promptCache, hitRate, output });
  const maxUsd = input.max_usd ?? ctx.config.BATCHLINE_DEFAULT_MAX_USD ?? null;
  return {
    dry_run: true,
    task: { name: task.name, model: task.model, max_tokens: task.max_tokens },
    estimate,
    budget: maxUsd === null ? null : { max_usd: maxUsd, fits_expected: estimate.cost.usd <= maxUsd, fits_worst_case: estimate.cost.worst_case_usd <= maxUsd },
  };
}

function newTally(ctx: Pick<Deps, 'config'>, cacheEnabled: boolean): Omit<Tally, 'batches'> & { batches: ReturnType<typeof batchCounter> } {
  return {
    items: 0,
    rejected: 0,
    bytes: 0,
    cacheHits: 0,
    cacheSavedUsd: 0,
    cacheEnabled,
    batches: batchCounter(ctx.config.BATCH_MAX_REQUESTS, ctx.config.BATCH_MAX_BYTES, BATCH_ENVELOPE_BYTES),
  };
}

async function* inlineDocuments(documents: readonly SourceDocument[]): AsyncGenerator<SourceDocument> {
  yield* documents;
}

/** The source as a job's first read would see it: from the connection's saved cursor, checkpoints ignored. */
export async function* sourceDocuments(ctx: Pick<Deps, 'db' | 'config' | 'sources' | 'secretKey' | 'log'>, stored: StoredSource, signal: AbortSignal | undefined): AsyncGenerator<SourceDocument> {
  const plugin = ctx.sources.get(stored.plugin);
  if (!plugin) throw new Error(`source plugin "${stored.plugin}" is not loaded`);
  const config = plugin.configSchema.parse(openConfig(stored, ctx.secretKey));
  const cursor = stored.connection ? await connectionCursor(ctx.db, stored, cursorKeys(plugin, stored, config)) : undefined;
  yield* plugin.read(config, {
    log: ctx.log,
    fileRoots: ctx.config.BATCHLINE_FILE_ROOTS,
    signal: signal ?? new AbortController().signal,
    cursor,
    connection: stored.connection ?? undefined,
    checkpoint: async () => {},
    // As the job will: what Batchline wrote itself is not counted as work.
    ownChanges: ownChangesOf(ctx.db),
  });
}

async function connectionCursor(db: Kysely<DB>, stored: StoredSource, keys: { key: string; legacy: string }): Promise<unknown> {
  const row = await db.selectFrom('connections').select('cursor').where('name', '=', stored.connection ?? '').executeTakeFirst();
  const cursors = row?.cursor as Record<string, unknown> | null | undefined;
  return cursors?.[keys.key] ?? cursors?.[keys.legacy] ?? undefined;
}

/** Uniform sample of a stream of unknown length (Algorithm R). */
function reservoir<T>(size: number): { offer(item: T): void; items(): T[] } {
  const kept: T[] = [];
  let seen = 0;
  return {
    offer(item) {
      seen += 1;
      if (kept.length < size) kept.push(item);
      else {
        const j = Math.floor(Math.random() * seen);
        if (j < size) kept[j] = item;
      }
    },
    items: () => kept,
  };
}
