// The dashboard over plain HTTP: login and session cookie, CSRF refusals, escaping, the trace link, and
// the open dashboard when no API keys are set. (The browser test drives the pages in Chromium.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createDashboard } from '../src/http/dashboard/index.tsx';
import { listJobs } from '../src/http/dashboard/queries.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob, type JobBody } from './helpers/service.ts';

const KEY = 'dash-key-one-0123456789abcdef012345';
const OTHER_KEY = 'dash-key-two-0123456789abcdef012345';
const TRACE_TEMPLATE = 'https://traces.example/trace/{trace_id}?from=batchline';
const EVIL_NAME = '<script>alert("pwned")</script>';

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let evilJob: string;
let plainJob: string;
const bearer = { authorization: `Bearer ${KEY}` };

before(async () => {
  db = await createTestDatabase();
  // Slow batches: the jobs stay running, so they can be canceled from the page.
  sim = await startSimulator({ processingMs: 60_000 });
  service = await startTestService(db, sim.url, { BATCHLINE_API_KEYS: `${KEY},${OTHER_KEY}`, BATCHLINE_TRACE_URL: TRACE_TEMPLATE });
  const create = async (name: string) => {
    const res = await postJson(`${service.url}/v1/jobs`, { name, task: 'ticket-triage', documents: [{ id: 'a', text: 'My invoice is wrong' }, { id: 'b', text: 'Love it' }] }, bearer);
    assert.equal(res.status, 201);
    return ((await res.json()) as { id: string }).id;
  };
  evilJob = await create(EVIL_NAME);
  plainJob = await create('plain job');
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

/** POSTs a form as a browser on the service's own origin would (`origin: null` leaves the header out). */
function postForm(path: string, fields: Record<string, string>, headers: Record<string, string | null> = {}): Promise<Response> {
  const all: Record<string, string | null> = { 'content-type': 'application/x-www-form-urlencoded', origin: service.url, ...headers };
  return fetch(`${service.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== null)),
    body: new URLSearchParams(fields).toString(),
  });
}

async function logIn(key = KEY): Promise<string> {
  const res = await postForm('/login', { token: key, next: '/' });
  assert.equal(res.status, 303);
  const cookie = /^(batchline_session=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  assert.ok(cookie, 'a session cookie is set');
  return cookie;
}

function get(path: string, cookie?: string): Promise<Response> {
  return fetch(`${service.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

async function csrfOf(path: string, cookie: string): Promise<string> {
  const html = await (await get(path, cookie)).text();
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the page carries a form token');
  return token;
}

test('without a session, pages redirect to /login (keeping where to return), fragments answer 401', async () => {
  const list = await get('/');
  assert.equal(list.status, 303);
  assert.equal(list.headers.get('location'), '/login');
  const job = await get(`/jobs/${plainJob}?x=1`);
  assert.equal(job.status, 303);
  assert.equal(job.headers.get('location'), `/login?next=${encodeURIComponent(`/jobs/${plainJob}?x=1`)}`);
  assert.equal((await get(`/jobs/${plainJob}?fragment=1`)).status, 401);
  assert.equal((await get('/?fragment=1')).status, 401);

  const login = await get('/login');
  assert.equal(login.status, 200);
  const html = await login.text();
  assert.match(html, /<label for="token">API token<\/label>/);
  assert.match(html, /<input id="token" name="token" type="password"/);
});

test('a wrong token is a 401 login page that never shows it; the right one sets a strict HttpOnly session cookie', async () => {
  const wrong = await postForm('/login', { token: 'not-a-key-123', next: '/' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);
  const page = await wrong.text();
  assert.match(page, /role="alert"/);
  assert.doesNotMatch(page, /not-a-key-123/);

  const right = await postForm('/login', { token: KEY, next: `/jobs/${plainJob}` });
  assert.equal(right.status, 303);
  assert.equal(right.headers.get('location'), `/jobs/${plainJob}`);
  const cookie = right.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^batchline_session=/);
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Strict/);
  assert.match(cookie, /; Path=\//);
  assert.match(cookie, /; Max-Age=\d+/);
  assert.doesNotMatch(cookie, /; Secure/, 'plain http: no Secure flag, or the browser would drop the cookie');
  assert.ok(!cookie.includes(KEY), 'the cookie does not hold the API key');
  assert.ok(!(right.headers.get('location') ?? '').includes(KEY));

  const overTls = await postForm('/login', { token: KEY }, { 'x-forwarded-proto': 'https' });
  assert.match(overTls.headers.get('set-cookie') ?? '', /; Secure/);

  // Only paths on this site are followed after login.
  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
    const res = await postForm('/login', { token: KEY, next });
    assert.equal(res.headers.get('location'), '/', next);
  }
});

test('a login posted from another site is refused', async () => {
  const res = await postForm('/login', { token: KEY }, { origin: 'https://evil.example' });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('set-cookie'), null);
});

test('a session opens the pages but not the bearer API; a forged or expired-looking cookie opens nothing', async () => {
  const cookie = await logIn();
  assert.equal((await get('/', cookie)).status, 200);
  assert.equal((await get('/v1/jobs', cookie)).status, 401);
  const forged = cookie.replace(/=(\d+)\./, (_, exp: string) => `=${Number(exp) + 1000}.`);
  assert.equal((await get('/', forged)).status, 303);
  assert.equal((await get('/', `batchline_session=${KEY}`)).status, 303);
});

test('job names are escaped on the list and on the job page', async () => {
  const cookie = await logIn();
  for (const path of ['/', `/jobs/${evilJob}`, `/jobs/${evilJob}?fragment=1`]) {
    const html = await (await get(path, cookie)).text();
    assert.ok(html.includes('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;'), `${path} shows the name escaped`);
    assert.ok(!html.includes(EVIL_NAME), `${path} never has the raw name`);
    // The only scripts are the page's own, carrying the CSP nonce.
    for (const tag of html.match(/<script[^>]*>/g) ?? []) assert.match(tag, /^<script nonce="[^"]+">$/, path);
  }
  const list = await get('/', cookie);
  assert.match(list.headers.get('content-security-policy') ?? '', /script-src 'nonce-/);
  assert.equal(list.headers.get('x-frame-options'), 'DENY');
  assert.match(await list.text(), /role="progressbar" aria-label="Progress of plain job" aria-valuemin="0" aria-valuemax="2" aria-valuenow="\d"/);
});

test('cross-origin posts and posts without the session form token are refused and change nothing', async () => {
  const cookie = await logIn();
  const csrf = await csrfOf(`/jobs/${plainJob}`, cookie);
  const otherCsrf = await csrfOf(`/jobs/${plainJob}`, await logIn(OTHER_KEY));
  assert.notEqual(csrf, otherCsrf);

  const attempts: Array<[string, Record<string, string>, Record<string, string | null>]> = [
    ['cross-origin', { csrf }, { origin: 'https://evil.example' }],
    ['opaque origin', { csrf }, { origin: 'null' }],
    ['cross-site fetch metadata', { csrf }, { origin: null, 'sec-fetch-site': 'cross-site' }],
    ['no token', {}, {}],
    ['another session token', { csrf: otherCsrf }, {}],
  ];
  for (const [what, fields, headers] of attempts) {
    const res = await postForm(`/jobs/${plainJob}/cancel`, fields, { cookie, ...headers });
    assert.equal(res.status, 403, what);
  }
  const untouched = (await (await fetch(`${service.url}/v1/jobs/${plainJob}`, { headers: bearer })).json()) as { cancel_requested: boolean };
  assert.equal(untouched.cancel_requested, false);

  // Without a session, a post goes to the login page instead.
  const anonymous = await postForm(`/jobs/${plainJob}/cancel`, { csrf });
  assert.equal(anonymous.status, 303);
  assert.equal(anonymous.headers.get('location'), `/login?next=${encodeURIComponent(`/jobs/${plainJob}`)}`);

  const ok = await postForm(`/jobs/${plainJob}/cancel`, { csrf }, { cookie });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), `/jobs/${plainJob}?done=cancel`);
  const canceled = (await (await fetch(`${service.url}/v1/jobs/${plainJob}`, { headers: bearer })).json()) as { cancel_requested: boolean };
  assert.equal(canceled.cancel_requested, true);
  assert.match(await (await get(`/jobs/${plainJob}?done=cancel`, cookie)).text(), /role="status">Cancel requested/);
});

test('an action the engine refuses shows its reason on the job page with 409', async () => {
  const cookie = await logIn();
  const csrf = await csrfOf(`/jobs/${evilJob}`, cookie);
  // Nothing has failed and no source is open: close is a conflict.
  const res = await postForm(`/jobs/${evilJob}/close`, { csrf }, { cookie });
  assert.equal(res.status, 409);
  assert.match(await res.text(), /role="alert">job \S+ has no open source/);
});

test('the trace link fills BATCHLINE_TRACE_URL with the job trace id, and is absent without one', async () => {
  const cookie = await logIn();
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  await service.database.db.updateTable('jobs').set({ trace_context: `00-${traceId}-00f067aa0ba902b7-01` }).where('id', '=', evilJob).execute();
  const view = (await (await fetch(`${service.url}/v1/jobs/${evilJob}`, { headers: bearer })).json()) as { trace_id: string | null };
  assert.equal(view.trace_id, traceId);
  const html = await (await get(`/jobs/${evilJob}`, cookie)).text();
  const href = /<a href="([^"]+)" id="trace-link"/.exec(html)?.[1];
  assert.equal(href?.replaceAll('&amp;', '&'), TRACE_TEMPLATE.replace('{trace_id}', traceId));
  assert.doesNotMatch(await (await get(`/jobs/${plainJob}`, cookie)).text(), /id="trace-link"/);
});

