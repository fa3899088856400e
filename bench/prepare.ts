// Benchmark phase 1 (own process): ingest N inline documents over HTTP, plan and submit them, and wait
// until the simulator has ended every batch. Prints timings; leaves the database for bench/collect.ts.
// Usage: tsx bench/prepare.ts <N> <simulatorUrl> <databaseUrl|-> <dataDir>
import { claimBatches } from '../src/engine/claim.ts';
import { planBatches } from '../src/engine/batches/plan.ts';
import { submitBatch } from '../src/engine/batches/submit.ts';
import { pollBatch } from '../src/engine/batches/track.ts';
import { mb, startBenchService } from './context.ts';

const [nArg, simulatorUrl, urlArg, dataDir] = process.argv.slice(2);
if (!nArg || !simulatorUrl || !urlArg || !dataDir) throw new Error('usage: tsx bench/prepare.ts <N> <simulatorUrl> <databaseUrl|-> <dataDir>');
const n = Number(nArg);
const service = await startBenchService({ url: urlArg === '-' ? undefined : urlArg, dataDir }, simulatorUrl);
const ctx = service.engine;

const documents = Array.from({ length: n }, (_, i) => ({ id: `doc-${i}`, text: `Review ${i}: the product does what it says, delivery took ${i % 7} days.`, metadata: { rating: (i % 5) + 1 } }));
const body = JSON.stringify({ task: 'review-insights', documents });
let t = performance.now();
const res = await fetch(`${service.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
const ingestMs = performance.now() - t;

t = performance.now();
const planned = await planBatches(ctx);
for (const b of planned) await submitBatch(ctx, b);
const submitMs = performance.now() - t;
for (;;) {
  for (const b of await claimBatches(ctx, ['in_progress'], 10)) await pollBatch(ctx, b);
  const open = await ctx.db.selectFrom('batches').select('id').where('status', '!=', 'ended').execute();
  if (open.length === 0) break;
  await new Promise((r) => setTimeout(r, 5));
}
console.log(
  JSON.stringify({
    phase: 'prepare',
    n,
    database: service.database.kind,
    ingest: { ms: Math.round(ingestMs), docs_per_s: Math.round(n / (ingestMs / 1000)), body_mb: mb(body.length) },
    plan_submit: { ms: Math.round(submitMs), batches: planned.length },
    peak_rss_mb: mb(process.resourceUsage().maxRSS * 1024),
  }),
);
await service.close();
