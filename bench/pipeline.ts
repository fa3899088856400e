// One benchmark run in a fresh process: ingest N inline documents through the HTTP API, then plan, submit
// and collect them against a standalone simulator (no processing delay), measuring each stage and memory.
// Usage: tsx bench/pipeline.ts <N> <simulatorUrl>   (bench/run.ts starts the simulator and calls this)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { claimBatches } from '../src/engine/claim.ts';
import { collectBatch } from '../src/engine/collect.ts';
import { planBatches } from '../src/engine/plan.ts';
import { submitBatch } from '../src/engine/submit.ts';
import { pollBatch } from '../src/engine/track.ts';
import { silentLogger } from '../src/logger.ts';
import { createProviderClient } from '../src/provider/client.ts';
import { startService } from '../src/service.ts';

const n = Number(process.argv[2] ?? 10_000);
const simulatorUrl = process.argv[3];
if (!simulatorUrl) throw new Error('usage: tsx bench/pipeline.ts <N> <simulatorUrl>');

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-bench-'));
const config = loadConfig({
  ...process.env,
  PORT: '0',
  BATCHLINE_DATA_DIR: dataDir,
  BATCH_MAX_REQUESTS: '100000',
  BATCHLINE_MAX_BODY_BYTES: '512MB',
  POLL_MIN_MS: '1',
  POLL_MAX_MS: '10',
  BATCHLINE_LOG_LEVEL: 'silent',
});
const service = await startService(config, { log: silentLogger(), provider: createProviderClient({ apiKey: 'bench', baseURL: simulatorUrl }), worker: false });
const ctx = service.engine;
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

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
  const due = await claimBatches(ctx, ['in_progress'], 10);
  for (const b of due) await pollBatch(ctx, b);
  const ended = await ctx.db.selectFrom('batches').select('id').where('status', '=', 'ended').execute();
  if (ended.length === planned.length) break;
  await new Promise((r) => setTimeout(r, 5));
}

global.gc?.();
const rssBeforeCollect = process.memoryUsage().rss;
peakRss = rssBeforeCollect;
t = performance.now();
for (;;) {
  const batches = await claimBatches(ctx, ['ended'], 10);
  if (batches.length === 0) break;
  for (const b of batches) await collectBatch(ctx, b);
}
const collectMs = performance.now() - t;
clearInterval(sampler);
const stored = await ctx.db.selectFrom('results').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();

console.log(
  JSON.stringify({
    n,
    database: service.database.kind,
    ingest: { ms: Math.round(ingestMs), docs_per_s: Math.round(n / (ingestMs / 1000)), body_mb: mb(body.length) },
    plan_submit_ms: Math.round(submitMs),
    collect: { ms: Math.round(collectMs), results_per_s: Math.round(n / (collectMs / 1000)), stored: Number(stored.n) },
    rss_mb: { before_collect: mb(rssBeforeCollect), peak_during_collect: mb(peakRss), growth_during_collect: mb(peakRss - rssBeforeCollect) },
  }),
);
await service.close();
fs.rmSync(dataDir, { recursive: true, force: true });
