// Whether the compiled build (`npm run build` → dist/) may stand in for the TypeScript sources: it exists,
// and no file of src/ or plugins/ changed after it was written. An image without the sources (the
// production image copies dist/ only) is current by definition. Used by the `batchline` launcher and by
// the tests that start the service or the CLI as child processes.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const SOURCE_DIRS = ['src', 'plugins'];

/** `entry` is a compiled file, e.g. <root>/dist/src/main.js; its time is the build's. */
export function compiledIsCurrent(root, entry) {
  if (!existsSync(entry)) return false;
  const builtAt = statSync(entry).mtimeMs;
  return SOURCE_DIRS.map((dir) => path.join(root, dir))
    .filter((dir) => existsSync(dir))
    .every((dir) => readdirSync(dir, { recursive: true }).every((file) => statSync(path.join(dir, String(file))).mtimeMs <= builtAt));
}
