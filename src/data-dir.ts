// What the service keeps in BATCHLINE_DATA_DIR, named once: the places that write these files use the
// names, and the file roots deny them to plugins (plugins/paths.ts).
import path from 'node:path';
import { isInside } from './plugins/paths.ts';

export const DATA_DIR_ENTRIES = {
  /** The generated development BATCHLINE_SECRET_KEY: whoever reads it opens every sealed secret. */
  secretKey: 'secret.key',
  /** The embedded PGlite database. */
  pglite: 'pgdata',
  /** Batch bodies spooled before batches.create (documents' text). */
  spool: 'spool',
  /** The embedded CLI server's log. */
  embeddedLog: 'batchline.log',
  /** One process at a time on an embedded data directory. */
  lock: 'batchline.lock',
} as const;

/**
 * What plugins may never touch: the whole data directory; or, when an operator made it (or a folder in it)
 * a file root on purpose, the service's own files in it.
 */
export function deniedToPlugins(dataDir: string, roots: readonly string[]): string[] {
  const data = path.resolve(dataDir);
  if (!roots.some((root) => isInside(path.resolve(root), data))) return [data];
  return Object.values(DATA_DIR_ENTRIES).map((entry) => path.join(data, entry));
}
