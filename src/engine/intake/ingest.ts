// Creates a job: validates task, source and sinks, and writes the job (with its inline documents, in one
// transaction, so it exists whole or not at all). Idempotency-Key replays return the same job.
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB, Job, PilotConfig } from '../../db/types.ts';
import type { StoredSink } from '../../plugins/stored-config.ts';
import { AppError, invalidField } from '../../errors.ts';
import { resolveTask, type CustomTaskInput } from '../../tasks/registry.ts';
import type { EngineContext } from '../context.ts';
import type { StoredDocument } from '../documents/document.ts';
import { newJobId } from '../ids.ts';
import { insertItemRows, itemRowBuilder, requestLimitOf } from './item-rows.ts';
import { resolveSinkRefs, resolveSourceRef, type PluginRef, type StoredSource } from './source-ref.ts';
import { inSpan, traceparentOf } from '../../telemetry/trace.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import type { RedactionKind } from './redact.ts';

export interface CreateJobInput {
  name?: string | undefined;
  task: string | CustomTaskInput;
  model?: string | undefined;
  max_tokens?: number | undefined;
  /** Inline documents (an experiment's arms also pass file references its source read). */
  documents?: StoredDocument[] | undefined;
  source?: PluginRef | undefined;
  sinks?: PluginRef[] | undefined;
  /** Spend ceiling in USD (batch price); default BATCHLINE_DEFAULT_MAX_USD. */
  max_usd?: number | undefined;
  pilot?: PilotConfig | undefined;
  /** The result cache for this job; default BATCHLINE_RESULT_CACHE. */
  cache?: 'on' | 'off' | undefined;
  /** Days after the job finished that its text is kept; default BATCHLINE_RETENTION_DAYS. */
  retention_days?: number | undefined;
  /** Patterns masked in document text before any request is built (engine/intake/redact.ts). */
  redact?: RedactionKind[] | undefined;
}

export interface CreateJobOptions {
  /** Write the job inside this transaction: an experiment writes its arms' jobs with itself, all or nothing. */
  trx?: Transaction<DB> | undefined;
  /** Keep every item's text until retention (an experiment's arms: the comparison shows it). */
  keepText?: boolean | undefined;
}

export interface CreatedJob {
  job: Job;
  /** False when an Idempotency-Key replay returned a job created earlier. */
  created: boolean;
}

const INSERT_CHUNK = 1000;

type Deps = Pick<EngineContext, 'db' | 'config' | 'sinks' | 'sources' | 'wake' | 'tag' | 'secretKey' | 'log'>;

/**
 * A job with inline documents is written whole in one transaction. A job with a source is written
 * with no items, as `ingesting`: the worker reads the source (read-source.ts), resumably.
 */
export async function createJob(ctx: Deps, input: CreateJobInput, idempotencyKey?: string, options: CreateJobOptions = {}): Promise<CreatedJob> {
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  if (idempotencyKey) {
    const replay = await findByKey(ctx, idempotencyKey, requestHash);
    if (replay) return { job: replay, created: false };
  }

  const { task, source, resolved, documents, sinks } = await prepareJob(ctx, input);
  const limit = requestLimitOf(ctx.config.BATCH_MAX_BYTES);
  const id = newJobId();
  // The job's own trace starts here, linked to the HTTP request's span: a caller's traceparent must
  // neither merge jobs into one trace nor unsample hours of work. Its traceparent is stored so every
  // later step, in any process, joins it.
  const job = await inSpan('job.create', { root: true, attributes: { 'batchline.job.id': id, 'gen_ai.request.model': task.model, 'batchline.task': task.name, ...(source ? { 'batchline.source.plugin': source.plugin } : {}) } }, (span) =>
    writeJob(ctx, { id, input, task, source, follows: resolved?.follows ?? false, sinks, documents, limit, idempotencyKey, requestHash, traceContext: traceparentOf(span), trx: options.trx, keepText: options.keepText ?? false }),
  );
  if (!job) {
    const replay = await findByKey(ctx, idempotencyKey ?? '', requestHash);
    if (!replay) throw new AppError('conflict', 'a job with this Idempotency-Key is being created; retry');
    return { job: replay, created: false };
  }
  ctx.wake();
  return { job, created: true };
}

