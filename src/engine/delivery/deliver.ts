// Drains the delivery outbox: hands each sink its due results in batches, records what happened to each.
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.ts';
import type { DeliveredResult, DeliveryOutcome, SinkPlugin, SqlExecutor } from '../../plugins/contract.ts';
import { PluginError } from '../../plugins/registry.ts';
import { currentConfig } from '../../connections/credentials.ts';
import { openConfig, type StoredSink } from '../../plugins/stored-config.ts';
import type { EngineContext } from '../context.ts';
import { ownWritesOf } from '../intake/own-writes.ts';
import { toDeliveredResult, type ResultRow } from '../views/result-view.ts';
import { pokeJob } from '../transitions.ts';
import { SpanStatusCode } from '@opentelemetry/api';
import { countAdd } from '../../telemetry/metrics.ts';
import { scrubSecrets } from '../../secrets/scrub.ts';
import { inSpan, SpanKind } from '../../telemetry/trace.ts';


function ownDatabase(ctx: EngineContext): SqlExecutor {
  return {
    async query(text, params) {
      const result = await ctx.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, [...params]));
      return { rows: [...result.rows] };
    },
  };
}

/** A sink call must end well inside the lease, or another replica could deliver the same rows meanwhile. */
function sinkTimeoutMs(ctx: EngineContext): number {
  return Math.min(5 * 60_000, Math.floor(ctx.config.BATCHLINE_LEASE_MS * 0.8));
}


/** Calls in flight per sink plugin in this process (BATCHLINE_SINK_CONCURRENCY caps each). */
const inFlight = new Map<string, number>();

interface Group {
  job_id: string;
  sink_index: number;
  plugin: string;
}

/**
 * Delivers due groups (job × sink) side by side, at most BATCHLINE_SINK_CONCURRENCY calls per sink
 * plugin at once, so one slow receiver neither starves other sinks nor gets flooded. Groups take turns:
 * each due group gets a call before any gets a second, whatever their sizes.
 * Returns how many deliveries were handled (0 = nothing due).
 */
export async function deliverDue(ctx: EngineContext): Promise<number> {
  // The groups with open deliveries, one index probe each (a skip scan of deliveries_group_next), and
  // of those the ones with a delivery due and not leased now.
  const groups = await sql<Group>`
    WITH RECURSIVE open_groups AS (
      (SELECT job_id, sink_index FROM deliveries WHERE status IN ('pending','retry_wait') ORDER BY job_id, sink_index LIMIT 1)
      UNION ALL
      SELECT next.job_id, next.sink_index FROM open_groups g CROSS JOIN LATERAL (
        SELECT job_id, sink_index FROM deliveries
        WHERE status IN ('pending','retry_wait') AND (job_id, sink_index) > (g.job_id, g.sink_index)
        ORDER BY job_id, sink_index LIMIT 1) next)
    SELECT g.job_id, g.sink_index, j.sinks->g.sink_index->>'plugin' AS plugin
    FROM open_groups g
    JOIN jobs j ON j.id = g.job_id
    -- Nothing of a job being deleted goes out after its delete was accepted (delete-job.ts).
    WHERE j.status <> 'deleting' AND EXISTS (SELECT 1 FROM deliveries d
      WHERE d.job_id = g.job_id AND d.sink_index = g.sink_index AND d.status IN ('pending','retry_wait')
        AND d.next_run_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now()))
    ORDER BY j.created_at
    LIMIT 64`.execute(ctx.db);
  const limit = ctx.config.BATCHLINE_SINK_CONCURRENCY;
  const runs: Array<Promise<number>> = [];
  // Several calls may work on one group at once: SKIP LOCKED gives each its own rows, and the database
  // work of one overlaps the sink's work of another. Round by round, so every group has its turn first.
  for (let started = true; started; ) {
    started = false;
    for (const group of groups.rows) {
      if ((inFlight.get(group.plugin) ?? 0) >= limit) continue;
      inFlight.set(group.plugin, (inFlight.get(group.plugin) ?? 0) + 1);
      runs.push(deliverGroup(ctx, group).finally(() => inFlight.set(group.plugin, (inFlight.get(group.plugin) ?? 1) - 1)));
      started = true;
    }
  }
  return (await Promise.all(runs)).reduce((a, b) => a + b, 0);
}

