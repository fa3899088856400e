// The experiment page in headless Chromium against the real service: find the experiment from the header,
// watch it refresh itself until the arms end, check the arm figures, the agreement table and the confusion
// matrices against the API, read the disagreements with their text, and promote an arm with the keyboard.
// Needs Debian's `chromium` (.ci/run installs it); outside CI the test is skipped when it is missing.
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { formatUsd } from '../src/http/dashboard/format.ts';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { labeledReviews } from './fixtures/labeled-reviews.ts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumInstalled, skipWithoutChromium } from './helpers/chromium.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

const installed = chromiumInstalled;
const skip = skipWithoutChromium;

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let browser: Browser;

before(async () => {
  if (skip) return;
  if (!installed) throw new Error(`CI must run the browser test, but ${CHROMIUM} is missing`);
  db = await createTestDatabase();
  // The arms' batches run until the test has seen the page live, then end at the next look (a fixed short
  // processing time made the page open after they had ended on a loaded CI machine).
  sim = await startSimulator({ processingMs: 3_600_000, modelErrorRates: { 'claude-haiku-5-5': 0.25, 'claude-sonnet-5-5': 0.05 } });
  service = await startTestService(db, sim.url);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
});
after(async () => {
  await browser?.close();
  await service?.close();
  await sim?.close();
  await db?.drop();
});

interface Rate {
  k: number;
  n: number;
  rate: number | null;
  interval: { low: number; high: number } | null;
}

interface Experiment {
  id: string;
  arms: Array<{ name: string; job_id: string; promoted_job_id: string | null }>;
  comparison: {
    arms: Array<{ arm: string; cost: { per_1000_usd: number; projected_source_usd: number } }>;
    agreement: Array<Rate & { field: string; arms: [string, string] }>;
    confusion: Array<{ field: string; rows: string; columns: string; counts: number[][]; total: number }>;
    label_confusion: Array<{ field: string; rows: string; columns: string; counts: number[][]; total: number }>;
    accuracy: Array<Rate & { arm: string; field: string }>;
    disagreements: { documents: number };
  } | null;
}

test('the experiment page in Chromium: live until the arms end, then figures, agreement and confusion matrices matching the API; promote from the page', { skip, timeout: 120_000 }, async () => {
  const reviews = labeledReviews(80, 77);
  const res = await postJson(`${service.url}/v1/experiments`, {
    name: 'reviews-model-check',
    task: 'review-insights',
    documents: reviews.map((r) => ({ id: r.id, text: r.text, metadata: { rating: r.rating } })),
    sample: { size: 40, seed: 'browser' },
    arms: [{ name: 'sonnet', model: 'claude-sonnet-5-5' }, { name: 'haiku', model: 'claude-haiku-5-5' }],
    labels: { values: Object.fromEntries(reviews.map((r) => [r.id, { sentiment: r.sentiment }])) },
  });
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = (await res.json()) as { id: string };

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light', reducedMotion: 'reduce' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));

  // From the header to the list to the experiment, by keyboard.
  await page.goto(`${service.url}/`);
  await Promise.all([page.waitForURL(`${service.url}/experiments`), page.getByRole('link', { name: 'Experiments' }).click()]);
  await page.focus(`#experiment-link-${id}`);
  await Promise.all([page.waitForURL(`${service.url}/experiments/${id}`), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('#experiment-title span').first().textContent(), 'reviews-model-check');
  assert.equal(await page.locator('#comparison-pending').count(), 1, 'the arms are still running when the page opens');
  assert.equal(await page.locator('#live').getAttribute('data-final'), 'false');
  await page.evaluate('window.sameDocument = true');
  sim.setProcessingMs(0);

  // The page refreshes itself until the comparison is there.
  await page.locator('#agreement').waitFor({ timeout: 60_000 });
  assert.equal(await page.evaluate<boolean>('window.sameDocument === true'), true, 'updated in place, not reloaded');
  const api = (await (await fetch(`${service.url}/v1/experiments/${id}`)).json()) as Experiment;
  const c = api.comparison;
  assert.ok(c);

  // Agreement rows are the API's.
  const rows = await page.locator('#agreement tbody tr').evaluateAll((trs) => trs.map((tr) => ({ field: tr.getAttribute('data-field'), rate: tr.querySelector('[data-rate]')?.getAttribute('data-rate') ?? null })));
  assert.deepEqual(rows, c.agreement.map((a) => ({ field: a.field, rate: a.rate === null ? null : String(a.rate) })));

  // The confusion matrices, cell by cell; each sums to the sample.
  for (const m of [...c.confusion, ...c.label_confusion]) {
    const table = page.locator(`#confusion-${m.field}-${m.rows}-${m.columns}`);
    const cells = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td[data-count]'), (td: { getAttribute(name: string): string | null }) => Number(td.getAttribute('data-count')))));
    assert.deepEqual(cells, m.counts, `${m.field} ${m.rows}/${m.columns}`);
    assert.equal(cells.flat().reduce((a, b) => a + b, 0), m.total);
  }
  assert.equal(await page.locator('#confusion-sentiment-sonnet-haiku').getAttribute('data-total'), '40');

  // Accuracy with its interval, and money per 1,000 documents.
  for (const a of c.accuracy) {
    const cell = page.locator(`#accuracy-${a.arm}-${a.field}`);
    assert.equal(await cell.getAttribute('data-rate'), String(a.rate));
    assert.equal(await cell.getAttribute('data-low'), String(a.interval?.low));
  }
  const per1000 = await page.locator('#arm-figures [data-field=per_1000_usd]').allTextContents();
  assert.deepEqual(per1000, c.arms.map((a) => formatUsd(a.cost.per_1000_usd)));

  // Disagreements with the document text beside each arm's answer.
  assert.equal(await page.locator('[data-field=disagreements]').textContent(), String(c.disagreements.documents));
  const shown = page.locator('#disagreements tbody tr');
  assert.equal(await shown.count(), Math.min(25, c.disagreements.documents));
  const first = shown.first();
  const docId = await first.getAttribute('data-document');
  assert.equal(await first.locator('.document-text').textContent(), reviews.find((r) => r.id === docId)?.text);
  assert.notEqual(await first.locator('[data-arm=sonnet]').textContent(), await first.locator('[data-arm=haiku]').textContent());
  await page.screenshot({ path: path.join(os.tmpdir(), 'batchline-dashboard-experiment.png'), fullPage: true });

  // Promote sonnet from the page: the full job opens, and the experiment links it.
  await page.focus('#promote-sonnet');
  await Promise.all([page.waitForURL(/\/jobs\/job_\w+\?done=promoted$/), page.keyboard.press('Enter')]);
  const jobId = /\/jobs\/(job_\w+)/.exec(page.url())?.[1] ?? '';
  assert.match(await page.locator('.notice').textContent() ?? '', /answered from the result cache/);
  const job = await waitForJob(service.url, jobId, 30_000);
  assert.equal(job.counts.total, 80);
  const after = (await (await fetch(`${service.url}/v1/experiments/${id}`)).json()) as Experiment;
  assert.equal(after.arms.find((a) => a.name === 'sonnet')?.promoted_job_id, jobId);
  await page.goto(`${service.url}/experiments/${id}`);
  assert.equal(await page.locator('#promoted-sonnet').getAttribute('href'), `/jobs/${jobId}`);
  assert.deepEqual(problems, [], 'no console errors (a CSP violation would show here)');
  await context.close();
});
