// The service compiled as the production image runs it (`node <outDir>/src/main.js`), for tests that start
// many processes: through tsx each start transpiles and loads a few hundred modules through a loader thread
// (about 2 s on a quiet 2-core machine, 6 s and more while three replicas, the simulator and Postgres share
// it), which is longer than the chaos test lets a replica live.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Build {
  /** The compiled entry point, `<dir>/src/main.js`. */
  main: string;
  remove(): void;
}

/**
 * Compiles src/ and plugins/ with tsconfig.build.json into a fresh folder beside dist/ (same depth, so the
 * compiled code finds migrations/ and the package root as dist/ does). Not dist/ itself: bin/batchline.js
 * prefers a dist/ when one exists, and other tests must keep running the sources.
 */
export async function buildService(name: string): Promise<Build> {
  const dir = path.join(ROOT, `.test-build-${name}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', dir], { cwd: ROOT });
  return { main: path.join(dir, 'src', 'main.js'), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
