// The reference page at /docs: served with its Swagger UI files from this server (no CDN), with content
// types, caching and compression, outside the /v1 auth; and, in headless Chromium with every request to
// another origin refused, it renders every operation of /openapi.json.
// The browser part needs Debian's `chromium` (.ci/run installs it); outside CI it is skipped when missing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { operationsOf, type OpenApiDocument } from '../src/http/openapi-document.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startTestService } from './helpers/service.ts';

const CHROMIUM = '/usr/bin/chromium';
// Without these, Chromium stalls on refused connections to Google services (the machine has no internet).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const installed = fs.existsSync(CHROMIUM);
const noBrowser = !installed && !process.env.CI ? `Chromium is not installed at ${CHROMIUM}; CI always runs this test` : false;
const DIST = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

let db: TestDatabase;
let sim: Simulator;
let service: Service;

before(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 50 });
  // With API keys: /docs and /openapi.json must still answer without a token.
  service = await startTestService(db, sim.url, { BATCHLINE_API_KEYS: 'docs-test-token-0123456789abcdef012345' });
});
after(async () => {
  await service.close();
  await sim.close();
  await db.drop();
});

/** The URLs the page loads (its src and href attributes), resolved against /docs. */
async function pageAssets(): Promise<URL[]> {
  const html = await (await fetch(`${service.url}/docs`)).text();
  return [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => new URL(m[1] ?? '', `${service.url}/docs`));
}

test('GET /docs is an HTML page that needs no token and loads nothing from another origin', async () => {
  const res = await fetch(`${service.url}/docs`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/i);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const assets = await pageAssets();
  assert.ok(assets.length >= 4);
  for (const url of assets) assert.equal(url.origin, service.url, `${url} is served by Batchline`);
  assert.deepEqual(
    assets.map((u) => u.pathname).filter((p) => p !== '/openapi.json').sort(),
    ['/docs/favicon-16x16.png', '/docs/favicon-32x32.png', '/docs/init.js', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css'],
  );
  const init = await (await fetch(`${service.url}/docs/init.js`)).text();
  assert.match(init, /validatorUrl: null/, 'no request to validator.swagger.io');
  assert.match(init, /'\.\.\/openapi\.json'/);
  assert.equal((await fetch(`${service.url}/openapi.json`)).status, 200, '/openapi.json needs no token either');
  assert.equal((await fetch(`${service.url}/v1/tasks`)).status, 401, 'while /v1 does');
});

test('the Swagger UI files are the package files, with content types, caching, ETags and gzip', async () => {
  const types: Record<string, RegExp> = { css: /^text\/css/, js: /^text\/javascript/, png: /^image\/png$/ };
  for (const url of await pageAssets()) {
    if (url.pathname === '/docs/init.js' || url.pathname === '/openapi.json') continue;
    const name = path.basename(url.pathname);
    const onDisk = fs.readFileSync(path.join(DIST, name));
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.status, 200, name);
    assert.match(plain.headers.get('content-type') ?? '', types[path.extname(name).slice(1)] ?? /^$/, name);
    assert.equal(plain.headers.get('cache-control'), 'public, max-age=86400', name);
    assert.equal(plain.headers.get('x-content-type-options'), 'nosniff', name);
    assert.ok(Buffer.from(await plain.arrayBuffer()).equals(onDisk), `${name} is the package's file`);
    const etag = plain.headers.get('etag') ?? '';
    assert.match(etag, /^"swagger-ui-\d+\.\d+\.\d+-/, name);
    const revalidated = await fetch(url, { headers: { 'accept-encoding': 'identity', 'if-none-match': etag } });
    assert.equal(revalidated.status, 304, `${name} revalidates`);
    if (name.endsWith('.png')) continue;
    // fetch() would undo the gzip: node:http shows the bytes as sent.
    const gz = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(gz.headers['content-encoding'], 'gzip', name);
    assert.notEqual(gz.headers.etag, etag, 'the gzipped representation has its own ETag');
    assert.ok(gz.body.length < onDisk.length / 2, `${name} is compressed`);
    assert.ok(gunzipSync(gz.body).equals(onDisk), `${name} unzips to the package's file`);
  }
  const head = await fetch(`${service.url}/docs/swagger-ui.css`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('only the listed files are served: anything else under /docs is a 404 problem; /docs/ redirects', async () => {
  for (const p of ['/docs/index.html', '/docs/package.json', '/docs/constructor', '/docs/__proto__', '/docs/..%2Fpackage.json', '/docs/swagger-initializer.js', '/docs/x/swagger-ui.css']) {
    const res = await fetch(`${service.url}${p}`);
    assert.equal(res.status, 404, p);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, p);
  }
  const slash = await fetch(`${service.url}/docs/`, { redirect: 'manual' });
  assert.equal(slash.status, 301);
  assert.equal(new URL(slash.headers.get('location') ?? '', `${service.url}/docs/`).pathname, '/docs');
});

test('in Chromium, offline, the page renders every operation of the document', { skip: noBrowser, timeout: 60_000 }, async () => {
  if (!installed) throw new Error(`CI must run the browser test, but ${CHROMIUM} is missing`);
  const doc = (await (await fetch(`${service.url}/openapi.json`)).json()) as OpenApiDocument;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  try {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const problems: string[] = [];
    // As on a machine without internet: any request to another origin is refused (and recorded).
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(service.url) || url.startsWith('data:')) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${service.url}/docs`);
    const operations = operationsOf(doc).length;
    await page.locator('.opblock').nth(operations - 1).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.opblock').count(), operations);
    assert.match((await page.locator('.info .title').textContent()) ?? '', /Batchline API/);
    // An operation opens with its documented example.
    await page.locator('#operations-jobs-createJob .opblock-summary').click();
    await page.waitForSelector('#operations-jobs-createJob .body-param__example, #operations-jobs-createJob .highlight-code', { timeout: 10_000 });
    assert.match((await page.locator('#operations-jobs-createJob').textContent()) ?? '', /q3-reviews/);
    if (process.env.DOCS_SCREENSHOT) await page.screenshot({ path: process.env.DOCS_SCREENSHOT, fullPage: false });
    assert.deepEqual(elsewhere, [], 'nothing was requested from another origin');
    assert.deepEqual(problems, [], 'no errors (nor Content-Security-Policy violations) in the console');
  } finally {
    await browser.close();
  }
});

async function rawGet(url: URL, headers: Record<string, string>): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}