export interface PreparedJob {
  task: ResolvedTask;
  source: StoredSource | null;
  resolved: { stored: StoredSource; follows: boolean } | null;
  documents: StoredDocument[];
  sinks: StoredSink[];
}

/** Everything a job request names, checked and resolved; what a job and a dry run both start from. */
export async function prepareJob(ctx: Omit<Deps, 'wake'>, input: CreateJobInput): Promise<PreparedJob> {
  const task = resolveTask(input.task, { model: input.model, max_tokens: input.max_tokens });
  if (input.source !== undefined && input.documents !== undefined) throw invalidField('source', 'give either "documents" or "source", not both');
  const resolved = input.source !== undefined ? await resolveSourceRef(ctx, input.source) : null;
  const source = resolved?.stored ?? null;
  const documents = input.documents ?? [];
  if (!source && documents.length === 0) throw invalidField('documents', 'must contain at least one document');
  const seen = new Map<string, number>();
  documents.forEach((doc, i) => {
    const first = seen.get(doc.id);
    if (first !== undefined) throw invalidField(`documents.${i}.id`, `duplicate id "${doc.id}" (also documents.${first}.id)`);
    seen.set(doc.id, i);
  });
  const sinks = await resolveSinkRefs(ctx, input.sinks ?? [], task);
  return { task, source, resolved, documents, sinks };
}

interface JobRows {
  id: string;
  input: CreateJobInput;
  task: ResolvedTask;
  source: StoredSource | null;
  follows: boolean;
  sinks: StoredSink[];
  documents: StoredDocument[];
  limit: number;
  idempotencyKey: string | undefined;
  requestHash: string;
  traceContext: string | null;
  trx: Transaction<DB> | undefined;
  keepText: boolean;
}

/** The job row, and its items when they came inline, in one transaction; undefined when a concurrent request with the same key won. */
async function writeJob(ctx: Deps, rows: JobRows): Promise<Job | undefined> {
  const { id, input, task, source, sinks, documents, limit, idempotencyKey, requestHash } = rows;
  const inTransaction = <T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> => (rows.trx ? work(rows.trx) : ctx.db.transaction().execute(work));
  return inTransaction(async (trx) => {
    const inserted = await trx
      .insertInto('jobs')
      .values({
        id,
        name: input.name ?? null,
        status: 'ingesting',
        task: JSON.stringify(task),
        source: source ? JSON.stringify(source) : null,
        sinks: JSON.stringify(sinks),
        idempotency_key: idempotencyKey ?? null,
        request_hash: requestHash,
        ingest_due_at: source ? new Date() : null,
        // Open from the start, so webhooks arriving before the first read ends are kept.
        source_open: rows.follows,
        trace_context: rows.traceContext,
        max_usd: input.max_usd ?? ctx.config.BATCHLINE_DEFAULT_MAX_USD ?? null,
        pilot: input.pilot ? JSON.stringify(input.pilot) : null,
        pilot_state: input.pilot ? 'pending' : null,
        result_cache: (input.cache ?? ctx.config.BATCHLINE_RESULT_CACHE) === 'on',
        retention_days: input.retention_days ?? null,
        redact: input.redact && input.redact.length > 0 ? JSON.stringify([...new Set(input.redact)]) : null,
        keep_text: rows.keepText || ctx.config.BATCHLINE_TEXT_AT_REST === 'until_retention',
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) return undefined; // a concurrent request with the same key won
    if (source) return inserted;

    await inSpan('job.ingest', { attributes: { 'batchline.job.id': id, 'batchline.documents': documents.length } }, async () => {
      const rowOf = itemRowBuilder(task, limit, { redact: input.redact });
      for (let start = 0; start < documents.length; start += INSERT_CHUNK) {
        await insertItemRows(trx, ctx.tag, id, documents.slice(start, start + INSERT_CHUNK).map(rowOf), { resultCache: inserted.result_cache });
      }
    });
    return trx.updateTable('jobs').set({ status: 'running', next_run_at: new Date(), updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  });
}

async function findByKey(ctx: Pick<EngineContext, 'db'>, key: string, requestHash: string): Promise<Job | undefined> {
  const existing = await ctx.db.selectFrom('jobs').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
  if (!existing) return undefined;
  if (existing.request_hash !== requestHash) {
    throw new AppError('conflict', 'this Idempotency-Key was already used with a different request body');
  }
  return existing;
}
