// Benchmark phase 2 (a fresh process, so its peak RSS is the collection's own): stream and store every
// result of the ended batches left by bench/prepare.ts. Prints results/s and the process's peak RSS.
// Usage: tsx bench/collect.ts <simulatorUrl> <databaseUrl|-> <dataDir>
import { claimBatches } from '../src/engine/claim.ts';
import { collectBatch } from '../src/engine/batches/collect.ts';
import { mb, startBenchService } from './context.ts';

const [simulatorUrl, urlArg, dataDir] = process.argv.slice(2);
if (!simulatorUrl || !urlArg || !dataDir) throw new Error('usage: tsx bench/collect.ts <simulatorUrl> <databaseUrl|-> <dataDir>');
const service = await startBenchService({ url: urlArg === '-' ? undefined : urlArg, dataDir }, simulatorUrl);
const ctx = service.engine;

const rssAtStart = process.memoryUsage().rss;
let peak = rssAtStart;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
const t = performance.now();
for (;;) {
  const batches = await claimBatches(ctx, ['ended'], 10);
  if (batches.length === 0) break;
  for (const b of batches) await collectBatch(ctx, b);
}
const ms = performance.now() - t;
clearInterval(sampler);
const stored = Number((await ctx.db.selectFrom('results').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
console.log(
  JSON.stringify({
    phase: 'collect',
    n: stored,
    tracing: process.env.BENCH_TRACING_MODE ?? 'off',
    database: service.database.kind,
    collect: { ms: Math.round(ms), results_per_s: Math.round(stored / (ms / 1000)) },
    rss_mb: { at_start: mb(rssAtStart), peak: mb(Math.max(peak, process.resourceUsage().maxRSS * 1024)), growth: mb(peak - rssAtStart) },
  }),
);
await service.close();
