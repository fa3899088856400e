// The `file` sink: appends results to a JSONL or CSV file inside BATCHLINE_FILE_ROOTS, each result
// exactly once. Whether a result is there already is read from the file itself (file-keys.ts), and only
// for results handed to this sink before (ctx.handedOverBefore): a restart after a crash between
// "appended" and "marked delivered" skips what is there instead of writing it again, and a first delivery
// costs no read at all. Every append is one write followed by fsync before success is reported.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { DeliveredResult, DeliveryOutcome, SinkContext, SinkPlugin } from '../../src/plugins/contract.ts';
import { OPEN_APPEND, resolveInsideRoots } from '../../src/plugins/paths.ts';
import { csvHeader, formatLine, type FileFormat } from './format.ts';
import { cutTornTail, keysInFile } from './file-keys.ts';

const configSchema = z.object({
  path: z.string().min(1, 'is required'),
  format: z.enum(['jsonl', 'csv']).optional(),
});
type FileSinkConfig = z.infer<typeof configSchema>;

const locks = new Map<string, Promise<unknown>>();

/** One writer per file in this process: a look at what the file holds and the append after it must not interleave. */
async function exclusive<T>(file: string, work: () => Promise<T>): Promise<T> {
  const previous = locks.get(file) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(work);
  locks.set(file, run);
  try {
    return await run;
  } finally {
    if (locks.get(file) === run) locks.delete(file);
  }
}

function formatOf(config: FileSinkConfig, file: string): FileFormat {
  return config.format ?? (file.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl');
}

async function deliver(config: FileSinkConfig, results: DeliveredResult[], ctx: SinkContext): Promise<DeliveryOutcome[]> {
  let target: string;
  try {
    target = await resolveInsideRoots(config.path, ctx.fileRoots);
  } catch (error) {
    return results.map(() => ({ ok: false, retryable: false, error: (error as Error).message }));
  }
  const format = formatOf(config, target);
  await fs.mkdir(path.dirname(target), { recursive: true });
  await exclusive(target, async () => {
    // The real path the check settled on; a link swapped in since then makes the open fail.
    const handle = await fs.open(target, OPEN_APPEND);
    try {
      const size = await cutTornTail(handle);
      const maybeThere = new Set(results.map((r) => r.idempotency_key).filter((key) => ctx.handedOverBefore?.has(key) ?? true));
      const there = size > 0 && maybeThere.size > 0 ? await keysInFile(handle, format, size, maybeThere) : new Set<string>();
      const fresh = new Set<string>();
      let body = size === 0 && format === 'csv' ? csvHeader() : '';
      for (const r of results) {
        if (there.has(r.idempotency_key) || fresh.has(r.idempotency_key)) continue;
        fresh.add(r.idempotency_key);
        body += formatLine(format, r);
      }
      if (body.length === 0) return;
      await handle.appendFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
  return results.map(() => ({ ok: true }));
}

export const fileSink: SinkPlugin<FileSinkConfig> = {
  name: 'file',
  description: 'Appends results to a JSONL or CSV file under BATCHLINE_FILE_ROOTS, each result exactly once',
  configSchema,
  deliver,
};
