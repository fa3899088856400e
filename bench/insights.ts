// `npm run bench:insights` (Postgres: DATABASE_URL must be set): a review-insights job of BENCH_INSIGHTS_ROWS
// results (default 1,000,000) seeded straight into the tables — answers drawn from a fixed vocabulary, with a
// rating, a date and a version in each document's metadata — then, through the real service over HTTP:
//   - GET /v1/jobs/{id}/insights cold (never computed for this job) and warm (nothing changed since);
//   - the same with by=rating, and with over=date;
//   - the dashboard's job page, and the explorer's first filtered page (dashboard and API);
//   - the filtered CSV export of every matching row, streamed to curl, with the process's peak RSS growth.
// Prints one JSON line per figure. The service runs in this process (the export's reader does not), so RSS is its RSS.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/connect.ts';
import { silentLogger } from '../src/logger.ts';
import { startSimulator } from '../src/provider/simulator/index.ts';
import { createProviderClient } from '../src/provider/client.ts';
import { startService } from '../src/service.ts';
import { createTestDatabase } from '../test/helpers/database.ts';
import { waitForJob, postJson } from '../test/helpers/service.ts';

const ROWS = Number(process.env.BENCH_INSIGHTS_ROWS ?? 1_000_000);
if (!process.env.DATABASE_URL) throw new Error('bench/insights.ts measures Postgres: set DATABASE_URL=postgres://…');

const database = await createTestDatabase();
const sim = await startSimulator({ processingMs: 10 });
const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url ?? '', BATCHLINE_DATA_DIR: database.dataDir, BATCHLINE_LOG_LEVEL: 'silent', BATCHLINE_RATE_LIMIT_RPS: '0', POLL_MIN_MS: '50', POLL_MAX_MS: '200' });
const service = await startService(config, { log: silentLogger(), provider: createProviderClient({ apiKey: 'bench', baseURL: sim.url }) });
const { db } = await openDatabase({ databaseUrl: database.url, dataDir: database.dataDir, poolSize: 2 });

