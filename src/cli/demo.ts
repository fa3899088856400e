// `npm run demo`: the main job on the embedded default. Starts Batchline in-process (PGlite in
// BATCHLINE_DATA_DIR, or DATABASE_URL when set; the built-in simulator unless ANTHROPIC_API_KEY is set), submits the sample reviews
// over HTTP, follows the job to its end, and shows the results and where the file sink wrote them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startService } from '../service.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<void> {
  const config = loadConfig({ POLL_MIN_MS: '500', POLL_MAX_MS: '5000', PORT: '0', ...process.env });
  const service = await startService(config, { log: createLogger(process.env.BATCHLINE_LOG_LEVEL ?? 'warn') });
  try {
    const documents = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/reviews.json'), 'utf8')) as unknown[];
    const outFile = path.join('out', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
    const res = await fetch(`${service.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(config.BATCHLINE_API_KEYS[0] ? { authorization: `Bearer ${config.BATCHLINE_API_KEYS[0]}` } : {}) },
      body: JSON.stringify({ name: 'demo: sample reviews', task: 'review-insights', documents, sinks: [{ plugin: 'file', config: { path: outFile } }] }),
    });
    if (res.status !== 201) throw new Error(`job creation failed: ${res.status} ${await res.text()}`);
    const created = (await res.json()) as { id: string };
    console.log(`job ${created.id}: ${documents.length} reviews submitted (${service.provider.simulated ? 'simulator' : 'Message Batches API'}, ${service.database.kind})`);

    const started = Date.now();
    let job: DemoJob;
    let lastLine = '';
    for (;;) {
      job = (await (await fetch(`${service.url}/v1/jobs/${created.id}`)).json()) as DemoJob;
      const c = job.counts;
      const line = `  ${job.status.padEnd(22)} queued ${c.queued}  submitted ${c.submitted}  retrying ${c.retry_wait}  succeeded ${c.succeeded}  failed ${c.failed}  batches ${job.batches.length}`;
      if (line !== lastLine) console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s${line}`);
      lastLine = line;
      if (['completed', 'completed_with_errors', 'canceled', 'failed'].includes(job.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }

    const results = (await (await fetch(`${service.url}/v1/jobs/${created.id}/results`)).json()) as { data: DemoResult[] };
    console.log('\nresults:');
    for (const r of results.data) {
      const o = r.output as { sentiment?: string; score?: number; summary?: string } | null;
      console.log(`  ${r.external_id.padEnd(8)} ${r.status.padEnd(9)} ${o ? `${String(o.sentiment).padEnd(8)} ${o.score}/5  ${o.summary ?? ''}` : (r.error?.message ?? '')}`);
    }
    console.log(`\n${job.counts.total} items, ${job.counts.succeeded} succeeded, ${job.counts.failed} failed; cost $${job.cost.usd.toFixed(6)} (standard $${job.cost.standard_usd.toFixed(6)}, saved $${job.cost.saved_usd.toFixed(6)})`);
    console.log(`file sink: ${path.resolve(config.BATCHLINE_FILE_ROOTS[0] ?? '.', outFile)}`);
    if (job.status !== 'completed') process.exitCode = 1;
  } finally {
    await service.close();
  }
}

interface DemoJob {
  status: string;
  counts: Record<'total' | 'queued' | 'submitted' | 'retry_wait' | 'succeeded' | 'failed', number>;
  batches: unknown[];
  cost: { usd: number; standard_usd: number; saved_usd: number };
}

interface DemoResult {
  external_id: string;
  status: string;
  output: unknown;
  error: { message: string } | null;
}

main().catch((error: unknown) => {
  process.stderr.write(`batchline demo: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
