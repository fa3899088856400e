// The create path's fetch: a spooled body reaches the simulator whole, with its Content-Length, through the
// real SDK; its answers (200, 4xx with the API's error, an abort) come back as the SDK expects them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { createProviderClient } from './client.ts';
import { fileBlob } from './file-body-fetch.ts';
import { startSimulator } from './simulator/index.ts';

function spool(requests: unknown[]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'file-body-')), 'body.json');
  fs.writeFileSync(file, JSON.stringify({ requests }));
  return file;
}

const request = (i: number) => ({ custom_id: `r${i}`, params: { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: `document ${i} ${'é'.repeat(500)}` }] } });

test('a spooled create body is sent from its file, whole, and the batch is created', async () => {
  const sim = await startSimulator({ processingMs: 10 });
  try {
    const client = createProviderClient({ apiKey: 'k', baseURL: sim.url });
    const file = spool(Array.from({ length: 300 }, (_, i) => request(i)));
    const created = await client.post<MessageBatch>('/v1/messages/batches', { body: await fileBlob(file), headers: { 'content-type': 'application/json' }, maxRetries: 0 });
    assert.equal(created.type, 'message_batch');
    assert.equal(created.request_counts.processing, 300);
    assert.deepEqual([...sim.submitted()].map((r) => r.custom_id).sort(), Array.from({ length: 300 }, (_, i) => `r${i}`).sort());
    // Other calls go through fetch as before.
    const seen = await client.messages.batches.retrieve(created.id);
    assert.equal(seen.id, created.id);
  } finally {
    await sim.close();
  }
});

test("the API's refusal of a spooled body is the SDK's error with its status and type", async () => {
  const sim = await startSimulator({ processingMs: 10 });
  try {
    const client = createProviderClient({ apiKey: 'k', baseURL: sim.url });
    const file = spool([]);
    await assert.rejects(
      client.post('/v1/messages/batches', { body: await fileBlob(file), headers: { 'content-type': 'application/json' }, maxRetries: 0 }),
      (error: unknown) => error instanceof Anthropic.BadRequestError && error.status === 400 && /invalid_request_error/.test(JSON.stringify(error.error)),
    );
  } finally {
    await sim.close();
  }
});

test('the Content-Length is the file size and an aborted send rejects', async () => {
  let seen: { length: string | undefined; bytes: number } | undefined;
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      seen = { length: req.headers['content-length'], bytes };
      if (req.headers['x-hang']) return; // never answers: the caller's signal ends it
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_1' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const client = createProviderClient({ apiKey: 'k', baseURL: `http://127.0.0.1:${port}` });
    const file = spool(Array.from({ length: 50 }, (_, i) => request(i)));
    const answer = await client.post<{ ok: boolean }>('/v1/messages/batches', { body: await fileBlob(file), headers: { 'content-type': 'application/json' }, maxRetries: 0 });
    assert.deepEqual(answer, { ok: true });
    assert.equal(seen?.length, String(fs.statSync(file).size));
    assert.equal(seen?.bytes, fs.statSync(file).size);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(client.post('/v1/messages/batches', { body: await fileBlob(file), headers: { 'content-type': 'application/json', 'x-hang': '1' }, maxRetries: 0, signal: controller.signal }));
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
