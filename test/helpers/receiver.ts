// A local webhook receiver for sink tests: records every request and answers as the test scripts it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Responder = (call: number, request: ReceivedRequest) => { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  respond: Responder;
  close(): Promise<void>;
}

export async function startReceiver(respond: Responder = () => ({ status: 200 })): Promise<Receiver> {
  const receiver: Receiver = { url: '', requests: [], respond, close: async () => {} };
  let calls = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      calls += 1;
      const answer = receiver.respond(calls, request);
      if (answer.status >= 200 && answer.status < 300) receiver.requests.push(request);
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? '');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Every result the receiver accepted, by idempotency key, with each distinct payload seen for it. */
export function payloadsByKey(requests: ReceivedRequest[]): Map<string, Set<string>> {
  const byKey = new Map<string, Set<string>>();
  for (const r of requests) {
    const body = JSON.parse(r.body) as { results: Array<{ idempotency_key: string }> };
    for (const result of body.results) {
      const seen = byKey.get(result.idempotency_key) ?? new Set<string>();
      seen.add(JSON.stringify(result));
      byKey.set(result.idempotency_key, seen);
    }
  }
  return byKey;
}
