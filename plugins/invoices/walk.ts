// Walks an invoice folder in a fixed order (names sorted, depth first), skipping the noise folders collect
// (.DS_Store, Thumbs.db, desktop.ini, Office's ~$ lock files). Every entry is resolved to its real path
// and checked against the roots before anything reads it: a symlink leading out is reported, not followed.
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../src/logger.ts';
import { refusalOf, refusalText, type RealRoots } from '../../src/plugins/paths.ts';

export interface FolderFile {
  /** Relative to the folder, with `/` separators: the name users know the file by. */
  rel: string;
  name: string;
  /** Absolute path with every symlink resolved; inside the roots. */
  real: string;
  stat: Stats;
}

/** An entry that cannot be read (a link out of the roots, a broken link, no permission). */
export interface FolderProblem {
  rel: string;
  name: string;
  problem: { type: 'outside_roots' | 'unreadable_file'; message: string };
}

export type FolderEntry = FolderFile | FolderProblem;

export interface WalkOptions {
  recursive: boolean;
  /** The roots with their own symlinks resolved, as real paths are compared against them. */
  realRoots: RealRoots;
  signal: AbortSignal;
  log: Logger;
}

const NOISE = new Set(['thumbs.db', 'ehthumbs.db', 'desktop.ini']);

/** Files and folders nobody means to send: hidden ones (.DS_Store, ._x, .git), Windows' and Office's leftovers. */
export function isNoise(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~$') || NOISE.has(name.toLowerCase());
}

/** `folder` must be a real path inside the roots; its listing failing is thrown (the read is retried). */
export async function* walkFolder(folder: string, options: WalkOptions): AsyncGenerator<FolderEntry> {
  const visited = new Set<string>([folder]);
  yield* walkDirectory(folder, '', options, visited);
}

async function* walkDirectory(dir: string, relDir: string, options: WalkOptions, visited: Set<string>): AsyncGenerator<FolderEntry> {
  const names = (await fs.readdir(dir)).sort(byCodeUnit);
  for (const name of names) {
    options.signal.throwIfAborted();
    const rel = relDir ? `${relDir}/${name}` : name;
    if (isNoise(name)) {
      options.log.debug({ file: rel }, 'invoices: skipped (hidden or system file)');
      continue;
    }
    let real: string;
    let stat: Stats;
    try {
      real = await fs.realpath(path.join(dir, name));
    } catch (error) {
      yield { rel, name, problem: { type: 'unreadable_file', message: `${rel}: cannot be read (${codeOf(error)}${codeOf(error) === 'ENOENT' ? ': a broken link?' : ''})` } };
      continue;
    }
    const refusal = refusalOf(real, options.realRoots);
    if (refusal !== undefined) {
      // A link out of the roots, or to a hidden file or the data directory inside them.
      options.log.warn({ file: rel, target: real }, 'invoices: a link leads where plugins may not read; not read');
      yield { rel, name, problem: { type: 'outside_roots', message: `${rel}: is a link to a place that ${refusalText(refusal)}, so it was not read` } };
      continue;
    }
    try {
      stat = await fs.stat(real);
    } catch (error) {
      yield { rel, name, problem: { type: 'unreadable_file', message: `${rel}: cannot be read (${codeOf(error)})` } };
      continue;
    }
    if (stat.isDirectory()) {
      if (!options.recursive) {
        options.log.debug({ folder: rel }, 'invoices: skipped a folder (recursive is off)');
      } else if (visited.has(real)) {
        options.log.debug({ folder: rel }, 'invoices: skipped a folder already read (a link loop)');
      } else {
        visited.add(real);
        try {
          yield* walkDirectory(real, rel, options, visited);
        } catch (error) {
          if (options.signal.aborted || !isFsError(error)) throw error;
          yield { rel, name, problem: { type: 'unreadable_file', message: `${rel}/: the folder cannot be listed (${codeOf(error)})` } };
        }
      }
    } else if (stat.isFile()) {
      yield { rel, name, real, stat };
    } else {
      options.log.debug({ file: rel }, 'invoices: skipped (not a regular file)');
    }
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isFsError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? (error instanceof Error ? error.message : String(error));
}
