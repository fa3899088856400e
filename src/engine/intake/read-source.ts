// Reads a job's source into items, in the worker, under the job's lease. Documents are written in
// chunks; a plugin's checkpoint stores its cursor in the same transaction as the documents before it,
// so a crashed read resumes where it was and a re-read document is skipped (unique per job).
// When the read ends, the job runs; the connection's cursor moves on so the next job starts there.
import type { RedactionKind } from './redact.ts';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { IngestStats, Job } from '../../db/types.ts';
import { credentialsReader, currentConfig, type CredentialDeps } from '../../connections/credentials.ts';
import { SourceFatalError, type SourceContext, type SourcePlugin } from '../../plugins/contract.ts';
import { openConfig } from '../../plugins/stored-config.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import type { EngineContext } from '../context.ts';
import { insertItemRows, itemRowBuilder, requestLimitOf, type ItemRow } from './item-rows.ts';
import { ownChangesOf } from './own-writes.ts';
import type { StoredSource } from './source-ref.ts';
import { inSpan, recordError, type Span } from '../../telemetry/trace.ts';

/** Documents per transaction: large enough that the insert cost is per chunk, small enough to keep memory flat. */
export const READ_CHUNK = 5000;
/** …and at most this many bytes of documents, however long each one is. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
/** Consecutive failed reads before a job that has not started running fails for good. */
const MAX_READ_FAILURES = 8;

class ReadStopped extends Error {
  override name = 'ReadStopped';
}

export async function readSource(ctx: EngineContext, job: Job, signal: AbortSignal): Promise<void> {
  const stored = job.source as StoredSource;
  const attributes = { 'batchline.job.id': job.id, 'batchline.source.plugin': stored.plugin, 'batchline.source.rescan': job.status !== 'ingesting' };
  await inSpan('job.ingest', { parent: job.trace_context, attributes }, (span) => read(ctx, job, signal, span));
}

