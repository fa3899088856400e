// The dashboard in headless Chromium against the real service: log in with the keyboard, find a real job
// (some of whose items failed) in the list, check its page against the API, watch a running job finish
// through the page's own refresh without losing keyboard focus, and take screenshots.
// Needs Debian's `chromium` (.ci/run installs it); outside CI the test is skipped when it is missing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { formatUsd } from '../src/http/dashboard/format.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumInstalled, screenshot, skipWithoutChromium } from './helpers/chromium.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob, type JobBody } from './helpers/service.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'browser-test-key-0123456789abcdef0123';
const TRACE_TEMPLATE = 'http://127.0.0.1:16686/trace/{trace_id}';

const installed = chromiumInstalled;
const skip = skipWithoutChromium;

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let browser: Browser;
const bearer = { authorization: `Bearer ${KEY}` };

const REVIEWS = [
  'Battery lasts two days, love it.',
  'Crashes every time I open the camera.',
  'Good value, shipping was slow.',
  'The new update removed dark mode, why?',
  'Five stars, customer support answered in minutes.',
  'Sync with my watch keeps failing.',
  'Does what it says. Nothing more.',
  'Subscription price doubled without notice.',
  'Best note-taking app I have used.',
  'Ads everywhere since the last version.',
  'Login with Google is broken on Android 14.',
  'Clean design, fast search.',
  'Lost all my data after the update.',
  'Widgets are great, please add more sizes.',
  'Refund took three weeks.',
  'Works offline, which I need on flights.',
  'Too many notifications by default.',
  'Export to PDF is perfect.',
  'Keyboard covers the input field on tablets.',
  'Solid app, fair price.',
];

