// The command line (after `node`) that starts the service as a child process, for tests that kill,
// restart or watch it start.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledIsCurrent } from '../../bin/build-freshness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILT_MAIN = path.join(ROOT, 'dist', 'src', 'main.js');

/**
 * How to start the service as a child process: the compiled build when one is current (as production and
 * `npm start` run it; .ci/run builds before the tests), else the sources through tsx. A start through tsx
 * sends each of its ~1,000 modules through a loader thread: about 1.3 s more CPU per start, over the
 * suite's child services and CLI runs a tenth of a pass.
 */
export function serviceCommand(): string[] {
  return compiledIsCurrent(ROOT, BUILT_MAIN) ? [BUILT_MAIN] : ['--import', 'tsx', 'src/main.ts'];
}
