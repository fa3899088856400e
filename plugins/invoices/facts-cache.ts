// Remembers what was learnt about a PDF or image (hash, type, pages) by where it is and how it looks on
// disk, so a watched folder's rescans do not read and hash unchanged files again. In memory, per process,
// bounded; a miss only costs a re-read, and the engine checks the hash again before sending.
import type { Stats } from 'node:fs';
import type { BinaryKind } from './sniff.ts';

export type BinaryFacts = BinaryKind & { sha256: string; bytes: number; pages?: number; encrypted?: boolean };

const MAX_ENTRIES = 20_000;
const cache = new Map<string, BinaryFacts>();
const stats = { hits: 0, misses: 0 };

/** Real path and what changes with any write (size, mtime, ctime) or replacement (device, inode). */
export function factsKey(real: string, stat: Stats): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${real}`;
}

export function cachedFacts(key: string): BinaryFacts | undefined {
  const facts = cache.get(key);
  if (!facts) {
    stats.misses++;
    return undefined;
  }
  stats.hits++;
  // Least recently used goes first: re-insert on every hit.
  cache.delete(key);
  cache.set(key, facts);
  return facts;
}

export function rememberFacts(key: string, facts: BinaryFacts): void {
  cache.set(key, facts);
  if (cache.size > MAX_ENTRIES) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}

/** Hits and misses so far in this process, for tests and debugging. */
export function factsCacheStats(): { hits: number; misses: number; size: number } {
  return { ...stats, size: cache.size };
}
