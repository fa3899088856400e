// Sends a spooled create body from disk at the pace the socket takes it. Node's fetch (undici) reads a
// file-backed Blob ahead of the socket, so a 40 MB body sat in the process as ArrayBuffers while it was
// sent: outside the V8 heap limit, and four creates at once put 100 MB on the service's RSS (bench/RESULTS.md).
// Every other call goes to the global fetch unchanged.
import fs, { openAsBlob } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** Blobs made by fileBlob, with the file each one reads. */
const fileBodies = new WeakMap<Blob, string>();

/** A file-backed Blob that fetchWithFileBodies sends from its file with backpressure. */
export async function fileBlob(file: string, type = 'application/json'): Promise<Blob> {
  const blob = await openAsBlob(file, { type });
  fileBodies.set(blob, file);
  return blob;
}

/** A fetch for the SDK: fileBlob bodies are streamed from disk by node:http(s), the rest is fetch's. */
export function fetchWithFileBodies(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const body = init?.body;
  const file = body instanceof Blob ? fileBodies.get(body) : undefined;
  if (file === undefined || body === undefined || !(body instanceof Blob) || input instanceof Request) return fetch(input, init);
  return sendFile(new URL(input), init ?? {}, file, body.size);
}

function sendFile(url: URL, init: RequestInit, file: string, size: number): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('content-length', String(size));
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  const transport = url.protocol === 'https:' ? https : http;
  const method = (init.method ?? 'POST').toUpperCase();
  return new Promise<Response>((resolve, reject) => {
    const request = transport.request(url, { method, headers: Object.fromEntries(headers), ...(init.signal ? { signal: init.signal } : {}) });
    let answered = false;
    request.once('error', reject);
    request.once('response', (res) => {
      answered = true;
      const answer = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined) continue;
        for (const one of Array.isArray(value) ? value : [value]) answer.append(name, one);
      }
      const status = res.statusCode ?? 502;
      const noBody = status === 204 || status === 304 || method === 'HEAD';
      if (noBody) res.resume();
      const stream = noBody ? null : (Readable.toWeb(res) as WebReadableStream<Uint8Array> as unknown as ReadableStream<Uint8Array>);
      resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: answer }));
    });
    // A read or write failure before the answer destroys the request, which rejects through 'error'
    // above. After it (a 413 or 400 answered before the whole body was read) the answer stands.
    pipeline(fs.createReadStream(file, { highWaterMark: 256 * 1024 }), request).catch((error: unknown) => {
      if (!answered) request.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
}
