// Streams an ended batch's results with the SDK's JSONL iterator and stores them chunk by chunk.
// Each chunk is one transaction keyed by (item, attempt): a crash or a cut stream just means reading
// the stream again; lines already stored change nothing. Memory holds one chunk, whatever the batch size.
import type { MessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/messages/batches';
import { sql } from 'kysely';
import type { Batch } from '../../db/types.ts';
import { classifyProviderError } from '../../provider/errors.ts';
import { outputValidator } from '../../tasks/registry.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import { releaseBatch, renewBatchLease, withBatchLease } from '../claim.ts';
import type { EngineContext } from '../context.ts';
import { parseCustomId } from '../ids.ts';
import { outcomeOf, type LineOutcome, type NextItemState } from './outcome.ts';
import { storeAnswers } from '../money/result-cache.ts';
import { enqueueDeliveries } from '../transitions.ts';
import { TEXT_DROP } from '../documents/text-at-rest.ts';
import { closeBatch, retryOrFail } from './close-batch.ts';
import { loadStoredLines, NOTHING_STORED, type StoredLines } from './stored-lines.ts';
import { recheckDelayMs } from './poll-schedule.ts';
import { recordInvisible } from './visibility.ts';
import { addRow, newTotals, recordCollected, totalsAttributes, type ParseTotals, type StoredGroup } from './collect-telemetry.ts';
import { trace } from '@opentelemetry/api';
import { genAiAttributes, inSpan, recordError, SpanKind } from '../../telemetry/trace.ts';

/**
 * After this many complete reads that still miss lines, spread over minutes (5 s, 20 s, 80 s, 320 s apart,
 * at most POLL_MAX_MS), the missing items are re-submitted: a stream cut at a line boundary by a proxy
 * looks complete, and re-sending answers the provider still holds would bill them twice.
 */
const MAX_INCOMPLETE_READS = 5;
/** Failed reads in a row after which the batch is reported at error level (it is still read again). */
const LOUD_AFTER_FAILED_READS = 10;

export async function collectBatch(ctx: EngineContext, batch: Batch): Promise<void> {
  const providerId = batch.provider_id;
  if (!providerId) throw new Error(`batch ${batch.id} has no provider id`);
  const job = await ctx.db.selectFrom('jobs').select(['task', 'cancel_requested_at', 'result_cache', 'keep_text']).where('id', '=', batch.job_id).executeTakeFirstOrThrow();
  const task = job.task as ResolvedTask;
  const options = { validator: outputValidator(task), cancelRequested: job.cancel_requested_at !== null, cacheAnswers: job.result_cache, dropText: !job.keep_text };

  await inSpan(
    'batch.collect',
    { parent: batch.trace_context, kind: SpanKind.CLIENT, attributes: { 'batchline.job.id': batch.job_id, 'batchline.batch.id': batch.id, 'batchline.provider_batch.id': providerId, ...genAiAttributes(task.model) } },
    async (span) => {
      const totals = newTotals();
      await withBatchLease(ctx, batch.id, () => readResults(ctx, batch, providerId, { ...options, totals }));
      span.setAttributes(totalsAttributes(totals, task.model));
    },
  );
}

async function readResults(ctx: EngineContext, batch: Batch, providerId: string, options: ChunkOptions): Promise<void> {
  const stored = await storedBefore(ctx, batch);
  let chunk: MessageBatchIndividualResponse[] = [];
  let skipped = 0;
  try {
    for await (const line of await ctx.provider.messages.batches.results(providerId)) {
      if (stored.size > 0 && isStored(stored, ctx.tag, line.custom_id)) {
        skipped += 1;
        continue;
      }
      chunk.push(line);
      if (chunk.length >= ctx.config.BATCHLINE_COLLECT_CHUNK) {
        await storeChunk(ctx, batch, chunk, options);
        chunk = [];
        ctx.crashPoint('after_collect_chunk');
        if (!(await renewBatchLease(ctx, batch.id))) return;
      }
    }
    if (chunk.length > 0) await storeChunk(ctx, batch, chunk, options);
    if (stored.size > 0) trace.getActiveSpan()?.setAttribute('batchline.results.skipped', skipped);
  } catch (error) {
    const failure = classifyProviderError(error);
    markCollectFailed(failure.kind, failure.error);
    if (failure.kind === 'not_found') {
      // The batch ended, so its results exist: a 404 is the provider not showing them yet (reference §12).
      await recordInvisible(ctx, batch, 'results', failure);
      return;
    }
    // Anything else (5xx, 529, a cut stream, `ended` with no results_url yet) is read again later: the
    // answers are at the provider for 29 days, and sending the items again would pay for them twice.
    const attempts = batch.collect_attempts + 1;
    const log = attempts === LOUD_AFTER_FAILED_READS ? ctx.log.error.bind(ctx.log) : ctx.log.warn.bind(ctx.log);
    log({ batch_id: batch.id, provider_batch_id: providerId, attempts, error: failure.error.message }, 'results stream failed; will read again');
    await ctx.db.updateTable('batches').set({ collect_attempts: attempts }).where('id', '=', batch.id).execute();
    // On the recheck schedule (seconds, doubling), whatever the poll interval: these clear in seconds.
    return releaseBatch(ctx, batch.id, recheckDelayMs(ctx.config, attempts, failure.retryAfterMs), { type: 'results_stream', message: failure.error.message });
  }
  await finishCollect(ctx, batch);
}

/**
 * Counts this read and, when an earlier one was started (cut, or its worker died), loads the lines it stored:
 * the stream is read from the top again, but only what is left costs parsing and database work.
 */
async function storedBefore(ctx: EngineContext, batch: Batch): Promise<StoredLines> {
  const counted = await ctx.db
    .updateTable('batches')
    .set((eb) => ({ collect_reads: eb('collect_reads', '+', 1) }))
    .where('id', '=', batch.id)
    .returning('collect_reads')
    .executeTakeFirstOrThrow();
  if (counted.collect_reads <= 1) return NOTHING_STORED;
  const stored = await loadStoredLines(ctx, batch.id, batch.request_count);
  trace.getActiveSpan()?.setAttribute('batchline.results.stored_before', stored.size);
  return stored;
}

function isStored(stored: StoredLines, tag: string, customId: string): boolean {
  const id = parseCustomId(customId);
  return id !== undefined && id.tag === tag && stored.has(id.itemId, id.attempt);
}

/** The batch.collect span (active here) ends in error when the read fails or comes back short. */
function markCollectFailed(type: string, error: { message: string }): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  recordError(span, { type, message: error.message });
  span.setAttribute('error.type', type);
}