before(async () => {
  if (skip) return;
  if (!installed) throw new Error(`CI must run the browser test, but ${CHROMIUM} is missing: .ci/run should have installed the chromium package`);
  db = await createTestDatabase();
  // Some requests are rejected by the provider and some answers miss the schema: both are terminal failures.
  sim = await startSimulator({ processingMs: 1500, faults: { items: { invalidRequest: 0.15, offSchema: 0.15 } } });
  service = await startTestService(db, sim.url, { BATCHLINE_API_KEYS: KEY, BATCHLINE_TRACE_URL: TRACE_TEMPLATE, BATCHLINE_SWEEP_INTERVAL_MS: '200' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
});
after(async () => {
  await browser?.close();
  await service?.close();
  await sim?.close();
  await db?.drop();
});

async function createJob(body: Record<string, unknown>): Promise<string> {
  const res = await postJson(`${service.url}/v1/jobs`, body, bearer);
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

async function apiJob(id: string): Promise<JobBody & { trace_id: string | null }> {
  return (await (await fetch(`${service.url}/v1/jobs/${id}`, { headers: bearer })).json()) as JobBody & { trace_id: string | null };
}

/** Waits for the job to end and its results to reach the sinks, so the page and the API see the same thing. */
async function settled(id: string): Promise<JobBody & { trace_id: string | null }> {
  await waitForJob(service.url, id, 30_000, bearer);
  for (let i = 0; i < 300; i++) {
    const job = await apiJob(id);
    if (job.deliveries.pending === 0) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`deliveries of ${id} did not finish`);
}

// Page-side expressions are strings: this project compiles without the DOM library.
const activeId = (page: Page) => page.evaluate<string>("document.activeElement?.id ?? ''");
const number = (text: string | null) => Number((text ?? '').replaceAll(',', '').trim());

test('a real job in Chromium: keyboard login, list, job page matching the API, self-refresh that keeps focus', { skip, timeout: 120_000 }, async () => {
  const reviewsJob = await createJob({
    name: 'play-store-reviews-q3',
    task: 'review-insights',
    documents: REVIEWS.map((text, i) => ({ id: `review-${String(i + 1).padStart(3, '0')}`, text, metadata: { rating: (i % 5) + 1 } })),
    sinks: [{ plugin: 'file', config: { path: 'out/reviews.jsonl' } }],
  });
  const api = await settled(reviewsJob);
  assert.equal(api.status, 'completed_with_errors');
  assert.ok(api.counts.failed > 0 && api.counts.succeeded > 0, JSON.stringify(api.counts));

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, colorScheme: 'light', reducedMotion: 'reduce' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));

  // Redirected to the login page; Tab reaches the skip link first (with a visible focus ring), then the token field.
  await page.goto(`${service.url}/`);
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate<string>('document.activeElement.className'), 'skip-link');
  assert.notEqual(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle'), 'none', 'focus is visible');
  for (let i = 0; i < 5 && (await activeId(page)) !== 'token'; i++) await page.keyboard.press('Tab');
  assert.equal(await activeId(page), 'token');
  assert.equal(await page.locator('label[for=token]').textContent(), 'API token');
  await page.keyboard.type(KEY);
  await Promise.all([page.waitForURL(`${service.url}/`), page.keyboard.press('Enter')]);
  assert.ok(!page.url().includes(KEY));
  const cookie = (await context.cookies()).find((c) => c.name === 'batchline_session');
  assert.ok(cookie?.httpOnly && cookie.sameSite === 'Strict' && !cookie.value.includes(KEY));

  // The list: the job with its status and a progress bar whose values are the API's counts.
  const row = page.locator(`#job-row-${reviewsJob}`);
  assert.equal(await row.locator('a').textContent(), 'play-store-reviews-q3');
  assert.equal(await row.locator('.badge').textContent(), 'completed with errors');
  const bar = row.getByRole('progressbar');
  assert.equal(number(await bar.getAttribute('aria-valuemax')), api.counts.total);
  assert.equal(number(await bar.getAttribute('aria-valuenow')), api.counts.succeeded + api.counts.failed + api.counts.canceled);

  // Open the job with the keyboard.
  await page.focus(`#job-link-${reviewsJob}`);
  await Promise.all([page.waitForURL(`${service.url}/jobs/${reviewsJob}`), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('#job-title span').first().textContent(), 'play-store-reviews-q3');

  // Every count on the page is the API's.
  const shown: Record<string, number> = {};
  for (const cell of await page.locator('[data-count]').all()) shown[(await cell.getAttribute('data-count')) ?? ''] = number(await cell.textContent());
  assert.deepEqual(shown, { ...api.counts });

  // The failed items with their reasons, in item order, as the results API has them.
  const failedApi = (await (await fetch(`${service.url}/v1/jobs/${reviewsJob}/results?status=failed&limit=50`, { headers: bearer })).json()) as {
    data: Array<{ external_id: string; error: { type: string; message: string } }>;
  };
  const failedRows = await page.locator('#failed-items tbody tr').evaluateAll((rows) =>
    rows.map((r) => ({
      external_id: r.querySelector('[data-field=external_id]')?.textContent ?? '',
      type: r.querySelector('[data-field=error_type]')?.textContent ?? '',
      message: r.querySelector('[data-field=error_message]')?.textContent ?? '',
    })),
  );
  assert.equal(failedRows.length, api.counts.failed);
  assert.deepEqual(failedRows, failedApi.data.map((r) => ({ external_id: r.external_id, type: r.error.type, message: r.error.message })));
  assert.deepEqual([...new Set(failedRows.map((r) => r.type))].sort(), ['invalid_output', 'invalid_request_error']);

  // Batches with their provider ids, deliveries, money.
  const providerIds = await page.locator('#batches tbody th').allTextContents();
  assert.deepEqual(providerIds.map((t) => t.replace('retry batch', '')), api.batches.map((b) => b.provider_id));
  assert.equal(number(await page.locator('#deliveries [data-field=delivered]').textContent()), api.deliveries.delivered);
  assert.equal(api.deliveries.delivered, api.counts.succeeded + api.counts.failed, 'every final result went to the file sink');
  assert.ok(api.cost.usd > 0);
  const { savings, ...totals } = api.cost;
  for (const [field, usd] of Object.entries({ ...totals, ...savings })) assert.equal(await page.locator(`#cost [data-field=${field}]`).textContent(), formatUsd(usd), field);
  assert.ok(savings.batch_discount_usd > 0, 'the savings split is on the page');
  assert.equal(await page.getByRole('button', { name: /Retry \d+ failed items/ }).count(), 1);

  // The trace link: the template with the job's trace id, or no link while the job has none.
  const traceLink = page.locator('#trace-link');
  if (api.trace_id) assert.equal(await traceLink.getAttribute('href'), TRACE_TEMPLATE.replace('{trace_id}', api.trace_id));
  else assert.equal(await traceLink.count(), 0);

  // A finished job's page does not refresh itself.
  assert.equal(await page.locator('#live').getAttribute('data-final'), 'true');
  await screenshot(page, 'dashboard-job');

  // A running job: the list refreshes itself until it ends, and a focused link that did not change keeps focus.
  // Its batch runs until the list has been seen with it running (a fixed processing time raced a loaded machine).
  sim.setProcessingMs(3_600_000);
  const ticketsJob = await createJob({
    name: 'support-tickets-triage',
    task: 'ticket-triage',
    documents: REVIEWS.slice(0, 8).map((text, i) => ({ id: `ticket-${i + 1}`, text })),
  });
  const fragmentRequests: number[] = [];
  page.on('request', (r) => r.url().includes('fragment=1') && fragmentRequests.push(Date.now()));
  await page.goto(`${service.url}/`);
  const ticketsRow = page.locator(`#job-row-${ticketsJob}`);
  assert.doesNotMatch((await ticketsRow.locator('.badge').textContent()) ?? '', /^completed/, 'the job is still running when the list opens');
  await screenshot(page, 'dashboard-list');
  await page.evaluate('window.sameDocument = true');
  await page.focus(`#job-link-${reviewsJob}`);
  sim.setProcessingMs(1500);
  await ticketsRow.locator('.badge', { hasText: /^completed/ }).waitFor({ timeout: 30_000 });
  assert.equal(await page.evaluate<boolean>('window.sameDocument === true'), true, 'updated in place, not reloaded');
  assert.equal(await activeId(page), `job-link-${reviewsJob}`, 'keyboard focus stayed where it was');
  assert.ok(fragmentRequests.length > 0);
  const final = await apiJob(ticketsJob);
  const ticketsBar = page.locator(`#job-row-${ticketsJob}`).getByRole('progressbar');
  assert.equal(number(await ticketsBar.getAttribute('aria-valuenow')), final.counts.succeeded + final.counts.failed + final.counts.canceled);
  await page.locator('#live-announcer', { hasText: 'Every job on this page has finished.' }).waitFor({ timeout: 5_000 });

  // Once every job on the page is final, the refreshing stops.
  const requestsWhenFinal = fragmentRequests.length;
  await new Promise((r) => setTimeout(r, 3_500));
  assert.equal(fragmentRequests.length, requestsWhenFinal, 'no refresh after the jobs ended');

  // Deleting: the job page offers it, a confirmation page says what goes, "Keep it" changes nothing, the
  // confirmed form deletes; the list says so and drops the row once the job is gone, provider side included.
  await page.goto(`${service.url}/jobs/${ticketsJob}`);
  await Promise.all([page.waitForURL(`${service.url}/jobs/${ticketsJob}/delete`), page.locator('#delete-button').click()]);
  assert.match((await page.locator('#delete-title').textContent()) ?? '', /^Delete support-tickets-triage\?$/);
  assert.match((await page.locator('#delete-effects').textContent()) ?? '', /deletes its 1 batch at the provider/);
  await Promise.all([page.waitForURL(`${service.url}/jobs/${ticketsJob}`), page.locator('#keep-job-link').click()]);
  assert.equal((await apiJob(ticketsJob)).status, final.status, '"Keep it" deleted nothing');
  await page.goto(`${service.url}/jobs/${ticketsJob}/delete`);
  await page.focus('#confirm-delete-button');
  await Promise.all([page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('deleted') === ticketsJob), page.keyboard.press('Enter')]);
  assert.match((await page.locator('#list-notice').textContent()) ?? '', new RegExp(`Job ${ticketsJob} is being deleted`));
  await page.locator(`#job-row-${ticketsJob}`).waitFor({ state: 'detached', timeout: 30_000 });
  assert.equal((await fetch(`${service.url}/v1/jobs/${ticketsJob}`, { headers: bearer })).status, 404);
  const tombstones = (await (await fetch(`${service.url}/v1/deleted-jobs`, { headers: bearer })).json()) as { data: Array<{ id: string; deleted_by: string }> };
  assert.match(tombstones.data.find((t) => t.id === ticketsJob)?.deleted_by ?? '', /^dashboard:session-[\da-f]{12}$/);
  assert.equal(await page.locator(`#job-row-${reviewsJob}`).count(), 1, 'the other job is still listed');

  assert.deepEqual(problems, [], 'no console errors (a CSP violation would show here)');
  await context.close();
});
