// `npm run bench`: starts a standalone simulator, then runs bench/pipeline.ts in a fresh process for
// 10,000 and 100,000 documents (on PGlite, or on Postgres when DATABASE_URL is set) and prints the figures.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);

function run(args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((l) => onLine?.(l)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited ${code}`))));
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
    await run(['bench/pipeline.ts', String(n), simUrl], process.env, (line) => console.log(line));
  }
} finally {
  sim.kill('SIGTERM');
}