interface ChunkOptions {
  validator: ReturnType<typeof outputValidator>;
  cancelRequested: boolean;
  /** The job uses the result cache: its schema-valid answers are stored there for later jobs. */
  cacheAnswers: boolean;
  /** Drop an item's text once it is final and nothing will send it again (succeeded, canceled): text-at-rest.ts. */
  dropText?: boolean;
  /** What this read stored, summed for the batch.collect span. */
  totals?: ParseTotals;
}

/**
 * One result.parse span per chunk (BATCHLINE_COLLECT_CHUNK lines), carrying counts by outcome and the
 * chunk's token usage: never a span per item, whatever the batch size.
 */
async function storeChunk(ctx: EngineContext, batch: Batch, lines: MessageBatchIndividualResponse[], options: ChunkOptions): Promise<void> {
  await inSpan('result.parse', { attributes: { 'batchline.batch.id': batch.id, 'batchline.results.lines': lines.length } }, async (span) => {
    const stored = await parseAndStore(ctx, batch, lines, options);
    const chunkTotals = newTotals();
    for (const row of stored) addRow(chunkTotals, row);
    span.setAttributes(totalsAttributes(chunkTotals));
    if (options.totals) for (const row of stored) addRow(options.totals, row);
    recordCollected(stored);
  });
}

