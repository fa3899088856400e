// `npm run bench:e2e`: the same N-row Google Play export through (a) the hand-written script of the seed's
// recipe (bench/e2e-script.ts: real SDK, in memory) and (b) Batchline as production runs it (`node
// dist/src/main.js` on Postgres, completion callbacks plus polling, a file sink), both against one
// standalone simulator in the same run. Prints wall time, each process's peak RSS and Batchline's stage
// timeline. Env: DATABASE_URL (required: a new database is made on that server), BENCH_E2E_N (100000),
// BENCH_E2E_PROCESSING_MS (1000: how long the simulator takes per batch), BENCH_E2E_HEAP_MB (the service's
// --max-old-space-size; unset = Node's default), BENCH_E2E_NODE_FLAGS (more V8 flags for the service),
// BENCH_E2E_ONLY (script | batchline), BENCH_E2E_POLL_MS (how often the job view is asked: 500, as
// `batchline run` does), BENCH_E2E_BATCHES (set: a timeline line per batch), BENCH_E2E_CPU_PROFILE (a folder:
// the service and the simulator write V8 CPU profiles there, to see where their time goes).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase } from '../test/helpers/database.ts';
import { freePort } from '../test/helpers/ports.ts';
import { writePlayExport } from './play-export.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_E2E_N ?? 100_000);
const PROCESSING_MS = Number(process.env.BENCH_E2E_PROCESSING_MS ?? 1000);
const HEAP_MB = process.env.BENCH_E2E_HEAP_MB;
const ONLY = process.env.BENCH_E2E_ONLY;
const PROFILE_DIR = process.env.BENCH_E2E_CPU_PROFILE;
/** More V8 flags for the service, e.g. the production image's (deploy/Dockerfile). */
const NODE_FLAGS = (process.env.BENCH_E2E_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
if (!process.env.DATABASE_URL) throw new Error('bench:e2e runs Batchline as production does: set DATABASE_URL to a Postgres server');
if (!fs.existsSync(path.join(ROOT, 'dist/src/main.js'))) throw new Error('build first: npm run build (the bench runs dist/src/main.js)');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batchline-e2e-'));
const exportFile = path.join(dir, `reviews-${N}.csv`);
writePlayExport(exportFile, N);
console.error(`export: ${N} rows, ${(fs.statSync(exportFile).size / 2 ** 20).toFixed(1)} MB`);

const sim = await startProcess('simulator', process.execPath, ['--max-old-space-size=16384', ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/simulator`] : []), '--import', 'tsx', 'src/provider/simulator/standalone.ts'], { SIMULATOR_PROCESSING_MS: String(PROCESSING_MS) }, /simulator listening on (http:\/\/\S+)/);
try {
  if (ONLY !== 'batchline') {
    const out = path.join(dir, 'script.jsonl');
    const simCpu = cpuSeconds(sim.child.pid ?? 0);
    const script = await startProcess('script', process.execPath, ['--import', 'tsx', 'bench/e2e-script.ts', exportFile, out, sim.url], {}, /(\{"who":"script".*\})/);
    await exited(script.child);
    const line = countLines(out);
    const reported = JSON.parse(script.url) as { cpu_s: Record<string, number> };
    console.log(JSON.stringify({ ...reported, sink_lines: line, cpu_s: { ...reported.cpu_s, simulator: round1(cpuSeconds(sim.child.pid ?? 0) - simCpu) } }));
  }
  if (ONLY !== 'script') console.log(JSON.stringify(await runBatchline(sim.url)));
} finally {
  sim.child.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
}

async function runBatchline(simUrl: string): Promise<Record<string, unknown>> {
  const database = await createTestDatabase();
  const port = await freePort();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const out = path.join(dir, 'batchline.jsonl');
  await fetch(`${simUrl}/_simulator/notify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `http://127.0.0.1:${port}/v1/callbacks/batches`, secret }) });
  const env = {
    DATABASE_URL: database.url ?? '',
    PORT: String(port),
    ANTHROPIC_API_KEY: 'bench',
    ANTHROPIC_BASE_URL: simUrl,
    WEBHOOK_SECRET: secret,
    BATCHLINE_FILE_ROOTS: dir,
    BATCHLINE_DATA_DIR: dir,
    BATCHLINE_LOG_LEVEL: 'info',
    // A notifier calls back when a batch ends; polling is the floor (seconds here: the fake takes one).
    POLL_MIN_MS: '1000',
    POLL_MAX_MS: '5000',
  };
  const service = await startProcess('batchline', process.execPath, [...(HEAP_MB ? [`--max-old-space-size=${HEAP_MB}`] : []), ...NODE_FLAGS, ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), 'dist/src/main.js'], env, /"url":"(http:\/\/[^"]+)"[^\n]*batchline listening|batchline listening[^\n]*"url":"(http:\/\/[^"]+)"/);
  const idleRss = rssMb(service.child.pid ?? 0, 'VmRSS');
  const cpuBefore = { service: cpuSeconds(service.child.pid ?? 0), simulator: cpuSeconds(sim.child.pid ?? 0), postgres: postgresCpuSeconds() };
  try {
    const started = performance.now();
    // When in the run the service's memory peaked (VmHWM says how high, not when).
    let rssPeak = { mb: 0, at_s: 0 };
    const sampler = setInterval(() => {
      const mb = rssMb(service.child.pid ?? 0, 'VmRSS');
      if (mb > rssPeak.mb) rssPeak = { mb, at_s: Math.round((performance.now() - started) / 100) / 10 };
    }, 250);
    const res = await fetch(`${service.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'review-insights', source: { plugin: 'reviews', config: { path: exportFile, preset: 'google-play' } }, sinks: [{ plugin: 'file', config: { path: out } }] }),
    });
    if (res.status !== 201) throw new Error(`POST /v1/jobs answered ${res.status}: ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    let job: { status: string; counts: { succeeded: number } } | undefined;
    for (;;) {
      job = (await (await fetch(`${service.url}/v1/jobs/${id}`)).json()) as { status: string; counts: { succeeded: number } };
      if (['completed', 'completed_with_errors', 'failed', 'canceled'].includes(job.status)) break;
      // As often as `batchline run` asks while a job moves (src/cli/follow.ts): the job view's counts are
      // aggregates over the job's rows, and asking five times a second costs Postgres more than the job does.
      await new Promise((r) => setTimeout(r, Number(process.env.BENCH_E2E_POLL_MS ?? 500)));
    }
    const wallMs = Math.round(performance.now() - started);
    clearInterval(sampler);
    const peak = rssMb(service.child.pid ?? 0, 'VmHWM');
    // Where the two cores went during the run (Postgres: every server process alive at the end).
    const cpu = {
      service: round1(cpuSeconds(service.child.pid ?? 0) - cpuBefore.service),
      simulator: round1(cpuSeconds(sim.child.pid ?? 0) - cpuBefore.simulator),
      postgres: round1(postgresCpuSeconds() - cpuBefore.postgres),
    };
    return { who: 'batchline', rows: N, status: job.status, succeeded: job.counts.succeeded, sink_lines: countLines(out), wall_ms: wallMs, peak_rss_mb: peak, rss_peak_sampled: rssPeak, idle_rss_mb: idleRss, simulator_peak_rss_mb: rssMb(sim.child.pid ?? 0, 'VmHWM'), heap_mb: HEAP_MB ?? 'default', node_flags: NODE_FLAGS.join(' '), cpu_s: cpu, timeline: await timeline(database.url ?? '', id) };
  } finally {
    service.child.kill('SIGTERM');
    await exited(service.child);
    await database.drop();
  }
}

/** Seconds after the job was created at which each stage began and ended, from the rows themselves. */
async function timeline(url: string, jobId: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query(sql, [jobId])).rows[0] as Record<string, number | null>;
    const at = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x.toFixed(1)} s`);
    const span = (r: Record<string, number | null>) => `${at(r.first)} → ${at(r.last)}`;
    const base = `extract(epoch from (%s - (SELECT created_at FROM jobs WHERE id = $1)))::float8`;
    const rel = (col: string) => base.replace('%s', col);
    const items = await q(`SELECT ${rel('min(created_at)')} AS first, ${rel('max(created_at)')} AS last FROM items WHERE job_id = $1`);
    const planned = await q(`SELECT ${rel('min(created_at)')} AS first, ${rel('max(created_at)')} AS last, count(*)::int AS n FROM batches WHERE job_id = $1`);
    const submitted = await q(`SELECT ${rel('min(submitted_at)')} AS first, ${rel('max(submitted_at)')} AS last FROM batches WHERE job_id = $1`);
    const ended = await q(`SELECT ${rel('min(ended_at)')} AS first, ${rel('max(ended_at)')} AS last FROM batches WHERE job_id = $1`);
    const results = await q(`SELECT ${rel('min(created_at)')} AS first, ${rel('max(created_at)')} AS last FROM results WHERE job_id = $1`);
    const delivered = await q(`SELECT ${rel('min(delivered_at)')} AS first, ${rel('max(delivered_at)')} AS last FROM deliveries WHERE job_id = $1`);
    const finished = await q(`SELECT ${rel('finished_at')} AS first FROM jobs WHERE id = $1`);
    // Per batch: cut, create sent, create answered, ended, first and last result stored.
    const perBatch = await client.query(
      `SELECT b.id, b.request_count AS n, ${rel('b.created_at')} AS cut, ${rel('b.submit_started_at')} AS sent, ${rel('b.submitted_at')} AS created,
         ${rel('b.ended_at')} AS ended, ${rel('(SELECT min(r.created_at) FROM results r WHERE r.batch_id = b.id)')} AS first_result,
         ${rel('(SELECT max(r.created_at) FROM results r WHERE r.batch_id = b.id)')} AS last_result
       FROM batches b WHERE b.job_id = $1 ORDER BY b.id`,
      [jobId],
    );
    const batchLines = perBatch.rows.map((r: Record<string, number | null>) => `#${r.id} (${r.n}): cut ${at(r.cut)}, sent ${at(r.sent)}, created ${at(r.created)}, ended ${at(r.ended)}, results ${at(r.first_result)} → ${at(r.last_result)}`);
    return {
      'source read (items written)': span(items),
      [`batches planned (${planned.n})`]: span(planned),
      'batches created at the provider': span(submitted),
      'batches ended at the provider': span(ended),
      'results stored': span(results),
      'results delivered to the sink': span(delivered),
      'job finished': at(finished.first),
      ...(process.env.BENCH_E2E_BATCHES ? { batches: batchLines.join(' | ') } : {}),
    };
  } finally {
    await client.end();
  }
}

interface Started {
  child: ChildProcess;
  /** What the ready pattern captured (a URL, or the script's JSON line). */
  url: string;
}

function startProcess(name: string, command: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<Started> {
  const child = spawn(command, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    let readied = false;
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 1 << 20) output = output.slice(-1 << 16);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      if (readied) return;
      keep(chunk);
      const m = ready.exec(output);
      if (m) {
        readied = true;
        resolve({ child, url: (m[1] ?? m[2]) as string });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (readied && /FATAL|heap out of memory/.test(chunk.toString())) console.error(`${name}: ${chunk.toString().slice(0, 2000)}`);
    });
    child.on('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${output.slice(-4000)}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** VmHWM (peak) or VmRSS of a live process, in MB, from /proc. */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ? Math.round(Number(m[1]) / 1024) : -1;
}

/** User plus system CPU time of a live process, in seconds (fields 14 and 15 of /proc/PID/stat, in ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += cpuSeconds(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function countLines(file: string): number {
  if (!fs.existsSync(file)) return 0;
  let n = 0;
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  for (let read = 0; (read = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) for (let i = 0; i < read; i++) if (buf[i] === 10) n += 1;
  fs.closeSync(fd);
  return n;
}
