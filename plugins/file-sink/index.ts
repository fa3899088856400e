// The `file` sink: appends results to a JSONL or CSV file inside BATCHLINE_FILE_ROOTS, each result
// exactly once. The keys already in the file are read from the file itself (ledger.ts), so a restart
// after a crash between "appended" and "marked delivered" skips what is there instead of writing it again;
// every append is one write followed by fsync before success is reported.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { DeliveredResult, DeliveryOutcome, SinkContext, SinkPlugin } from '../../src/plugins/contract.ts';
import { resolveInsideRoots } from '../../src/plugins/paths.ts';
import { csvHeader, formatLine, type FileFormat } from './format.ts';
import { catchUp, type Ledger } from './ledger.ts';

const configSchema = z.object({
  path: z.string().min(1, 'is required'),
  format: z.enum(['jsonl', 'csv']).optional(),
});
type FileSinkConfig = z.infer<typeof configSchema>;

const ledgers = new Map<string, Ledger>();
const locks = new Map<string, Promise<unknown>>();

/** One writer per file in this process: appends and ledger updates must not interleave. */
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
    const handle = await fs.open(target, 'a+');
    try {
      const ledger = ledgers.get(target) ?? { offset: 0, keys: new Set<string>() };
      ledgers.set(target, ledger);
      await catchUp(handle, format, ledger);
      const fresh = new Set<string>();
      let body = ledger.offset === 0 && format === 'csv' ? csvHeader() : '';
      for (const r of results) {
        if (ledger.keys.has(r.idempotency_key) || fresh.has(r.idempotency_key)) continue;
        fresh.add(r.idempotency_key);
        body += formatLine(format, r);
      }
      if (body.length === 0) return;
      await handle.appendFile(body);
      await handle.sync();
      ledger.offset += Buffer.byteLength(body);
      for (const key of fresh) ledger.keys.add(key);
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
