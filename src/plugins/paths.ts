// Confines file paths that plugins read or write to BATCHLINE_FILE_ROOTS: no `..`, no symlink escape.
import fs from 'node:fs/promises';
import path from 'node:path';

export class PathOutsideRootsError extends Error {
  override name = 'PathOutsideRootsError';
}

/** Resolves `p` (relative to the first root) and checks that it, and its real location, stay inside a root. */
export async function resolveInsideRoots(p: string, roots: readonly string[]): Promise<string> {
  const first = roots[0];
  if (!first) throw new PathOutsideRootsError('no file roots are configured (BATCHLINE_FILE_ROOTS)');
  const resolved = path.resolve(first, p);
  if (!roots.some((root) => isInside(resolved, root))) {
    throw new PathOutsideRootsError(`path "${p}" is outside BATCHLINE_FILE_ROOTS`);
  }
  // The nearest existing ancestor must also be inside once symlinks are followed.
  let probe = resolved;
  for (;;) {
    try {
      const real = await fs.realpath(probe);
      const realRoots = await Promise.all(roots.map((r) => fs.realpath(r).catch(() => r)));
      if (!realRoots.some((root) => isInside(real, root))) throw new PathOutsideRootsError(`path "${p}" leaves BATCHLINE_FILE_ROOTS through a symlink`);
      return resolved;
    } catch (error) {
      if (error instanceof PathOutsideRootsError) throw error;
      const parent = path.dirname(probe);
      if (parent === probe) return resolved;
      probe = parent;
    }
  }
}

function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
