// Issue #29, DNS rebinding: without BATCHLINE_API_KEYS the service (on loopback) answers only requests that
// name a loopback host or its HOST, so a web page whose name was rebound to 127.0.0.1 drives neither the
// API nor the dashboard. Requests go to 127.0.0.1 with the Host header a browser on that page would send.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startTestService } from './helpers/service.ts';

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let port: number;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator();
  service = await startTestService(db, sim.url);
  port = Number(new URL(service.url).port);
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

/** A request to 127.0.0.1 naming `host` (fetch does not let a caller choose the Host header). */
function request(method: string, path: string, host: string, body?: string): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { host, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) };
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a request naming another host is refused 421 on the API and on the dashboard, and changes nothing', async () => {
  for (const host of ['evil.example:8080', 'evil.example', `attacker.example:${port}`, `127.0.0.1.evil.example:${port}`]) {
    for (const path of ['/v1/jobs', '/', '/jobs/job_x', '/openapi.json']) {
      const res = await request('GET', path, host);
      assert.equal(res.status, 421, `${host} ${path}`);
      assert.match(res.type, /application\/problem\+json/);
      assert.equal((JSON.parse(res.text) as { code: string }).code, 'misdirected_request');
    }
  }
  const create = await request('POST', '/v1/jobs', 'evil.example:8080', JSON.stringify({ task: 'ticket-triage', documents: [{ id: 'a', text: 'hi' }] }));
  assert.equal(create.status, 421);
  const jobs = await service.database.db.selectFrom('jobs').select('id').execute();
  assert.equal(jobs.length, 0, 'no job was created');
});

test('loopback names and the configured HOST, with any port, are served', async () => {
  for (const host of [`localhost:${port}`, 'localhost', `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
    assert.equal((await request('GET', '/v1/jobs', host)).status, 200, host);
    assert.equal((await request('GET', '/', host)).status, 200, `${host} dashboard`);
  }
});