function print(figure: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ rows: ROWS, ...figure })}\n`);
}

async function timed(name: string, url: string, init?: RequestInit): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${service.url}${url}`, init);
  const body = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${name}: ${res.status} ${body.slice(0, 300)}`);
  print({ figure: name, ms: Math.round(ms), bytes: body.length });
  return ms;
}

try {
  // The job itself goes through the API (one document), so its row is what a real job's is; then its items.
  const created = await postJson(`${service.url}/v1/jobs`, { name: 'insights bench', task: 'review-insights', documents: [{ id: 'seed', text: 'Seed review.' }] });
  const { id: jobId } = (await created.json()) as { id: string };
  await waitForJob(service.url, jobId, 60_000);
  const batch = await db.selectFrom('batches').select('id').where('job_id', '=', jobId).executeTakeFirstOrThrow();

  const seedStarted = performance.now();
  // Deterministic answers from the row number: four sentiments, scores 1–5, two to four key points and zero to
  // three issues from a vocabulary of 200 phrases (in varied case and punctuation, as models write them).
  await sql`
    CREATE TEMP TABLE bench_rows AS
    SELECT g AS n,
      (ARRAY['positive','negative','neutral','mixed'])[1 + (g * 7919) % 4] AS sentiment,
      1 + (g * 104729) % 5 AS score,
      (g * 31) % 200 AS p1, (g * 37 + 11) % 200 AS p2, (g * 41 + 23) % 200 AS p3, (g * 43 + 5) % 200 AS p4
    FROM generate_series(1::bigint, ${ROWS}::bigint) AS g`.execute(db);
  await sql`
    INSERT INTO items (job_id, external_id, document, status, attempts, batch_id)
    SELECT ${jobId}, 'r' || n,
      jsonb_build_object('id', 'r' || n, 'metadata', jsonb_build_object('rating', 1 + (n * 17) % 5, 'version', '3.' || (n % 12),
        'date', to_char(date '2026-01-01' + (n % 300)::int, 'YYYY-MM-DD'))),
      'succeeded', 1, ${batch.id}
    FROM bench_rows`.execute(db);
  await sql`
    INSERT INTO results (item_id, attempt, job_id, batch_id, outcome, output, model, input_tokens, output_tokens)
    SELECT i.id, 1, ${jobId}, ${batch.id}, 'succeeded',
      jsonb_build_object(
        'sentiment', b.sentiment,
        'score', b.score,
        'key_points', jsonb_build_array('Point ' || b.p1, 'point ' || b.p2 || '.', CASE WHEN b.n % 2 = 0 THEN 'POINT ' || b.p3 END) - 'null',
        'issues', CASE b.n % 4 WHEN 0 THEN '[]'::jsonb WHEN 1 THEN jsonb_build_array('issue ' || b.p2)
          WHEN 2 THEN jsonb_build_array('Issue ' || b.p3 || '!', 'issue ' || b.p4) ELSE jsonb_build_array('issue ' || b.p1, 'issue ' || b.p4, ' Issue ' || b.p2) END,
        'summary', repeat('A review that says something about the app. ', (1 + b.n % 3)::int)),
      'claude-haiku-5-5', 300, 60
    FROM items i JOIN bench_rows b ON i.external_id = 'r' || b.n AND i.job_id = ${jobId}`.execute(db);
  await sql`UPDATE jobs SET updated_at = now(), finished_at = now() WHERE id = ${jobId}`.execute(db);
  await sql`ANALYZE items`.execute(db);
  await sql`ANALYZE results`.execute(db);
  print({ figure: 'seed', ms: Math.round(performance.now() - seedStarted) });

  // BENCH_INSIGHTS_EXPORT_ONLY=1 measures the export alone (with a capped heap: node --max-old-space-size=N).
  if (process.env.BENCH_INSIGHTS_EXPORT_ONLY !== '1') await readFigures(jobId);
  await exportFigure(jobId);
} finally {
  await service.close();
  await sim.close();
  await db.destroy();
  // BENCH_KEEP_DB=1 keeps the database to look at its plans afterwards (its URL is printed).
  if (process.env.BENCH_KEEP_DB === '1') print({ kept: database.url });
  else await database.drop();
}

async function readFigures(jobId: string): Promise<void> {
  // The job page first, before anything is kept: it must not wait for a million answers to be summarised.
  await timed('dashboard job page (insights not kept yet: computed in the background)', `/jobs/${jobId}`);
  const started = performance.now();
  for (;;) {
    const page = await (await fetch(`${service.url}/jobs/${jobId}`)).text();
    if (!page.includes('id="insights-computing"')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  print({ figure: 'until the page shows the charts', ms: Math.round(performance.now() - started) });
  await timed('insights cold', `/v1/jobs/${jobId}/insights`);
  await timed('insights warm', `/v1/jobs/${jobId}/insights`);
  await timed('insights warm (again)', `/v1/jobs/${jobId}/insights`);
  await timed('insights by=rating cold', `/v1/jobs/${jobId}/insights?by=rating`);
  await timed('insights over=date cold', `/v1/jobs/${jobId}/insights?over=date`);
  await timed('insights filter=sentiment=negative cold', `/v1/jobs/${jobId}/insights?filter=sentiment%3Dnegative`);
  await timed('dashboard job page (insights kept)', `/jobs/${jobId}`);
  await timed('dashboard job page (again)', `/jobs/${jobId}`);
  await timed('explorer first page, dashboard, sentiment=negative', `/jobs/${jobId}/results?filter=sentiment%3Dnegative`);
  await timed('explorer first page, API, sentiment=negative', `/v1/jobs/${jobId}/results?filter=sentiment%3Dnegative&limit=50`);
  await timed('explorer first page, API, issues=issue 7', `/v1/jobs/${jobId}/results?filter=${encodeURIComponent('issues=issue 7')}&limit=50`);

}

/** The export: every row whose score is at least 1 (all of them), streamed; RSS sampled while it runs. */
async function exportFigure(jobId: string): Promise<void> {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const started = performance.now();
  // Read by curl in a process of its own, so the RSS sampled here is the service's alone.
  const { bytes, lines } = await new Promise<{ bytes: number; lines: number }>((resolve, reject) => {
    const curl = spawn('curl', ['-sS', '--fail', `${service.url}/v1/jobs/${jobId}/results?format=csv&filter=${encodeURIComponent('score>=1')}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let count = 0;
    let newlines = 0;
    curl.stdout.on('data', (chunk: Buffer) => {
      count += chunk.length;
      for (const b of chunk) if (b === 10) newlines++;
    });
    curl.on('error', reject);
    curl.on('exit', (code) => (code === 0 ? resolve({ bytes: count, lines: newlines }) : reject(new Error(`curl exited ${code}`))));
  });
  clearInterval(sampler);
  print({ figure: 'csv export, score>=1 (every row)', ms: Math.round(performance.now() - started), lines: lines - 1, mb: Math.round(bytes / 1e6), rss_baseline_mb: Math.round(baseline / 1e6), rss_growth_mb: Math.round((peak - baseline) / 1e6) });
}
