// Reads the bytes a stored document's file reference points at (a PDF or image of a folder source), and
// only if they are still the bytes that were ingested: a file changed or gone since is an error, never a wrong request.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { FileRef } from '../../plugins/contract.ts';
import type { Attachment } from './document.ts';

export async function readFileRef(ref: FileRef): Promise<Attachment> {
  const name = ref.name ?? ref.path;
  let bytes: Buffer;
  try {
    // Not a file of the size that was read at ingest (replaced, or a FIFO or device now): never read it.
    const stat = await fs.stat(ref.path);
    if (!stat.isFile() || stat.size !== ref.bytes) throw new Error(`${name} changed after it was read; ingest it again`);
    bytes = await fs.readFile(ref.path);
  } catch (error) {
    if (error instanceof Error && !('code' in error)) throw error;
    throw new Error(`${name} cannot be read any more (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== ref.sha256) throw new Error(`${name} changed after it was read; ingest it again`);
  return { media_type: ref.media_type, data: bytes.toString('base64'), ...(ref.name ? { name: ref.name } : {}) };
}
