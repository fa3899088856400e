// Decoding an export file as a stream of UTF-8 chunks, whatever it was written in. Play Console CSVs are
// UTF-16 (formats.md B: little-endian with a BOM as far as anyone has seen); they go through a streaming
// TextDecoder, which keeps characters split across chunk boundaries whole, and are re-encoded as UTF-8
// so the CSV and JSONL readers only ever see one encoding. Byte-order marks are dropped.
import fs from 'node:fs/promises';
import { OPEN_READ } from '../../src/plugins/paths.ts';

export type Encoding = 'utf8' | 'utf16le' | 'utf16be';
export type EncodingSetting = 'auto' | 'utf8' | 'utf16le';

/** Bytes read per chunk: large enough that per-chunk costs vanish, small enough to keep memory flat. */
const CHUNK_BYTES = 256 * 1024;

/** The encoding a file's first bytes announce: a BOM, else (no BOM) UTF-16 recognized by its zero bytes, else UTF-8. */
export function sniffEncoding(head: Uint8Array, setting: EncodingSetting): Encoding {
  if (setting !== 'auto') return setting;
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
  // ASCII text in UTF-16 without a BOM: every other byte is zero. Real UTF-8 text has no NUL bytes.
  const pairs = Math.min(head.length >> 1, 64);
  if (pairs < 2) return 'utf8';
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) zeroEven++;
    if (head[2 * i + 1] === 0) zeroOdd++;
  }
  if (zeroOdd >= pairs * 0.75 && zeroEven === 0) return 'utf16le';
  if (zeroEven >= pairs * 0.75 && zeroOdd === 0) return 'utf16be';
  return 'utf8';
}

/** Decodes a whole (small) buffer, e.g. the sample a format is sniffed from; a character cut at the end is replaced. */
export function decodeSample(bytes: Uint8Array, encoding: Encoding): string {
  return new TextDecoder(decoderLabel(encoding)).decode(bytes);
}

/** The file as UTF-8 chunks without a BOM, read as it is consumed; stops quietly when `signal` aborts. */
export async function* utf8Chunks(file: string, encoding: Encoding, signal: AbortSignal): AsyncGenerator<Buffer> {
  // `file` is the real path resolveInsideRoots settled on: a link swapped in since makes the open fail.
  const handle = await fs.open(file, OPEN_READ);
  const stream = handle.createReadStream({ highWaterMark: CHUNK_BYTES });
  try {
    if (encoding === 'utf8') {
      let first = true;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (signal.aborted) return;
        if (first) {
          first = false;
          yield chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? chunk.subarray(3) : chunk;
        } else {
          yield chunk;
        }
      }
      return;
    }
    // A TextDecoder drops the BOM itself (ignoreBOM defaults to false) and, in stream mode, carries a
    // half character over to the next chunk.
    const decoder = new TextDecoder(decoderLabel(encoding));
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal.aborted) return;
      const text = decoder.decode(chunk, { stream: true });
      if (text.length > 0) yield Buffer.from(text, 'utf8');
    }
    const tail = decoder.decode();
    if (tail.length > 0) yield Buffer.from(tail, 'utf8');
  } finally {
    stream.destroy();
  }
}

function decoderLabel(encoding: Encoding): string {
  return encoding === 'utf8' ? 'utf-8' : encoding === 'utf16le' ? 'utf-16le' : 'utf-16be';
}
