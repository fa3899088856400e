// Signed events a source's system pushes (Zendesk ticket webhooks): verified with the connection's
// secret, turned into documents by the plugin, and queued into every open job reading that connection.
import { sql } from 'kysely';
import { AppError } from '../errors.ts';
import type { SourceDocument } from '../plugins/contract.ts';
import { openConfig } from '../plugins/stored-config.ts';
import type { ResolvedTask } from '../tasks/types.ts';
import type { EngineContext } from './context.ts';
import { insertItemRows, itemRowBuilder, requestLimitOf } from './item-rows.ts';
import { pokeJob } from './transitions.ts';

export interface InboundOutcome {
  documents: number;
  /** Open jobs of this connection that received them (0: nothing is listening; the event is dropped). */
  jobs: number;
  /** New items across those jobs (a redelivered event adds none). */
  queued: number;
}

type Deps = Pick<EngineContext, 'db' | 'sources' | 'secretKey' | 'config' | 'tag' | 'log' | 'wake'>;

export async function acceptInbound(ctx: Deps, connection: string, rawBody: Buffer, headers: Record<string, string>): Promise<InboundOutcome> {
  const row = await ctx.db.selectFrom('connections').selectAll().where('name', '=', connection).executeTakeFirst();
  const plugin = row?.kind === 'source' ? ctx.sources.get(row.plugin) : undefined;
  if (!row || !plugin?.inbound) throw new AppError('not_found', `connection "${connection}" does not exist or takes no webhooks`);
  const config = plugin.configSchema.parse(openConfig(row, ctx.secretKey));
  if (!plugin.inbound.verify(config, rawBody, headers)) {
    ctx.log.warn({ connection }, 'inbound webhook refused: bad or stale signature');
    throw new AppError('unauthorized', 'invalid or stale webhook signature');
  }
  let event: unknown;
  try {
    event = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new AppError('malformed_json', 'the webhook body is not JSON');
  }
  const documents: SourceDocument[] = plugin.inbound.documents(config, event);
  if (documents.length === 0) return { documents: 0, jobs: 0, queued: 0 };

  const jobs = await sql<{ id: string; task: ResolvedTask; result_cache: boolean }>`
    SELECT id, task, result_cache FROM jobs
    WHERE source_open AND status IN ('ingesting', 'running') AND cancel_requested_at IS NULL AND source->>'connection' = ${connection}`.execute(ctx.db);
  if (jobs.rows.length === 0) ctx.log.warn({ connection, documents: documents.length }, 'inbound webhook: no open job reads this connection; event dropped');
  const limit = requestLimitOf(ctx.config.BATCH_MAX_BYTES);
  let queued = 0;
  for (const job of jobs.rows) {
    const rows = documents.map(itemRowBuilder(job.task, limit));
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
  return { documents: documents.length, jobs: jobs.rows.length, queued };
}
