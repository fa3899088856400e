// `npm run bench`: starts a standalone simulator (no processing delay), then for 10,000 and 100,000
// documents runs bench/prepare.ts and bench/collect.ts, each in a fresh process, on a fresh database
// (Postgres when DATABASE_URL is set, else PGlite), and prints one JSON line per phase.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '../test/helpers/database.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);

// BENCH_COLLECT_HEAP_MB caps the collect process's V8 heap: if collection finishes under a small cap,
// what it retains is bounded, whatever the RSS figures say about how lazily V8 gives memory back.
const collectHeap = process.env.BENCH_COLLECT_HEAP_MB ? [`--max-old-space-size=${Number(process.env.BENCH_COLLECT_HEAP_MB)}`] : [];

function run(script: string, args: string[], nodeArgs: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited ${code}`))));
  });
}

const sim = spawn(process.execPath, ['--import', 'tsx', 'src/provider/simulator/standalone.ts'], {
  cwd: ROOT,
  env: { ...process.env, SIMULATOR_PORT: '0', SIMULATOR_PROCESSING_MS: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const simUrl = await new Promise<string>((resolve) => {
  sim.stdout.on('data', (chunk: Buffer) => {
    const m = /listening on (http:\/\/\S+)/.exec(chunk.toString());
    if (m?.[1]) resolve(m[1]);
  });
});
try {
  for (const n of sizes) {
    const database = await createTestDatabase();
    try {
      await run('bench/prepare.ts', [String(n), simUrl, database.url ?? '-', database.dataDir]);
      await run('bench/collect.ts', [simUrl, database.url ?? '-', database.dataDir], collectHeap);
    } finally {
      await database.drop();
    }
  }
} finally {
  sim.kill('SIGTERM');
}