async function read(ctx: EngineContext, job: Job, signal: AbortSignal, span: Span): Promise<void> {
  const stored = job.source as StoredSource;
  const log = ctx.log.child({ job_id: job.id, source: stored.plugin, connection: stored.connection ?? undefined });
  const plugin = ctx.sources.get(stored.plugin);
  if (!plugin) {
    // Another replica may have it (a deploy in progress): hand the job back rather than fail it.
    log.error({ plugin: stored.plugin }, 'source plugin not loaded here (is its package in BATCHLINE_PLUGINS?); will look again');
    await sql`UPDATE jobs SET lease_owner = NULL, lease_until = NULL, ingest_due_at = now() + interval '1 minute',
        ingest_stats = coalesce(ingest_stats, '{}'::jsonb) || jsonb_build_object('last_error', ${`source plugin "${stored.plugin}" is not loaded`}::text)
      WHERE id = ${job.id} AND lease_owner = ${ctx.owner}`.execute(ctx.db);
    return;
  }
  const stats: IngestStats = { read: 0, rejected: 0, failures: 0, ...job.ingest_stats };
  try {
    const config = await sourceConfig(ctx, stored, plugin, log);
    const keys = cursorKeys(plugin, stored, config);
    const cursor = await startingCursor(ctx, job, stored, keys);
    const endCursor = await readAll(ctx, job, plugin, config, cursor, stats, signal, log);
    await finishRead(ctx, job, stored, plugin.follow?.(config), endCursor, stats, keys.key);
    span.setAttributes({ 'batchline.source.read': stats.read, 'batchline.source.rejected': stats.rejected });
    log.info({ read: stats.read, rejected: stats.rejected }, job.status === 'ingesting' ? 'source read' : 'source rescanned');
  } catch (error) {
    if (error instanceof ReadStopped || signal.aborted) {
      log.info({ reason: error instanceof Error ? error.message : String(error) }, 'source read stopped; it resumes from its last checkpoint');
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    recordError(span, error);
    if (error instanceof SourceFatalError) return failRead(ctx, job, message, log);
    stats.failures += 1;
    stats.last_error = message;
    if (job.status === 'ingesting' && stats.failures >= MAX_READ_FAILURES) {
      return failRead(ctx, job, `reading the source failed ${stats.failures} times in a row; last: ${message}`, log);
    }
    const delayMs = Math.min(300_000, 1000 * 2 ** (stats.failures - 1));
    log.warn({ err: error, failures: stats.failures, retry_in_ms: delayMs }, 'source read failed; will try again');
    await sql`UPDATE jobs SET lease_owner = NULL, lease_until = NULL, ingest_stats = ${JSON.stringify(stats)}::jsonb,
        ingest_due_at = now() + ${delayMs} * interval '1 millisecond', updated_at = now()
      WHERE id = ${job.id} AND lease_owner = ${ctx.owner}`.execute(ctx.db);
  }
}

function credentialDeps(ctx: EngineContext, log: EngineContext['log']): CredentialDeps {
  return { db: ctx.db, plugins: { sources: ctx.sources, sinks: ctx.sinks }, secretKey: ctx.secretKey, log };
}

/** The job's config with its connection's current credentials (a token rotated since the job was made). */
async function sourceConfig(ctx: EngineContext, stored: StoredSource, plugin: SourcePlugin, log: EngineContext['log']): Promise<unknown> {
  const current = plugin.configSchema.safeParse(await currentConfig(credentialDeps(ctx, log), stored, 'source'));
  if (current.success) return current.data;
  // The connection's credentials no longer fit the job's copy (another way of signing in): the copy reads.
  log.warn({ connection: stored.connection }, "the connection's current credentials do not fit this job's config; reading with the job's own copy");
  return plugin.configSchema.parse(openConfig(stored, ctx.secretKey));
}

/** This job's own checkpoint after a crash; on a first read, where the last job on the connection ended. */
async function startingCursor(ctx: EngineContext, job: Job, stored: StoredSource, keys: CursorKeys): Promise<unknown> {
  if (job.ingest_cursor !== null) return job.ingest_cursor;
  if (!stored.connection || job.status !== 'ingesting') return undefined;
  const row = await ctx.db.selectFrom('connections').select('cursor').where('name', '=', stored.connection).executeTakeFirst();
  const cursors = row?.cursor as Record<string, unknown> | null | undefined;
  // Cursors saved before the plugin declared its cursorScope are under the key of the whole config.
  return cursors?.[keys.key] ?? cursors?.[keys.legacy] ?? undefined;
}

interface CursorKeys {
  key: string;
  /** The key of the whole non-secret config: how cursors were keyed before cursorScope. */
  legacy: string;
}

/**
 * A connection keeps one cursor per stream: a job that overrides what is read (another search query,
 * say) reads a different stream, and must neither start from nor move the default one. What a stream
 * is, the plugin says (cursorScope: zendesk's account, query and start time), so a timeout or a rotated
 * token keeps the connection's place.
 */
export function cursorKeys(plugin: SourcePlugin, stored: StoredSource, config: unknown): CursorKeys {
  const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
  const legacy = hash(stored.config);
  return { key: plugin.cursorScope ? hash({ scope: plugin.cursorScope(config) }) : legacy, legacy };
}

async function readAll(ctx: EngineContext, job: Job, plugin: SourcePlugin, config: unknown, cursor: unknown, stats: IngestStats, signal: AbortSignal, log: EngineContext['log']): Promise<unknown> {
  const rowOf = itemRowBuilder(job.task as ResolvedTask, requestLimitOf(ctx.config.BATCH_MAX_BYTES), { redact: job.redact as RedactionKind[] | null });
  let buffer: ItemRow[] = [];
  let bufferBytes = 0;
  let lastCursor = cursor;
  // One chunk is written while the next is read and measured: Postgres and this process work at once.
  let writing: Promise<void> = Promise.resolve();

  const write = async (rows: ItemRow[], checkpoint?: { cursor: unknown }) => {
    await ctx.db.transaction().execute(async (trx) => {
      const written = await insertItemRows(trx, ctx.tag, job.id, rows, { resultCache: job.result_cache });
      stats.read += written.inserted;
      stats.rejected += written.rejected;
      // The lease check doubles as the guard against a replica that took the job over, and a cancel.
      const held = await sql`UPDATE jobs SET ingest_stats = ${JSON.stringify(stats)}::jsonb, updated_at = now()
          ${checkpoint ? sql`, ingest_cursor = ${JSON.stringify(checkpoint.cursor ?? null)}::jsonb` : sql``}
        WHERE id = ${job.id} AND lease_owner = ${ctx.owner} AND cancel_requested_at IS NULL
          AND (status = 'ingesting' OR (status = 'running' AND source_open))`.execute(trx);
      if (Number(held.numAffectedRows ?? 0) === 0) throw new ReadStopped('lease lost, or the job was canceled or closed');
    });
    if (checkpoint) lastCursor = checkpoint.cursor;
    ctx.crashPoint('after_source_chunk');
    // A job already running (a watched folder) plans the new items at once.
    if (job.status === 'running' && rows.length > 0) ctx.wake();
  };
  /** Starts writing the buffered rows once the previous chunk is stored; a checkpoint waits for its own write. */
  const flush = async (checkpoint?: { cursor: unknown }) => {
    const rows = buffer;
    buffer = [];
    bufferBytes = 0;
    await writing;
    writing = write(rows, checkpoint);
    // Marked handled: if the read fails first, this write's own failure must not crash the process;
    // it is still thrown to whoever awaits `writing`.
    writing.catch(() => {});
    if (checkpoint) await writing;
  };

  const stored = job.source as StoredSource;
  const currentCredentials = credentialsReader(credentialDeps(ctx, log), stored, 'source');
  const sourceCtx: SourceContext = {
    log,
    fileRoots: ctx.config.BATCHLINE_FILE_ROOTS,
    signal,
    cursor,
    connection: stored.connection ?? undefined,
    checkpoint: (next) => flush({ cursor: next }),
    ...(currentCredentials ? { currentCredentials } : {}),
    ownChanges: ownChangesOf(ctx.db),
  };
  try {
    for await (const document of plugin.read(config, sourceCtx)) {
      if (signal.aborted) throw new ReadStopped('stopping');
      const row = rowOf(document);
      buffer.push(row);
      bufferBytes += row.document.length;
      if (buffer.length >= READ_CHUNK || bufferBytes >= READ_CHUNK_BYTES) await flush();
    }
    // A plugin may end its iteration quietly when aborted: that is a stop, never the end of the source.
    if (signal.aborted) throw new ReadStopped('stopping');
    await flush();
    await writing;
  } finally {
    // Whatever happens next (a retry, a failed job) must not race a chunk still being written.
    await writing.catch(() => {});
  }
  return lastCursor;
}

async function finishRead(ctx: EngineContext, job: Job, stored: StoredSource, follow: { rescanMs?: number } | undefined, endCursor: unknown, stats: IngestStats, cursorKey: string): Promise<void> {
  stats.failures = 0;
  delete stats.last_error;
  const rescanMs = follow?.rescanMs ?? null;
  await ctx.db.transaction().execute(async (trx) => {
    const firstRead = job.status === 'ingesting';
    const done = await sql`UPDATE jobs SET status = 'running', lease_owner = NULL, lease_until = NULL,
        ingest_stats = ${JSON.stringify(stats)}::jsonb, next_run_at = now(), updated_at = now(),
        source_open = ${firstRead ? sql`${follow !== undefined}` : sql`source_open`},
        ingest_due_at = CASE WHEN ${rescanMs !== null} AND ${firstRead ? sql`${follow !== undefined}` : sql`source_open`}
          THEN now() + ${rescanMs ?? 0} * interval '1 millisecond' ELSE NULL END
      WHERE id = ${job.id} AND lease_owner = ${ctx.owner} AND cancel_requested_at IS NULL
        AND (status = 'ingesting' OR (status = 'running' AND source_open))`.execute(trx);
    if (Number(done.numAffectedRows ?? 0) === 0) throw new ReadStopped('lease lost, or the job was canceled or closed');
    // The next job on this connection starts where this one ended (e.g. Zendesk's after_cursor).
    if (firstRead && stored.connection && endCursor !== undefined) {
      await sql`UPDATE connections SET updated_at = now(),
          cursor = coalesce(cursor, '{}'::jsonb) || jsonb_build_object(${cursorKey}::text, ${JSON.stringify(endCursor ?? null)}::jsonb)
        WHERE name = ${stored.connection}`.execute(trx);
    }
  });
  ctx.wake();
}

/** A read that cannot succeed: a job still ingesting fails with the reason; an open job keeps running. */
async function failRead(ctx: EngineContext, job: Job, message: string, log: EngineContext['log']): Promise<void> {
  log.error({ reason: message }, 'source read failed for good');
  const error = JSON.stringify({ type: 'source_failed', message });
  await ctx.db.transaction().execute(async (trx) => {
    // Only the lease holder of a job still reading decides; a cancel or a takeover meanwhile wins.
    const reading = sql`id = ${job.id} AND lease_owner = ${ctx.owner} AND status = 'ingesting' AND cancel_requested_at IS NULL`;
    // Batches of what was read may have gone out already (they are cut while a source is read): such a
    // job runs on with what it has, and ends completed_with_errors with the reason. One without fails.
    const sent = await trx.selectFrom('batches').select('id').where('job_id', '=', job.id).limit(1).executeTakeFirst();
    if (sent === undefined) {
      const failed = await sql`UPDATE jobs SET status = 'failed', error = ${error}::jsonb, finished_at = now(), source_open = false,
          ingest_due_at = NULL, lease_owner = NULL, lease_until = NULL, next_run_at = NULL, updated_at = now() WHERE ${reading}`.execute(trx);
      if (Number(failed.numAffectedRows ?? 0) > 0) {
        await trx.updateTable('items').set({ status: 'canceled', updated_at: new Date() }).where('job_id', '=', job.id).where('status', '=', 'queued').execute();
        return;
      }
    } else {
      const partial = await sql`UPDATE jobs SET status = 'running', error = ${error}::jsonb, source_open = false, ingest_due_at = NULL,
          lease_owner = NULL, lease_until = NULL, next_run_at = now(), updated_at = now() WHERE ${reading}`.execute(trx);
      if (Number(partial.numAffectedRows ?? 0) > 0) return;
    }
    // An open job keeps what it has and stops taking documents from this source, so it can finish.
    await sql`UPDATE jobs SET lease_owner = NULL, lease_until = NULL, ingest_due_at = NULL, source_open = false,
        next_run_at = now(), updated_at = now(),
        ingest_stats = coalesce(ingest_stats, '{}'::jsonb) || jsonb_build_object('last_error', ${message}::text)
      WHERE id = ${job.id} AND lease_owner = ${ctx.owner} AND status = 'running'`.execute(trx);
  });
}
