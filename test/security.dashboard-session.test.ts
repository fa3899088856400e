// Issue #29, dashboard sessions: logging out ends the session on the server (a copy of the cookie opens
// nothing afterwards, another session stays open), and the cookie is `__Host-` + Secure whenever the
// dashboard is not plain http on a loopback name, whatever X-Forwarded-Proto says or leaves out.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startTestService } from './helpers/service.ts';

const KEY = 'session-key-4c1e7a-0123456789abcdef';

let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator();
  service = await startTestService(db, sim.url, { BATCHLINE_API_KEYS: KEY });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

interface Answer {
  status: number;
  location: string | undefined;
  setCookie: string;
  text: string;
}

/** A request to the service naming `host` (a browser on that name would send it), as fetch cannot. */
function send(method: 'GET' | 'POST', path: string, options: { host?: string; headers?: Record<string, string>; form?: Record<string, string> } = {}): Promise<Answer> {
  const url = new URL(service.url);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const host = options.host ?? url.host;
  const headers: http.OutgoingHttpHeaders = {
    host,
    ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), origin: `http://${host}` } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, setCookie: (res.headers['set-cookie'] ?? []).join('\n'), text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function cookieOf(answer: Answer): string {
  const pair = /^([^=;]+=[^;]+)/.exec(answer.setCookie)?.[1];
  assert.ok(pair, `a session cookie is set: ${answer.setCookie}`);
  return pair;
}

async function csrfOf(cookie: string, options: { host?: string; headers?: Record<string, string> } = {}): Promise<string> {
  const page = await send('GET', '/', { ...options, headers: { ...options.headers, cookie } });
  const token = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
  assert.ok(token, 'the page carries a form token');
  return token;
}

test('log out ends the session on the server: the cookie copied before opens nothing, another session stays open', async () => {
  const cookie = cookieOf(await send('POST', '/login', { form: { token: KEY, next: '/' } }));
  const other = cookieOf(await send('POST', '/login', { form: { token: KEY, next: '/' } }));
  assert.notEqual(cookie, other, 'every login has a cookie of its own');
  assert.equal((await send('GET', '/', { headers: { cookie } })).status, 200);

  const out = await send('POST', '/logout', { headers: { cookie }, form: { csrf: await csrfOf(cookie) } });
  assert.equal(out.status, 303);
  assert.match(out.setCookie, /^batchline_session=; Max-Age=0/);

  const replayed = await send('GET', '/', { headers: { cookie } });
  assert.equal(replayed.status, 303, 'the copied cookie is sent to the login page');
  assert.equal(replayed.location, '/login');
  assert.equal((await send('GET', '/?fragment=1', { headers: { cookie } })).status, 401);
  assert.equal((await send('GET', '/login', { headers: { cookie } })).status, 200, 'the login page asks again instead of bouncing back');
  assert.equal((await send('GET', '/', { headers: { cookie: other } })).status, 200, 'the other session is still open');
});

test('over https the cookie is __Host- with Secure, and only that cookie opens a session there', async () => {
  const tls = { 'x-forwarded-proto': 'https' };
  const login = await send('POST', '/login', { headers: { ...tls }, form: { token: KEY, next: '/' } });
  assert.equal(login.status, 303);
  assert.match(login.setCookie, /^__Host-batchline_session=[^;]+;/);
  assert.match(login.setCookie, /; Secure/);
  assert.match(login.setCookie, /; Path=\//);
  assert.doesNotMatch(login.setCookie, /; Domain=/i);
  const cookie = cookieOf(login);
  assert.equal((await send('GET', '/', { headers: { ...tls, cookie } })).status, 200);
  const value = cookie.slice(cookie.indexOf('=') + 1);
  assert.equal((await send('GET', '/', { headers: { ...tls, cookie: `batchline_session=${value}` } })).status, 303, 'a cookie without the prefix (set by a sibling domain, say) is not read over https');
});

test('under a name that is not loopback the cookie is Secure even when no proxy says https', async () => {
  const host = 'batchline.example.com';
  const login = await send('POST', '/login', { host, headers: { origin: `https://${host}` }, form: { token: KEY, next: '/' } });
  assert.equal(login.status, 303);
  assert.match(login.setCookie, /^__Host-batchline_session=[^;]+;.*; Secure/);
  const cookie = cookieOf(login);
  assert.equal((await send('GET', '/', { host, headers: { cookie } })).status, 200);

  const page = await send('GET', '/login', { host });
  assert.match(page.text, /id="insecure-warning"/, 'a page that came over plain http says why the login will not hold');
  assert.doesNotMatch((await send('GET', '/login', { host, headers: { 'x-forwarded-proto': 'https' } })).text, /id="insecure-warning"/);
  assert.doesNotMatch((await send('GET', '/login')).text, /id="insecure-warning"/, 'nor on loopback');
});

test('over plain http on loopback the cookie keeps working without Secure', async () => {
  const login = await send('POST', '/login', { form: { token: KEY, next: '/' } });
  assert.match(login.setCookie, /^batchline_session=/);
  assert.doesNotMatch(login.setCookie, /; Secure/);
  assert.equal((await send('GET', '/', { host: `localhost:${new URL(service.url).port}`, headers: { cookie: cookieOf(login) } })).status, 200);
});
