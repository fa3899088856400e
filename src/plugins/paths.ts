// Confines file paths that plugins read or write to BATCHLINE_FILE_ROOTS: no `..`, no symlink escape, no
// dangling link, nothing hidden (a name starting with "."), and never the service's own data directory,
// which holds the generated BATCHLINE_SECRET_KEY and the embedded database (issue #29). The path is resolved
// once to its real location, and that is what callers open (with O_NOFOLLOW), never the name as written.
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export class PathOutsideRootsError extends Error {
  override name = 'PathOutsideRootsError';
}

/**
 * The folders plugins may use, carrying the folders inside them that they may not (the data directory).
 * An array, so every plugin handed `ctx.fileRoots` keeps working, and every call of resolveInsideRoots
 * with it honours the exceptions without being told.
 */
export type FileRoots = readonly string[] & { readonly denied?: readonly string[] };

/** Flags for opening a confined path: a link swapped in after the check makes the open fail (ELOOP). */
export const OPEN_READ = constants.O_RDONLY | constants.O_NOFOLLOW;
export const OPEN_APPEND = constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW;

export function fileRoots(roots: readonly string[], denied: readonly string[] = []): FileRoots {
  const list = roots.map((r) => path.resolve(r));
  Object.defineProperty(list, 'denied', { value: Object.freeze(denied.map((d) => path.resolve(d))), enumerable: false });
  return Object.freeze(list) as FileRoots;
}

/** The roots and their exceptions with every symlink resolved, as real paths are compared against them. */
export interface RealRoots {
  roots: readonly string[];
  denied: readonly string[];
}

export async function realRootsOf(roots: FileRoots): Promise<RealRoots> {
  const real = (p: string) => fs.realpath(p).catch(() => path.resolve(p));
  return { roots: await Promise.all(roots.map(real)), denied: await Promise.all((roots.denied ?? []).map(real)) };
}

export type Refusal = 'outside' | 'data_dir' | 'hidden';

/** Why a real path may not be used, or undefined when it may: outside every root, denied, or hidden below its root. */
export function refusalOf(real: string, realRoots: RealRoots): Refusal | undefined {
  const root = realRoots.roots.find((r) => isInside(real, r));
  if (root === undefined) return 'outside';
  if (realRoots.denied.some((d) => isInside(real, d))) return 'data_dir';
  if (hidden(real, root)) return 'hidden';
  return undefined;
}

/** The refusal as the end of a sentence about the path. */
export function refusalText(refusal: Refusal): string {
  switch (refusal) {
    case 'outside':
      return 'is outside BATCHLINE_FILE_ROOTS';
    case 'data_dir':
      return "is inside the service's data directory (BATCHLINE_DATA_DIR), which plugins never read or write";
    case 'hidden':
      return 'names a hidden file or folder (a name starting with "."), which plugins never read or write';
  }
}

/**
 * Resolves `p` (relative to the first root) to its real path and checks it: written inside a root, and
 * really there once every symlink is followed; not hidden, not denied, not a dangling link. A path that
 * does not exist yet (a file sink's new file) is checked through its nearest existing folder.
 */
export async function resolveInsideRoots(p: string, roots: FileRoots): Promise<string> {
  const first = roots[0];
  if (!first) throw new PathOutsideRootsError('no file roots are configured (BATCHLINE_FILE_ROOTS)');
  const resolved = path.resolve(first, p);
  const lexical = refusalOf(resolved, { roots, denied: roots.denied ?? [] });
  if (lexical !== undefined) throw new PathOutsideRootsError(`path "${p}" ${refusalText(lexical)}`);
  const real = await realLocation(resolved, p);
  const refusal = refusalOf(real, await realRootsOf(roots));
  if (refusal !== undefined) throw new PathOutsideRootsError(`path "${p}" ${refusal === 'outside' ? 'leads outside BATCHLINE_FILE_ROOTS through a symlink' : `leads through a symlink to a place that ${refusalText(refusal)}`}`);
  return real;
}

/** The real path: its nearest existing ancestor's real path plus the parts that do not exist yet. */
async function realLocation(resolved: string, asWritten: string): Promise<string> {
  const missing: string[] = [];
  let probe = resolved;
  for (;;) {
    try {
      return path.join(await fs.realpath(probe), ...missing);
    } catch (error) {
      if (!isMissing(error)) throw error;
      // realpath fails the same way for a name that is not there and for a link to nothing; only the
      // first may be created. Writing through a dangling link would create its target, wherever it points.
      if (await exists(probe)) throw new PathOutsideRootsError(`path "${asWritten}" is or passes through a symbolic link to nothing`);
      const parent = path.dirname(probe);
      if (parent === probe) return resolved;
      missing.unshift(path.basename(probe));
      probe = parent;
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function hidden(child: string, root: string): boolean {
  return path.relative(root, child).split(path.sep).some((part) => part.startsWith('.') && part !== '.' && part !== '..');
}

export function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
