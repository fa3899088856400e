// Low-level HTTP helpers: bounded body reading, JSON responses and the API's error envelope (reference §5).
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
}

export interface BodyRead {
  text: string;
  tooLarge: boolean;
}

/**
 * Reads the whole body, keeping at most `maxBytes`. An oversized body is still drained (and dropped),
 * so the client finishes sending and then reads our 413 instead of a reset connection.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBytes) {
      tooLarge = true;
      chunks.length = 0;
    }
    if (!tooLarge) chunks.push(buffer);
  }
  return { text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge };
}

export function sendJson(ex: Exchange, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  ex.res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
  });
  ex.res.end(payload);
}

export function sendError(
  ex: Exchange,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(ex, status, { type: 'error', error: { type, message }, request_id: ex.requestId }, headers);
}

export type JsonBody = { ok: true; value: unknown } | { ok: false };

/** Parses a JSON body; on failure answers 400 itself. An empty body parses as undefined. */
export function parseJsonBody(ex: Exchange, text: string): JsonBody {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    sendError(ex, 400, 'invalid_request_error', `Request body is not valid JSON: ${(error as Error).message}`);
    return { ok: false };
  }
}
