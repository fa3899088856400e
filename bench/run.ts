// `npm run bench`: starts a standalone simulator (no processing delay), then for 10,000 and 100,000
// documents runs bench/prepare.ts and bench/collect.ts, each in a fresh process, on a fresh database
// (Postgres when DATABASE_URL is set, else PGlite), and prints one JSON line per phase.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '../test/helpers/database.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
// BENCH_TRACING=off,on runs each size once per mode: "on" collects with the OpenTelemetry SDK exporting
// traces and metrics over OTLP/HTTP (protobuf) to a local receiver that takes and drops them.
const tracingModes = (process.env.BENCH_TRACING ?? 'off').split(',').map((m) => m.trim()) as Array<'off' | 'on'>;

// BENCH_COLLECT_HEAP_MB caps the collect process's V8 heap: if collection finishes under a small cap,
// what it retains is bounded, whatever the RSS figures say about how lazily V8 gives memory back.
const collectHeap = process.env.BENCH_COLLECT_HEAP_MB ? [`--max-old-space-size=${Number(process.env.BENCH_COLLECT_HEAP_MB)}`] : [];

function run(script: string, args: string[], nodeArgs: string[] = [], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, script, ...args], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
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
const otlp = await startOtlpSink();
try {
  for (const n of sizes) {
    for (const tracing of tracingModes) {
      const database = await createTestDatabase();
      try {
        await run('bench/prepare.ts', [String(n), simUrl, database.url ?? '-', database.dataDir]);
        const traced: { nodeArgs: string[]; env: Record<string, string> } =
          tracing === 'on'
            ? { nodeArgs: ['--import', './bench/otel-preload.ts'], env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, BENCH_TRACING_MODE: 'on' } }
            : { nodeArgs: [], env: { BENCH_TRACING_MODE: 'off' } };
        await run('bench/collect.ts', [simUrl, database.url ?? '-', database.dataDir], [...collectHeap, ...traced.nodeArgs], traced.env);
      } finally {
        await database.drop();
      }
    }
  }
  if (tracingModes.includes('on')) console.log(JSON.stringify({ otlp_received: otlp.stats() }));
} finally {
  sim.kill('SIGTERM');
  otlp.close();
}

/** An OTLP/HTTP endpoint that accepts and drops what it is sent, counting requests and bytes. */
async function startOtlpSink(): Promise<{ url: string; stats(): { requests: number; bytes: number }; close(): void }> {
  let requests = 0;
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, stats: () => ({ requests, bytes }), close: () => server.close() };
}
