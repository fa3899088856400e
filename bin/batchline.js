#!/usr/bin/env node
// Launcher of the `batchline` command. Runs the compiled CLI when `npm run build` (or `npm start`, which
// builds first) has made one (dist/src/cli/main.js) and no source file has changed since
// (build-freshness.js); otherwise the TypeScript sources through tsx's ESM loader, so a fresh clone works right after `npm ci` and an edit
// made after a build is never shadowed by the stale compiled copy.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledIsCurrent } from './build-freshness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'dist', 'src', 'cli', 'main.js');

async function loadCli() {
  if (compiledIsCurrent(root, compiled)) return import(pathToFileURL(compiled).href);
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('batchline: cannot run from source: tsx is not installed (run `npm ci`, or `npm run build` for a compiled CLI)\n');
    process.exit(1);
  }
  // The project's tsconfig, whatever the working directory (JSX settings, path rules).
  register({ tsconfig: path.join(root, 'tsconfig.json') });
  return import(pathToFileURL(path.join(root, 'src', 'cli', 'main.ts')).href);
}

const cli = await loadCli();
await cli.runCli(process.argv.slice(2));
