// Signed events a source's system pushes (Zendesk ticket webhooks): verified with the connection's
// secret, turned into documents by the plugin, and queued into every open job reading that connection.
import type { RedactionKind } from './redact.ts';
import { sql } from 'kysely';
import { configForRole, rolesOf } from '../../connections/roles.ts';
import { AppError } from '../../errors.ts';
import type { SourceDocument, SourcePlugin } from '../../plugins/contract.ts';
import { openConfig } from '../../plugins/stored-config.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import type { EngineContext } from '../context.ts';
import { insertItemRows, itemRowBuilder, requestLimitOf } from './item-rows.ts';
import { ownChangesOf } from './own-writes.ts';
import { pokeJob } from '../transitions.ts';

export interface InboundOutcome {
  documents: number;
  /** Open jobs of this connection that received them (0: nothing is listening; the event is dropped). */
  jobs: number;
  /** New items across those jobs (a redelivered event adds none). */
  queued: number;
  /** Present when the event was a change Batchline itself made (its own write-back coming back): dropped. */
  ignored?: number;
  /** Present when this very signed delivery was taken before (a replay): nothing was done. */
  replayed?: true;
}

export interface InboundOptions {
  /**
   * Claims this delivery once its signature has verified; false means it was taken before. Called only
   * after verification, so an unsigned copy can never hold the claim of a genuine delivery.
   */
  claimOnce?: () => Promise<boolean>;
}

type Deps = Pick<EngineContext, 'db' | 'sources' | 'sinks' | 'secretKey' | 'config' | 'tag' | 'log' | 'wake'>;

export async function acceptInbound(ctx: Deps, connection: string, rawBody: Buffer, headers: Record<string, string>, options: InboundOptions = {}): Promise<InboundOutcome> {
  const row = await ctx.db.selectFrom('connections').selectAll().where('name', '=', connection).executeTakeFirst();
  const plugin = row && rolesOf({ sources: ctx.sources, sinks: ctx.sinks }, row).includes('source') ? ctx.sources.get(row.plugin) : undefined;
  if (!row || !plugin?.inbound) {
    // Answered like a bad signature: a stranger must not learn which connection names exist (issue #29).
    ctx.log.warn({ connection }, 'inbound webhook refused: no source connection of this name takes webhooks');
    throw new AppError('unauthorized', 'invalid or stale webhook signature');
  }
  // The connection's current config: a webhook secret rotated with PATCH checks the next delivery.
  const config = plugin.configSchema.parse(configForRole(plugin, openConfig(row, ctx.secretKey)));
  if (!plugin.inbound.verify(config, rawBody, headers)) {
    ctx.log.warn({ connection }, 'inbound webhook refused: bad or stale signature');
    throw new AppError('unauthorized', 'invalid or stale webhook signature');
  }
  if (options.claimOnce && !(await options.claimOnce())) {
    ctx.log.info({ connection }, 'inbound webhook: this signed delivery was taken before; ignored');
    return { documents: 0, jobs: 0, queued: 0, replayed: true };
  }
  let event: unknown;
  try {
    event = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new AppError('malformed_json', 'the webhook body is not JSON');
  }
  const all: SourceDocument[] = plugin.inbound.documents(config, event);
  const documents = await withoutOwnChanges(ctx, plugin, config, all);
  const ignored = all.length - documents.length;
  if (ignored > 0) ctx.log.info({ connection, ignored }, "inbound webhook: Batchline's own change to the record; ignored");
  if (documents.length === 0) return { documents: 0, jobs: 0, queued: 0, ...(ignored > 0 ? { ignored } : {}) };

  const jobs = await sql<{ id: string; task: ResolvedTask; result_cache: boolean; redact: RedactionKind[] | null }>`
    SELECT id, task, result_cache, redact FROM jobs
    WHERE source_open AND status IN ('ingesting', 'running') AND cancel_requested_at IS NULL AND source->>'connection' = ${connection}`.execute(ctx.db);
  if (jobs.rows.length === 0) ctx.log.warn({ connection, documents: documents.length }, 'inbound webhook: no open job reads this connection; event dropped');
  const limit = requestLimitOf(ctx.config.BATCH_MAX_BYTES);
  let queued = 0;
  for (const job of jobs.rows) {
    const rows = documents.map(itemRowBuilder(job.task, limit, { redact: job.redact }));
    await ctx.db.transaction().execute(async (trx) => {
      // Under the job row's lock (close and cancel take it too): a job closed since the lookup takes nothing.
      const still = await sql`SELECT 1 FROM jobs WHERE id = ${job.id} AND source_open AND status IN ('ingesting', 'running')
          AND cancel_requested_at IS NULL FOR UPDATE`.execute(trx);
      if (still.rows.length === 0) return;
      const written = await insertItemRows(trx, ctx.tag, job.id, rows, { resultCache: job.result_cache });
      queued += written.inserted;
      await sql`UPDATE jobs SET updated_at = now(), ingest_stats = coalesce(ingest_stats, '{}'::jsonb)
          || jsonb_build_object('read', coalesce((ingest_stats->>'read')::int, 0) + ${written.inserted}::int,
                                'rejected', coalesce((ingest_stats->>'rejected')::int, 0) + ${written.rejected}::int)
        WHERE id = ${job.id}`.execute(trx);
      await pokeJob(trx, job.id);
    });
  }
  if (queued > 0) ctx.wake();
  return { documents: documents.length, jobs: jobs.rows.length, queued, ...(ignored > 0 ? { ignored } : {}) };
}

/** The documents that are not Batchline's own writes coming back (its sink's updates of a ticket, say). */
async function withoutOwnChanges(ctx: Deps, plugin: SourcePlugin, config: unknown, documents: SourceDocument[]): Promise<SourceDocument[]> {
  const changeOf = plugin.inbound?.changeOf;
  if (!changeOf || documents.length === 0) return documents;
  const changes = documents.map((d) => changeOf(config, d));
  const own = new Set<SourceDocument>();
  const byScope = new Map<string, Array<{ doc: SourceDocument; record: string; changed_at: string }>>();
  changes.forEach((c, i) => {
    const doc = documents[i];
    if (c && doc) byScope.set(c.scope, [...(byScope.get(c.scope) ?? []), { doc, record: c.record, changed_at: c.changed_at }]);
  });
  const lookup = ownChangesOf(ctx.db);
  for (const [scope, entries] of byScope) {
    const mine = await lookup.ownOf(scope, entries);
    for (const e of entries) if (mine.has(e.record)) own.add(e.doc);
  }
  return documents.filter((d) => !own.has(d));
}
