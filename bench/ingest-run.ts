// `npm run bench:ingest`: for each size in BENCH_INGEST_SIZES (default 100,000 and 1,000,000 rows) runs
// bench/ingest.ts in a fresh process on a fresh database (Postgres when DATABASE_URL is set, else
// PGlite) and prints one JSON line per size: documents/s and peak RSS, to show memory stays flat.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '../test/helpers/database.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sizes = (process.env.BENCH_INGEST_SIZES ?? '100000,1000000').split(',').map(Number);

for (const n of sizes) {
  const database = await createTestDatabase();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/ingest.ts', String(n), database.url ?? '-', database.dataDir], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench/ingest.ts exited ${code}`))));
    });
  } finally {
    await database.drop();
  }
}
