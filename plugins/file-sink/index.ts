// The `file` sink: appends results as JSON lines to a file inside BATCHLINE_FILE_ROOTS.
// Each call writes all its lines with one append and fsyncs before reporting success, so a result is
// marked delivered only once it is on disk, and a crash never leaves half a line behind unnoticed.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { DeliveredResult, DeliveryOutcome, SinkContext, SinkPlugin } from '../../src/plugins/contract.ts';
import { resolveInsideRoots } from '../../src/plugins/paths.ts';

const configSchema = z.object({
  path: z.string().min(1, 'is required'),
  format: z.enum(['jsonl']).default('jsonl'),
});
type FileSinkConfig = z.infer<typeof configSchema>;

async function deliver(config: FileSinkConfig, results: DeliveredResult[], ctx: SinkContext): Promise<DeliveryOutcome[]> {
  let target: string;
  try {
    target = await resolveInsideRoots(config.path, ctx.fileRoots);
  } catch (error) {
    return results.map(() => ({ ok: false, retryable: false, error: (error as Error).message }));
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  const handle = await fs.open(target, 'a+');
  try {
    // A crash mid-write can leave a torn last line: start on a fresh line so ours stay whole.
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    const body = prefix + results.map((r) => JSON.stringify(r)).join('\n') + '\n';
    await handle.appendFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return results.map(() => ({ ok: true }));
}

export const fileSink: SinkPlugin<FileSinkConfig> = {
  name: 'file',
  description: 'Appends results as JSON lines to a file under BATCHLINE_FILE_ROOTS',
  configSchema: configSchema as z.ZodType<FileSinkConfig>,
  deliver,
};