test('an unknown job is a 404 page, a bad page cursor a 400 page', async () => {
  const cookie = await logIn();
  const missing = await get('/jobs/job_nope', cookie);
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await missing.text(), /There is no job with id job_nope/);
  assert.equal((await get('/?cursor=garbage', cookie)).status, 400);
});

test('log out ends the session cookie', async () => {
  const cookie = await logIn();
  const confirm = await get('/logout', cookie);
  assert.equal(confirm.status, 200, 'a typed-in /logout asks, it does not log out on a GET');
  assert.match(await confirm.text(), /<form method="post" action="\/logout">/);
  const csrf = await csrfOf('/', cookie);
  const res = await postForm('/logout', { csrf }, { cookie });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/login');
  assert.match(res.headers.get('set-cookie') ?? '', /^batchline_session=; Max-Age=0/);
});

test('without API keys the dashboard is open, and its forms still need the form token', async () => {
  const deps = { ...service.engine, config: { ...service.engine.config, BATCHLINE_API_KEYS: [] }, counters: service.counters, notReadyReason: async () => undefined };
  const open = createDashboard(deps);
  const list = await open.request('/');
  assert.equal(list.status, 200);
  assert.doesNotMatch(await list.text(), /Log out/);
  const login = await open.request('/login');
  assert.equal(login.status, 303);
  assert.equal(login.headers.get('location'), '/');
  const page = await (await open.request(`/jobs/${evilJob}`)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  assert.equal((await open.request(`/jobs/${evilJob}/cancel`, form({}))).status, 403);
  assert.equal((await open.request(`/jobs/${evilJob}/cancel`, form({ csrf: 'x' }))).status, 403);
  const ok = await open.request(`/jobs/${evilJob}/cancel`, form({ csrf }));
  assert.equal(ok.status, 303);
});

test('the list pages by cursor, newest first, with each job\'s counts and cost as the API has them', async () => {
  // Both jobs were canceled above; once final, their counts hold still for the comparison.
  for (const id of [evilJob, plainJob]) await waitForJob(service.url, id, 30_000, bearer);
  const first = await listJobs(service.database.db, undefined, 1);
  assert.equal(first.jobs.length, 1);
  assert.ok(first.older);
  const second = await listJobs(service.database.db, first.older, 1);
  assert.deepEqual([...first.jobs, ...second.jobs].map((j) => j.id), [plainJob, evilJob]);
  assert.equal(second.older, null);
  const all = await listJobs(service.database.db, undefined);
  for (const listed of all.jobs) {
    const view = (await (await fetch(`${service.url}/v1/jobs/${listed.id}`, { headers: bearer })).json()) as JobBody;
    assert.deepEqual(listed.counts, view.counts, listed.id);
    assert.deepEqual(listed.cost, view.cost, listed.id);
  }
  const cookie = await logIn();
  const page = await (await get(`/?cursor=${encodeURIComponent(first.older)}`, cookie)).text();
  assert.match(page, /id="newest-link"/);
});

test('a job with a source shows its read progress, and a rejected row as a failed item with its reason', async () => {
  fs.writeFileSync(path.join(db.dataDir, 'dash-reviews.csv'), ['review_id,stars,review_text', 'r1,5,"Great"', 'r2,4,too,many,fields', 'r3,1,Bad'].join('\n'));
  const res = await postJson(
    `${service.url}/v1/jobs`,
    { name: 'from a file', task: 'review-insights', source: { plugin: 'reviews', config: { path: 'dash-reviews.csv', columns: { id: 'review_id', text: 'review_text', rating: 'stars' } } } },
    bearer,
  );
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = (await res.json()) as { id: string };
  let view: { source: { read: number; rejected: number; open: boolean } | null } = { source: null };
  for (let i = 0; i < 200 && !(view.source && !view.source.open && view.source.read > 0); i++) {
    await new Promise((r) => setTimeout(r, 50));
    view = (await (await fetch(`${service.url}/v1/jobs/${id}`, { headers: bearer })).json()) as typeof view;
  }
  assert.ok(view.source && view.source.read > 0 && view.source.rejected === 1, JSON.stringify(view.source));
  const html = await (await get(`/jobs/${id}`, await logIn())).text();
  assert.match(html, new RegExp(`<dd data-source="read">${view.source.read}</dd>`));
  assert.match(html, /<dd data-source="rejected">1<\/dd>/);
  assert.match(html, /data-field="error_type">invalid_row<\/td><td data-field="error_message">row 2\b/);
});

test('a job paused for its budget shows why, and the page resumes it with a new budget', async () => {
  const res = await postJson(`${service.url}/v1/jobs`, { name: 'tight budget', task: 'ticket-triage', max_usd: 0.000001, documents: [{ id: 'a', text: 'Refund please' }] }, bearer);
  const { id } = (await res.json()) as { id: string };
  let job: { status: string; budget: { max_usd: number } | null } | undefined;
  for (let i = 0; i < 200 && job?.status !== 'awaiting_budget'; i++) {
    await new Promise((r) => setTimeout(r, 25));
    job = (await (await fetch(`${service.url}/v1/jobs/${id}`, { headers: bearer })).json()) as typeof job;
  }
  assert.equal(job?.status, 'awaiting_budget');
  const cookie = await logIn();
  const html = await (await get(`/jobs/${id}`, cookie)).text();
  assert.match(html, /id="pause-reason"[^>]*>[\s\S]*budget/);
  assert.match(html, /<input id="max-usd" name="max_usd" type="number"/);
  assert.match(html, /data-field="budget"/);
  const csrf = await csrfOf(`/jobs/${id}`, cookie);
  const bad = await postForm(`/jobs/${id}/resume`, { csrf, max_usd: 'lots' }, { cookie });
  assert.equal(bad.status, 422);
  assert.equal(((await (await fetch(`${service.url}/v1/jobs/${id}`, { headers: bearer })).json()) as { status: string }).status, 'awaiting_budget', 'a bad amount changes nothing');
  const ok = await postForm(`/jobs/${id}/resume`, { csrf, max_usd: '5' }, { cookie });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), `/jobs/${id}?done=resume`);
  const after = (await (await fetch(`${service.url}/v1/jobs/${id}`, { headers: bearer })).json()) as { status: string; budget: { max_usd: number } };
  assert.equal(after.budget.max_usd, 5);
  assert.notEqual(after.status, 'awaiting_budget');
  await fetch(`${service.url}/v1/jobs/${id}/cancel`, { method: 'POST', headers: bearer });
  await waitForJob(service.url, id, 30_000, bearer);
});
