// One process at a time on an embedded (PGlite) database: two processes opening the same data dir do
// not see each other's writes and would lose work silently. The lock is a file holding the owner's pid;
// a lock whose process is gone is taken over.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './errors.ts';
import { DATA_DIR_ENTRIES } from '../data-dir.ts';

const LOCK_FILE = DATA_DIR_ENTRIES.lock;

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDir: string, command: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: process.pid, command, started_at: new Date().toISOString() }), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        fs.rmSync(file, { force: true });
      };
      process.on('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(file);
      if (owner && isAlive(owner.pid)) {
        const advice = owner.command === 'serve' ? 'set BATCHLINE_URL to its address (e.g. http://127.0.0.1:8080)' : 'wait for it to end, or run `batchline serve` once and point BATCHLINE_URL at it';
        throw new CliError(`another batchline process (pid ${owner.pid}, "batchline ${owner.command}") is using the embedded database in ${dataDir}; ${advice}`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new CliError(`cannot lock the data directory ${dataDir}`);
}

function readOwner(file: string): { pid: number; command: string } | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown; command?: unknown };
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, command: String(parsed.command ?? '?') } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
