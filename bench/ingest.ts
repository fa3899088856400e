// One ingest measurement: writes an N-row review CSV, creates a job reading it with the `reviews`
// source, and drives the source read to its end, printing documents/s and the process's peak RSS.
// Args: <rows> <database url or -> <data dir>. Run through bench/ingest-run.ts.
import fs from 'node:fs';
import path from 'node:path';
import { claimSourceReads } from '../src/engine/claim.ts';
import { createJob } from '../src/engine/intake/ingest.ts';
import { readSource } from '../src/engine/intake/read-source.ts';
import { mb, startBenchService } from './context.ts';

const [rowsArg, urlArg, dataDir] = process.argv.slice(2);
const rows = Number(rowsArg);
if (!Number.isInteger(rows) || rows <= 0 || !urlArg || !dataDir) throw new Error('usage: ingest.ts <rows> <database url|-> <data dir>');

const file = path.join(dataDir, `reviews-${rows}.csv`);
writeCsv(file, rows);
const fileMb = mb(fs.statSync(file).size);

// The simulator is never called: the read ends before planning, and the worker loop is off.
const service = await startBenchService({ url: urlArg === '-' ? undefined : urlArg, dataDir }, 'http://127.0.0.1:9');
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
try {
  const baseRss = process.memoryUsage().rss;
  const started = performance.now();
  const { job } = await createJob(service.engine, {
    task: 'review-insights',
    source: { plugin: 'reviews', config: { path: path.basename(file), columns: { id: 'review_id', text: 'text', title: 'title', rating: 'stars', date: 'date', author: 'author' } } },
  });
  const [claimed] = await claimSourceReads(service.engine, 1);
  if (!claimed || claimed.id !== job.id) throw new Error('the job was not claimable');
  await readSource(service.engine, claimed, new AbortController().signal);
  const ms = performance.now() - started;
  const after = await service.engine.db.selectFrom('jobs').select(['status', 'ingest_stats']).where('id', '=', job.id).executeTakeFirstOrThrow();
  if (after.status !== 'running' || after.ingest_stats?.read !== rows) throw new Error(`read ended as ${after.status} with ${JSON.stringify(after.ingest_stats)}`);
  console.log(
    JSON.stringify({
      phase: 'ingest',
      database: service.database.kind,
      rows,
      file_mb: fileMb,
      ms: Math.round(ms),
      docs_per_s: Math.round(rows / (ms / 1000)),
      base_rss_mb: mb(baseRss),
      peak_rss_mb: mb(peakRss),
      heap_used_mb: mb(process.memoryUsage().heapUsed),
    }),
  );
} finally {
  clearInterval(sampler);
  await service.close();
  fs.rmSync(file, { force: true });
}

/** A review export of realistic shape: ids, 1–5 stars, a title, 100–400 characters of text, some quoted with newlines. */
function writeCsv(target: string, n: number): void {
  const fd = fs.openSync(target, 'w');
  const words = 'battery screen strap support refund shipping quality price app update crash sync login great terrible fine slow fast love hate works'.split(' ');
  let chunk = 'review_id,stars,title,text,date,author\n';
  for (let i = 0; i < n; i++) {
    const length = 15 + (i % 50);
    let text = '';
    for (let w = 0; w < length; w++) text += `${words[(i * 7 + w * 3) % words.length]} `;
    if (i % 10 === 0) text = `"${text.trim()},\nsecond line with ""quotes"""`;
    chunk += `r${i},${(i % 5) + 1},Title ${i % 97},${i % 10 === 0 ? text : text.trim()},2026-10-${String((i % 28) + 1).padStart(2, '0')}T12:00:00Z,user${i % 5000}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}
