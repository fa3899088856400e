// Streams an ended batch's results as JSONL, built line by line with backpressure, never in submission order.
import type { ServerResponse } from 'node:http';
import { hash32 } from './hash.ts';
import type { Exchange } from './http-io.ts';
import type { ModelErrorRates } from './model-errors.ts';
import { resultLine } from './result-line.ts';
import type { BatchRecord } from './store.ts';

// Lines are gathered into chunks of about this many characters before each write.
const CHUNK_CHARS = 64 * 1024;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The real API guarantees no order, so clients must match by custom_id. A stride permutation
 * (k·stride + offset mod n, stride coprime to n) shuffles deterministically in O(1) memory.
 */
export function resultOrder(batchId: string, n: number): (k: number) => number {
  const seed = hash32(batchId);
  let stride = n > 2 ? (seed % (n - 1)) + 1 : 1;
  while (gcd(stride, n) !== 1) stride += 1;
  let offset = n > 0 ? (seed >>> 7) % n : 0;
  if (stride === 1 && offset === 0 && n > 1) offset = n - 1;
  return (k) => (k * stride + offset) % n;
}

// Resolves true once the socket drains, false if the client went away first.
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

function flushed(res: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => res.write(text, () => resolve()));
}

/** Streams every result line; with `cut`, stops about halfway inside a line and destroys the socket. */
export async function streamResults(ex: Exchange, batch: BatchRecord, cut: boolean, errorRates?: ModelErrorRates): Promise<void> {
  const { res } = ex;
  res.writeHead(200, { 'content-type': 'application/binary' });
  const n = batch.requests.length;
  const order = resultOrder(batch.id, n);
  const cutAt = cut ? Math.floor(n / 2) : -1;
  let chunk = '';
  for (let k = 0; k < n; k++) {
    if (res.destroyed) return;
    const line = resultLine(batch, order(k), errorRates);
    if (k === cutAt) {
      await flushed(res, chunk + line.slice(0, Math.ceil(line.length / 2)));
      res.destroy();
      return;
    }
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      const ok = res.write(chunk);
      chunk = '';
      if (!ok && !(await drained(res))) return;
      // Building lines is synchronous work: let the process's other sockets have a turn between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  res.end(chunk);
}
