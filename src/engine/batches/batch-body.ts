// Writes a batch's create body, {"requests":[…]}, to a spool file request by request: items are read
// from Postgres a page at a time, and a document's file bytes only when its own request is written. The
// file is then sent as a file-backed Blob, with a Content-Length (reference §13), read from disk at the
// socket's pace (provider/file-body-fetch.ts): memory holds a page of items, never the batch, whatever
// its size (up to the API's 256 MB).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Batch } from '../../db/types.ts';
import { fileBlob } from '../../provider/file-body-fetch.ts';
import type { ResolvedTask } from '../../tasks/types.ts';
import type { EngineContext } from '../context.ts';
import { batchRequestJson, type Unsendable } from './materialize.ts';
import type { BuildOptions } from '../documents/request.ts';
import { DATA_DIR_ENTRIES } from '../../data-dir.ts';

/** Bytes gathered before each write: few syscalls, little memory. */
const WRITE_CHUNK_BYTES = 1024 * 1024;
/** Spool files older than this belong to no live create call (the longest takes 10 minutes). */
const STALE_SPOOL_MS = 60 * 60 * 1000;

export interface SpooledBody {
  file: string;
  bytes: number;
  requests: number;
  /** Items whose request could not be built (their file changed or vanished): they leave the batch. */
  unsendable: Unsendable[];
  /** The body as a file-backed Blob, read from disk as it is sent. */
  blob(): Promise<Blob>;
  remove(): Promise<void>;
}

export function spoolDir(ctx: Pick<EngineContext, 'config'>): string {
  return path.resolve(ctx.config.BATCHLINE_DATA_DIR, DATA_DIR_ENTRIES.spool);
}

export async function spoolBatchBody(ctx: EngineContext, batch: Batch, task: ResolvedTask, build: BuildOptions, signal: AbortSignal): Promise<SpooledBody> {
  const dir = spoolDir(ctx);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `batch-${batch.id}-${randomBytes(4).toString('hex')}.json`);
  const handle = await fs.open(file, 'w');
  const unsendable: Unsendable[] = [];
  let requests = 0;
  let bytes = 0;
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    // Encoded once: its length is the bytes written.
    const chunk = Buffer.from(pending.join(''));
    pending = [];
    pendingBytes = 0;
    bytes += chunk.length;
    await handle.write(chunk);
  };
  try {
    pending.push('{"requests":[');
    for await (const json of batchRequestJson(ctx.db, ctx.tag, batch.id, task, build)) {
      signal.throwIfAborted();
      if (typeof json !== 'string') {
        unsendable.push(json);
        continue;
      }
      pending.push(requests === 0 ? json : `,${json}`);
      pendingBytes += json.length + 1;
      requests += 1;
      if (pendingBytes >= WRITE_CHUNK_BYTES) await flush();
    }
    pending.push(']}');
    await flush();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(file, { force: true });
    throw error;
  }
  await handle.close();
  return {
    file,
    bytes,
    requests,
    unsendable,
    blob: () => fileBlob(file),
    remove: () => fs.rm(file, { force: true }),
  };
}

/** At start-up: spool files left by a process that died mid-create (their create is over, or was never sent). */
export async function sweepSpool(ctx: Pick<EngineContext, 'config' | 'log'>): Promise<void> {
  const dir = spoolDir(ctx);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > STALE_SPOOL_MS) await fs.rm(file, { force: true }).catch((error: unknown) => ctx.log.warn({ err: error, file }, 'could not remove a stale spool file'));
  }
}
