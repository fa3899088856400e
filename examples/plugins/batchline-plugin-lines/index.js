// An example third-party Batchline plugin package. Batchline imports it by name when it is listed in
// BATCHLINE_PLUGINS and calls the default export with the host, which hands over its zod (so the
// config schemas are the host's own) and its error classes. See docs/plugins.md.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';

/** @param {{ z: import('zod').z, errors: { SourceConfigError: new (field: string, message: string) => Error, SourceFatalError: new (message: string) => Error } }} host */
export default function register({ z, errors }) {
  const linesConfig = z.object({
    path: z.string().min(1).describe('A text file inside BATCHLINE_FILE_ROOTS'),
    min_length: z.number().int().min(0).default(1).describe('Lines shorter than this (after trimming) are skipped'),
  });

  /** Resolves the path inside the roots, following symlinks, or explains why not. */
  async function confined(file, roots) {
    const resolved = path.resolve(roots[0] ?? '.', file);
    let real;
    try {
      real = await fs.realpath(resolved);
    } catch {
      throw new errors.SourceConfigError('path', `${file} does not exist`);
    }
    const realRoots = await Promise.all(roots.map((r) => fs.realpath(r).catch(() => r)));
    const inside = realRoots.some((root) => {
      const rel = path.relative(root, real);
      return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    });
    if (!inside) throw new errors.SourceConfigError('path', `${file} is outside BATCHLINE_FILE_ROOTS`);
    return real;
  }

  const lines = {
    name: 'lines',
    description: 'One document per line of a text file (example plugin)',
    configSchema: linesConfig,
    async check(config, ctx) {
      const file = await confined(config.path, ctx.fileRoots);
      if (!(await fs.stat(file)).isFile()) throw new errors.SourceConfigError('path', `${config.path} is not a file`);
    },
    async *read(config, ctx) {
      const file = await confined(config.path, ctx.fileRoots);
      const input = readline.createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      let number = 0;
      for await (const line of input) {
        number += 1;
        // Throw, not return: a read that ends quietly on abort would look like the end of the file.
        ctx.signal.throwIfAborted();
        const text = line.trim();
        if (text.length < config.min_length) continue;
        // The line number is a stable id: reading the file again yields the same documents.
        yield { id: `line-${number}`, text, metadata: { line: number, file: path.basename(file) } };
      }
    },
  };

  return { sources: [lines] };
}