async function deliverGroup(ctx: EngineContext, target: Group): Promise<number> {
  // Claim and read in one round trip: the leased rows joined with the results they carry.
  const claimed = await sql<ClaimedDelivery>`
    WITH due AS (
      SELECT id, handed_over FROM deliveries
      WHERE job_id = ${target.job_id} AND sink_index = ${target.sink_index} AND status IN ('pending','retry_wait')
        -- KEY SHARE: a delete (which takes the job row FOR UPDATE) waits for this claim to commit, then
        -- sees its leases; a claim that comes after the delete finds the job deleting and takes nothing.
        AND EXISTS (SELECT 1 FROM jobs WHERE id = ${target.job_id} AND status <> 'deleting' FOR KEY SHARE)
        AND next_run_at <= now() AND (lease_until IS NULL OR lease_until < now())
      ORDER BY next_run_at, id LIMIT ${ctx.config.BATCHLINE_DELIVERY_BATCH} FOR UPDATE SKIP LOCKED),
    claimed AS (
      -- Marked handed over before the sink sees it: a crash during the call leaves the mark (migrations/0016).
      UPDATE deliveries d SET lease_owner = ${ctx.owner}, lease_until = now() + ${ctx.config.BATCHLINE_LEASE_MS} * interval '1 millisecond', handed_over = true
      FROM due WHERE d.id = due.id
      RETURNING d.id, d.item_id, d.attempt, d.idempotency_key, d.attempts AS delivery_attempts, due.handed_over AS handed_over_before)
    SELECT c.id AS delivery_id, c.idempotency_key, c.delivery_attempts, c.handed_over_before, i.id AS item_id, i.job_id, i.external_id, c.attempt AS attempts,
      -- The state of the result this delivery carries, not the item's state now (a manual retry moves it on).
      CASE WHEN r.outcome = 'succeeded' THEN 'succeeded' ELSE 'failed' END AS status,
      CASE WHEN c.attempt = i.attempts THEN i.last_error ELSE r.error END AS last_error,
      i.document->'metadata' AS metadata, r.output, r.error, r.input_tokens, r.output_tokens,
      r.cache_creation_input_tokens, r.cache_read_input_tokens, r.outcome
    FROM claimed c
    JOIN items i ON i.id = c.item_id
    LEFT JOIN results r ON r.item_id = c.item_id AND r.attempt = c.attempt
    ORDER BY c.id`.execute(ctx.db);
  const deliveries = claimed.rows;
  if (deliveries.length === 0) return 0;

  const job = await ctx.db.selectFrom('jobs').select(['sinks', 'trace_context']).where('id', '=', target.job_id).executeTakeFirstOrThrow();
  const attributes = { 'batchline.job.id': target.job_id, 'batchline.sink.plugin': target.plugin, 'batchline.sink.index': target.sink_index, 'batchline.deliveries': deliveries.length };
  return inSpan('sink.deliver', { parent: job.trace_context, kind: SpanKind.PRODUCER, attributes }, async (span) => {
    const outcomes = await callSink(ctx, target, job.sinks as StoredSink[], deliveries);
    // Counted from the rows this call actually moved: a write that lost its lease to another replica
    // changes nothing here, and so counts nothing.
    const tally = await recordOutcomes(ctx, deliveries, outcomes);
    span.setAttributes({ 'batchline.deliveries.delivered': tally.delivered, 'batchline.deliveries.retry': tally.retry, 'batchline.deliveries.dead': tally.dead });
    const firstError = outcomes.find((o): o is Extract<DeliveryOutcome, { ok: false }> => !o.ok)?.error;
    if (firstError !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: scrubSecrets(firstError.slice(0, 500)) });
    for (const [outcome, n] of Object.entries(tally)) countAdd('deliveries', n, { sink: target.plugin, outcome });
    await pokeJob(ctx.db, target.job_id);
    return deliveries.length;
  });
}

async function callSink(ctx: EngineContext, target: Group, sinks: StoredSink[], deliveries: ClaimedDelivery[]): Promise<DeliveryOutcome[]> {
  const sinkRef = sinks[target.sink_index];
  const sink = sinkRef ? ctx.sinks.get(sinkRef.plugin) : undefined;

  let outcomes: DeliveryOutcome[];
  if (!sinkRef || !sink) {
    outcomes = deliveries.map(() => ({ ok: false, retryable: false, error: `sink plugin ${sinkRef?.plugin ?? '?'} is not available` }));
  } else {
    const results = loadResults(deliveries);
    const log = ctx.log.child({ sink: sink.name });
    try {
      // The job's copy, with the credentials its connection holds now (rotated since the job was made).
      const config = await sinkConfig(ctx, sink, sinkRef, log);
      outcomes = await sink.deliver(config, results, {
        jobId: target.job_id,
        log,
        database: ownDatabase(ctx),
        fileRoots: ctx.config.BATCHLINE_FILE_ROOTS,
        signal: AbortSignal.timeout(sinkTimeoutMs(ctx)),
        handedOverBefore: new Set(deliveries.filter((d) => d.handed_over_before).map((d) => d.idempotency_key)),
        ownWrites: ownWritesOf(ctx.db),
      });
      if (outcomes.length !== results.length) throw new Error(`returned ${outcomes.length} outcomes for ${results.length} results`);
    } catch (error) {
      const wrapped = new PluginError(sink.name, 'deliver', error);
      ctx.log.warn({ job_id: target.job_id, err: wrapped.message }, 'sink failed');
      outcomes = deliveries.map(() => ({ ok: false, retryable: true, error: wrapped.message }));
    }
    ctx.crashPoint('after_delivery_write');
  }
  return outcomes;
}