async function parseAndStore(ctx: EngineContext, batch: Batch, lines: MessageBatchIndividualResponse[], options: ChunkOptions): Promise<StoredGroup[]> {
  const rows: Array<{ itemId: number; attempt: number; o: LineOutcome }> = [];
  for (const line of lines) {
    const id = parseCustomId(line.custom_id);
    if (!id || id.tag !== ctx.tag) {
      ctx.log.warn({ batch_id: batch.id, custom_id: line.custom_id }, 'result line with a foreign custom_id ignored');
      continue;
    }
    let o: LineOutcome;
    try {
      o = outcomeOf(line, options);
    } catch (error) {
      // One malformed line must not make the whole batch unreadable: it fails its own item.
      const message = `unreadable result line: ${error instanceof Error ? error.message : String(error)}`;
      o = { outcome: 'errored', next: 'failed', output: null, error: { type: 'invalid_result_line', message }, model: null, usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } };
    }
    rows.push({ itemId: id.itemId, attempt: id.attempt, o });
  }
  if (rows.length === 0) return [];

  return ctx.db.transaction().execute(async (trx) => {
    // One array per column and unnest(): a handful of parameters however large the chunk, which
    // Postgres parses and plans far faster than a VALUES list of 12 parameters per row. What was
    // new comes back summed by outcome and model (a line read twice is stored, and counted, once).
    const stored = await sql<StoredGroup>`
      WITH inserted AS (INSERT INTO results (item_id, attempt, job_id, batch_id, outcome, output, error, model,
        input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens)
      SELECT item_id, attempt, ${batch.job_id}, ${batch.id}, outcome, output, error, model, it, ot, cw, cr
      FROM unnest(${rows.map((r) => r.itemId)}::bigint[], ${rows.map((r) => r.attempt)}::int[], ${rows.map((r) => r.o.outcome)}::text[],
        ${rows.map((r) => (r.o.output === null || r.o.output === undefined ? null : JSON.stringify(r.o.output)))}::jsonb[],
        ${rows.map((r) => (r.o.error ? JSON.stringify(r.o.error) : null))}::jsonb[], ${rows.map((r) => r.o.model)}::text[],
        ${rows.map((r) => r.o.usage.input_tokens)}::int[], ${rows.map((r) => r.o.usage.output_tokens)}::int[],
        ${rows.map((r) => r.o.usage.cache_creation_input_tokens)}::int[], ${rows.map((r) => r.o.usage.cache_read_input_tokens)}::int[])
        AS t(item_id, attempt, outcome, output, error, model, it, ot, cw, cr)
      ON CONFLICT (item_id, attempt) DO NOTHING
      RETURNING outcome, model, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens)
      SELECT outcome, model, count(*)::int AS n, sum(input_tokens)::int8 AS input_tokens, sum(output_tokens)::int8 AS output_tokens,
        sum(cache_creation_input_tokens)::int8 AS cache_creation_input_tokens, sum(cache_read_input_tokens)::int8 AS cache_read_input_tokens
      FROM inserted GROUP BY outcome, model`.execute(trx);

    const byNext = new Map<NextItemState, number[]>();
    for (const { itemId, o } of rows) {
      const ids = byNext.get(o.next);
      if (ids) ids.push(itemId);
      else byNext.set(o.next, [itemId]);
    }
    const finals: number[] = [];
    for (const [next, ids] of byNext) {
      const status = next === 'retry' ? retryOrFail(ctx) : sql`${next}::text`;
      // Only items still waiting on this very batch move: a line read twice finds them moved already. One
      // whose record changed meanwhile stays for closeBatch, which sends it again in its later version.
      const moved = await sql<{ id: number; status: string }>`
        UPDATE items SET status = ${status}, updated_at = now(),
          last_error = r.error,${options.dropText && (next === 'succeeded' || next === 'canceled') ? sql` document = ${TEXT_DROP},` : sql``}
          next_run_at = ${next === 'retry' ? sql`now() + ${retryDelayMs(ctx)} * interval '1 millisecond'` : sql`NULL`}
        FROM results r
        WHERE items.id = ANY(${ids}::bigint[]) AND items.batch_id = ${batch.id} AND items.status = 'submitted'
          AND items.newer_version IS NULL AND r.item_id = items.id AND r.attempt = items.attempts
        RETURNING items.id, items.status`.execute(trx);
      for (const r of moved.rows) if (r.status === 'succeeded' || r.status === 'failed') finals.push(r.id);
    }
    await enqueueDeliveries(trx, ctx.tag, batch.job_id, finals);
    if (options.cacheAnswers) await storeAnswers(trx, batch.id, byNext.get('succeeded') ?? [], ctx.config.BATCHLINE_RESULT_CACHE_TTL_HOURS * 3_600_000);
    return stored.rows;
  });
}

/** Retries wait a moment so items from batches ending together go out in one batch. */
function retryDelayMs(ctx: EngineContext): number {
  return Math.min(ctx.config.POLL_MIN_MS, 5000);
}

async function finishCollect(ctx: EngineContext, batch: Batch): Promise<void> {
  const missing = await ctx.db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('batch_id', '=', batch.id)
    .where('status', '=', 'submitted')
    // One superseded by a later version is sent again whatever this batch answered for it.
    .where('newer_version', 'is', null)
    .executeTakeFirstOrThrow();
  const missingCount = Number(missing.n);
  // Counted apart from failed reads: only streams that ended cleanly and still missed lines say the
  // provider has no answer for them.
  if (missingCount > 0 && batch.short_reads + 1 < MAX_INCOMPLETE_READS) {
    // The stream ended cleanly but short (cut at a line boundary): read it again.
    markCollectFailed('results_incomplete', { message: `${missingCount} results missing from the stream` });
    ctx.log.warn({ batch_id: batch.id, missing: missingCount }, 'results stream ended early; will read again');
    await ctx.db.updateTable('batches').set({ short_reads: batch.short_reads + 1 }).where('id', '=', batch.id).execute();
    return releaseBatch(ctx, batch.id, Math.min(ctx.config.POLL_MAX_MS, 5000 * 4 ** batch.short_reads), { type: 'results_incomplete', message: `${missingCount} results missing from the stream` });
  }
  await closeBatch(ctx, batch, { type: 'missing_result', message: 'the provider returned no result line for this request' });
  ctx.log.info({ batch_id: batch.id, job_id: batch.job_id }, 'batch collected');
}
