// What a sink file already holds, read from the file itself, so it survives restarts and sees other
// writers' lines. Nothing is remembered between calls: memory stays flat however long the file grows.
import type { FileHandle } from 'node:fs/promises';
import { keyOfLine, type FileFormat } from './format.ts';

const READ_CHUNK = 4 * 1024 * 1024;
/** Read backwards this much at a time to find where a torn last line starts. */
const TAIL_CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * Cuts a torn last line (a crash in the middle of an append: its result was never marked delivered and
 * will come again), so the next append starts on a fresh line and no half record remains. Returns the
 * file's size after.
 */
export async function cutTornTail(handle: FileHandle): Promise<number> {
  const { size } = await handle.stat();
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] === NEWLINE) return size;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - TAIL_CHUNK);
    const buffer = Buffer.alloc(end - start);
    await handle.read(buffer, 0, buffer.length, start);
    const newline = buffer.lastIndexOf(NEWLINE);
    if (newline >= 0) {
      end = start + newline + 1;
      break;
    }
    end = start;
  }
  if (end < size) await handle.truncate(end);
  return end;
}

/** Which of `wanted` the file's first `size` bytes (whole lines) carry, read a chunk at a time. */
export async function keysInFile(handle: FileHandle, format: FileFormat, size: number, wanted: ReadonlySet<string>): Promise<Set<string>> {
  const found = new Set<string>();
  let position = 0;
  let carry = '';
  while (position < size && found.size < wanted.size) {
    const buffer = Buffer.alloc(Math.min(READ_CHUNK, size - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const lines = (carry + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const key = keyOfLine(format, line);
      if (key !== undefined && wanted.has(key)) found.add(key);
    }
  }
  return found;
}
