// What a sink file already holds: the idempotency keys of its complete lines, learned by reading the
// file (so it survives restarts) and kept up to date incrementally. A torn last line — a crash in the
// middle of an append — is cut off first: its result was never marked delivered and will come again.
import type { FileHandle } from 'node:fs/promises';
import { keyOfLine, type FileFormat } from './format.ts';

export interface Ledger {
  /** Bytes of the file already read into `keys`. */
  offset: number;
  keys: Set<string>;
}

const READ_CHUNK = 4 * 1024 * 1024;

/** Brings the ledger up to the file's current end (lines other writers appended included). */
export async function catchUp(handle: FileHandle, format: FileFormat, ledger: Ledger): Promise<void> {
  let { size } = await handle.stat();
  if (size < ledger.offset) {
    // Truncated or replaced behind our back: start over.
    ledger.offset = 0;
    ledger.keys.clear();
  }
  if (size === ledger.offset) return;
  let position = ledger.offset;
  let carry = '';
  while (position < size) {
    const buffer = Buffer.alloc(Math.min(READ_CHUNK, size - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const text = carry + buffer.subarray(0, bytesRead).toString('utf8');
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const key = keyOfLine(format, line);
      if (key) ledger.keys.add(key);
    }
  }
  if (carry.length > 0) {
    // A torn tail: cut it so the next append starts on a fresh line and no half record remains.
    size -= Buffer.byteLength(carry);
    await handle.truncate(size);
  }
  ledger.offset = size;
}
