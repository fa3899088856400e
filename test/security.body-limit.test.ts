// Issue #29, bodies on the signed routes: anyone may send them (the signature is checked on the body), so
// their limits fit what they carry (16 KB for a batch callback, 256 KB for a source event) and are enforced
// while the body arrives, before the signature check reads it: a 1 MB upload is answered 413 after its
// first kilobytes, whether it declares its length or is chunked, and nothing is recorded.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startTestService } from './helpers/service.ts';

const MB = 1024 * 1024;
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator();
  service = await startTestService(db, sim.url, { WEBHOOK_SECRET });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

/** A correctly signed callback of `size` bytes: only its size can get it refused. */
function signedCallback(size: number): { body: Buffer; headers: Record<string, string> } {
  const prefix = '{"type":"message_batch.ended","batch_id":"msgbatch_big","pad":"';
  const body = Buffer.from(`${prefix}${'x'.repeat(size - prefix.length - 2)}"}`);
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const at = new Date();
  const signature = new Webhook(WEBHOOK_SECRET).sign(id, at, body.toString());
  return { body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature } };
}

/**
 * Sends `body` in 8 KB chunks, 5 ms apart, stopping once the answer arrives; resolves with the status and
 * how much had been sent by then. Gives up (status 0) after `timeoutMs` without an answer.
 */
function upload(path: string, headers: Record<string, string>, body: Buffer, timeoutMs = 5000): Promise<{ status: number; sent: number }> {
  const url = new URL(service.url);
  return new Promise((resolve) => {
    let sent = 0;
    let answered = false;
    const req = http.request({ host: url.hostname, port: url.port, method: 'POST', path, headers }, (res) => {
      answered = true;
      res.resume();
      resolve({ status: res.statusCode ?? 0, sent });
    });
    // The server closes the connection of an upload it stopped reading: expected here.
    req.on('error', () => undefined);
    const timer = setTimeout(() => {
      if (answered) return;
      answered = true;
      req.destroy();
      resolve({ status: 0, sent });
    }, timeoutMs);
    void (async () => {
      for (let offset = 0; offset < body.length && !answered; offset += 8192) {
        req.write(body.subarray(offset, offset + 8192));
        sent = Math.min(body.length, offset + 8192);
        await new Promise((r) => setTimeout(r, 5));
      }
      if (!answered) req.end();
      clearTimeout(timer);
    })();
  });
}

async function callbackRows(): Promise<number> {
  return (await service.database.db.selectFrom('callback_events').select('webhook_id').execute()).length;
}

test('a 1 MB callback declaring its length is answered 413 before the rest of it is sent', async () => {
  const { body, headers } = signedCallback(MB);
  const res = await upload('/v1/callbacks/batches', { ...headers, 'content-length': String(body.length) }, body);
  assert.equal(res.status, 413);
  assert.ok(res.sent < 256 * 1024, `answered after ${res.sent} of ${body.length} bytes`);
  assert.equal(await callbackRows(), 0);
});

test('a chunked 1 MB callback is answered 413 once it passes 16 KB, and is not recorded', async () => {
  const { body, headers } = signedCallback(MB);
  const res = await upload('/v1/callbacks/batches', headers, body);
  assert.equal(res.status, 413);
  assert.ok(res.sent < 256 * 1024, `answered after ${res.sent} of ${body.length} bytes`);
  assert.equal(await callbackRows(), 0);

  // A callback of ordinary size still goes through the same way.
  const small = signedCallback(300);
  const ok = await upload('/v1/callbacks/batches', small.headers, small.body);
  assert.equal(ok.status, 202);
  assert.equal(await callbackRows(), 1);
});

test('a source webhook is refused 413 above 256 KB, while the signed routes cannot be sent anything bigger', async () => {
  const event = (size: number) => Buffer.from(`{"ticket":{"id":1,"description":"${'y'.repeat(size - 40)}"}}`);
  const big = await upload('/v1/connections/desk/webhook', { 'content-type': 'application/json' }, event(MB));
  assert.equal(big.status, 413);
  assert.ok(big.sent < 512 * 1024, `answered after ${big.sent} bytes`);
  const fits = await upload('/v1/connections/desk/webhook', { 'content-type': 'application/json' }, event(200 * 1024));
  assert.equal(fits.status, 401, 'within the limit, it is the signature that decides');
});