/** The job's copy of a sink's config, with the credentials its connection holds now (rotated since the job was made). */
async function sinkConfig(ctx: EngineContext, sink: SinkPlugin, stored: StoredSink, log: EngineContext['log']): Promise<unknown> {
  const current = await currentConfig({ db: ctx.db, plugins: { sources: ctx.sources, sinks: ctx.sinks }, secretKey: ctx.secretKey, log }, stored, 'sink');
  if (!stored.connection || sink.configSchema.safeParse(current).success) return current;
  // The connection now signs in another way than this job's config can take: the job's own copy delivers.
  log.warn({ connection: stored.connection }, "the connection's current credentials do not fit this job's sink config; delivering with the job's own copy");
  return openConfig(stored, ctx.secretKey);
}

/** A failed delivery is given up when the sink refused it for good or it has used its last attempt. */
function isDead(ctx: EngineContext, d: ClaimedDelivery, outcome: Extract<DeliveryOutcome, { ok: false }>): boolean {
  return !outcome.retryable || d.delivery_attempts + 1 >= ctx.config.BATCHLINE_DELIVERY_MAX_ATTEMPTS;
}

interface ClaimedDelivery extends ResultRow {
  delivery_id: number;
  delivery_attempts: number;
  idempotency_key: string;
  /** Given to this sink in an earlier call (a retry, a replay, a call cut off by a crash or a lost lease). */
  handed_over_before: boolean;
}

function loadResults(deliveries: ClaimedDelivery[]): DeliveredResult[] {
  return deliveries.map((d) => ({ ...toDeliveredResult(d), idempotency_key: d.idempotency_key }));
}

interface OutcomeTally {
  delivered: number;
  retry: number;
  dead: number;
}

/** Writes each delivery's outcome (only rows this worker still leases) and says how many moved where. */
async function recordOutcomes(ctx: EngineContext, deliveries: ClaimedDelivery[], outcomes: DeliveryOutcome[]): Promise<OutcomeTally> {
  const delivered: number[] = [];
  const failed: Array<{ d: ClaimedDelivery; outcome: Extract<DeliveryOutcome, { ok: false }> }> = [];
  deliveries.forEach((d, i) => {
    const outcome = outcomes[i] ?? { ok: false, retryable: true, error: 'no outcome' };
    if (outcome.ok) delivered.push(d.delivery_id);
    else failed.push({ d, outcome });
  });
  const markDelivered = async (db: Kysely<DB>): Promise<number> => {
    if (delivered.length === 0) return 0;
    const moved = await sql`UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = now(), next_run_at = NULL,
        lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = now()
      WHERE id = ANY(${delivered}::bigint[]) AND lease_owner = ${ctx.owner}`.execute(db);
    return Number(moved.numAffectedRows ?? 0);
  };
  // The common case, everything delivered, is one statement.
  if (failed.length === 0) return { delivered: await markDelivered(ctx.db), retry: 0, dead: 0 };
  const rows = failed.map(({ d, outcome }) => {
    const attempts = d.delivery_attempts + 1;
    const dead = isDead(ctx, d, outcome);
    // Exponential backoff with full jitter, at least what the receiver asked for.
    const backoff = Math.max(outcome.retryAfterMs ?? 0, Math.random() * Math.min(600_000, 1000 * 2 ** attempts));
    return {
      id: d.delivery_id,
      status: dead ? 'dead' : 'retry_wait',
      attempts,
      error: JSON.stringify({ type: dead ? 'dead' : 'retry', message: outcome.error.slice(0, 2000) }),
      delayMs: dead ? null : Math.round(backoff),
    };
  });
  return ctx.db.transaction().execute(async (trx) => {
    // One statement for all failures, each row with its own state, attempts, error and next try.
    const moved = await sql<{ status: string }>`
      UPDATE deliveries d SET status = f.status, attempts = f.attempts, last_error = f.error,
        next_run_at = CASE WHEN f.delay_ms IS NULL THEN NULL ELSE now() + f.delay_ms * interval '1 millisecond' END,
        lease_owner = NULL, lease_until = NULL, updated_at = now()
      FROM unnest(${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.attempts)}::int[],
        ${rows.map((r) => r.error)}::jsonb[], ${rows.map((r) => r.delayMs)}::int[]) AS f(id, status, attempts, error, delay_ms)
      WHERE d.id = f.id AND d.lease_owner = ${ctx.owner}
      RETURNING d.status`.execute(trx);
    return {
      delivered: await markDelivered(trx),
      retry: moved.rows.filter((r) => r.status === 'retry_wait').length,
      dead: moved.rows.filter((r) => r.status === 'dead').length,
    };
  });
}
