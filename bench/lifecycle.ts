// `npm run bench:lifecycle`: what the lifecycle sweep costs the hot path. One process, one database
// (Postgres when DATABASE_URL is set, else PGlite), the simulator in-process with no processing delay.
// Each round ingests N inline documents over HTTP, plans, submits and polls them, then collects the
// results, and prints ingest docs/s and collect results/s; rounds alternate "quiet" and "sweeping", where
// a job of D items (with results and deliveries) is being deleted by the sweep, pass after pass, for the
// whole round. Prints one JSON line per round, and the rows the sweep removed during it.
// Environment: BENCH_N (default 10000), BENCH_DELETE_ITEMS (default 100000), BENCH_ROUNDS (default 4).
import { sql } from 'kysely';
import { claimBatches } from '../src/engine/claim.ts';
import { collectBatch } from '../src/engine/batches/collect.ts';
import { runLifecycleSweep } from '../src/engine/lifecycle/lifecycle-sweep.ts';
import { planBatches } from '../src/engine/batches/plan.ts';
import { submitBatch } from '../src/engine/batches/submit.ts';
import { pollBatch } from '../src/engine/batches/track.ts';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createTestDatabase } from '../test/helpers/database.ts';
import { startBenchService } from './context.ts';

const n = Number(process.env.BENCH_N ?? 10_000);
const deleteItems = Number(process.env.BENCH_DELETE_ITEMS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);

const sim = await startSimulator({ processingMs: 0 });
const database = await createTestDatabase();
const service = await startBenchService(database, sim.url);
const ctx = service.engine;

/** A finished job of `items` items, each with a result and a delivery, marked deleting: what the sweep removes. */
async function seedDeletingJob(round: number, items: number): Promise<string> {
  const id = `job_bench_delete_${round}`;
  await sql`INSERT INTO jobs (id, name, status, task, sinks, deletion, finished_at)
    VALUES (${id}, 'bench-delete', 'deleting', ${JSON.stringify({ name: 'review-insights', model: 'claude-haiku-5-5', max_tokens: 1024, prompt: '', output_schema: {} })}::jsonb,
      '[{"plugin":"file"}]'::jsonb, ${JSON.stringify({ requested_at: new Date().toISOString(), by: 'bench', status_before: 'completed' })}::jsonb, now())`.execute(ctx.db);
  await sql`INSERT INTO items (job_id, external_id, document, status, attempts)
    SELECT ${id}, 'd' || g, jsonb_build_object('id', 'd' || g, 'text', repeat('customer text ', 20), 'metadata', jsonb_build_object('rating', g % 5)), 'succeeded', 1
    FROM generate_series(1, ${items}) g`.execute(ctx.db);
  await sql`INSERT INTO results (item_id, attempt, job_id, outcome, output, model, input_tokens, output_tokens)
    SELECT id, 1, ${id}, 'succeeded', '{"sentiment":"positive","summary":"fine"}'::jsonb, 'claude-haiku-5-5', 300, 60 FROM items WHERE job_id = ${id}`.execute(ctx.db);
  await sql`INSERT INTO deliveries (job_id, item_id, attempt, sink_index, idempotency_key, status)
    SELECT ${id}, id, 1, 0, 'bench-' || id, 'delivered' FROM items WHERE job_id = ${id}`.execute(ctx.db);
  return id;
}

async function hotPath(round: number): Promise<{ ingest_docs_per_s: number; collect_results_per_s: number }> {
  const documents = Array.from({ length: n }, (_, i) => ({ id: `r${round}-${i}`, text: `Review ${i}: the product does what it says, delivery took ${i % 7} days.`, metadata: { rating: (i % 5) + 1 } }));
  let t = performance.now();
  const res = await fetch(`${service.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'review-insights', documents }) });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  const ingestMs = performance.now() - t;
  for (const b of await planBatches(ctx)) await submitBatch(ctx, b);
  for (;;) {
    for (const b of await claimBatches(ctx, ['in_progress'], 10)) await pollBatch(ctx, b);
    const open = await ctx.db.selectFrom('batches').select('id').where('status', 'in', ['submitting', 'in_progress']).execute();
    if (open.length === 0) break;
  }
  t = performance.now();
  for (;;) {
    const batches = await claimBatches(ctx, ['ended'], 10);
    if (batches.length === 0) break;
    for (const b of batches) await collectBatch(ctx, b);
  }
  const collectMs = performance.now() - t;
  return { ingest_docs_per_s: Math.round(n / (ingestMs / 1000)), collect_results_per_s: Math.round(n / (collectMs / 1000)) };
}

async function removedRows(): Promise<number> {
  const left = await sql<{ n: number }>`SELECT (SELECT count(*) FROM items WHERE job_id LIKE 'job_bench_delete_%') + (SELECT count(*) FROM results WHERE job_id LIKE 'job_bench_delete_%')
    + (SELECT count(*) FROM deliveries WHERE job_id LIKE 'job_bench_delete_%') AS n`.execute(ctx.db);
  return Number(left.rows[0]?.n ?? 0);
}

try {
  for (let round = 1; round <= rounds; round++) {
    const sweeping = round % 2 === 0;
    let stop = false;
    let passes = 0;
    let sweepMs = 0;
    let before = 0;
    let sweeper: Promise<void> = Promise.resolve();
    if (sweeping) {
      await seedDeletingJob(round, deleteItems);
      before = await removedRows();
      // Pass after pass, as fast as it goes (the worker waits BATCHLINE_SWEEP_INTERVAL_MS between passes).
      sweeper = (async () => {
        while (!stop) {
          const t = performance.now();
          const report = await runLifecycleSweep(ctx);
          if (report.ran) {
            passes += 1;
            sweepMs += performance.now() - t;
          }
        }
      })();
    }
    const figures = await hotPath(round);
    stop = true;
    await sweeper;
    const removed = sweeping ? before - (await removedRows()) : 0;
    console.log(JSON.stringify({ round, mode: sweeping ? 'sweeping' : 'quiet', database: service.database.kind, n, ...figures, ...(sweeping ? { sweep_rows_removed_meanwhile: removed, sweep_passes: passes, sweep_ms: Math.round(sweepMs), chunk: ctx.config.BATCHLINE_SWEEP_CHUNK } : {}) }));
  }
} finally {
  await service.close();
  await sim.close();
  await database.drop();
}
