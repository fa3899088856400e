// What the answers say, in Chromium (issue #24): the job page of a completed review job draws a chart per
// answer field; the "negative" bar opens the explorer listing exactly the negative results; a correction
// made in the explorer is listed by the API and taken as a gold label by a new experiment; and no panel of
// the job page or the explorer overflows at 390, 1280, 1440 or 1920 px (element boxes measured, not pixels).
// Needs Debian's `chromium` (.ci/run installs it); outside CI the test is skipped when it is missing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../src/provider/simulator/index.ts';
import type { Service } from '../src/service.ts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumInstalled, screenshot, skipWithoutChromium } from './helpers/chromium.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { postJson, startTestService, waitForJob } from './helpers/service.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const WIDTHS = [390, 1280, 1440, 1920];

const installed = chromiumInstalled;
const skip = skipWithoutChromium;

let db: TestDatabase;
let sim: Simulator;
let service: Service;
let browser: Browser;
let jobId: string;

interface StoredResult {
  external_id: string;
  status: string;
  output: { sentiment: string; score: number } | null;
}

before(async () => {
  if (skip) return;
  if (!installed) throw new Error(`CI must run the browser test, but ${CHROMIUM} is missing`);
  db = await createTestDatabase();
  sim = await startSimulator({ processingMs: 30 });
  service = await startTestService(db, sim.url, { BATCHLINE_FILE_ROOTS: `${db.dataDir}:${path.join(ROOT, 'examples')}`, BATCHLINE_TEXT_AT_REST: 'until_retention' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  const res = await postJson(`${service.url}/v1/jobs`, {
    name: 'Google Play reviews',
    task: 'review-insights',
    source: { plugin: 'reviews', config: { path: path.join(ROOT, 'examples/reviews-google-play.csv'), preset: 'google-play' } },
    sinks: [{ plugin: 'file', config: { path: 'out/insights-with-a-long-file-name-that-could-overflow-a-narrow-panel.jsonl' } }],
  });
  assert.equal(res.status, 201, await res.clone().text());
  jobId = ((await res.json()) as { id: string }).id;
  await waitForJob(service.url, jobId, 90_000);
});
after(async () => {
  await browser?.close();
  await service?.close();
  await sim?.close();
  await db?.drop();
});

async function results(filter = ''): Promise<StoredResult[]> {
  const res = await fetch(`${service.url}/v1/jobs/${jobId}/results?format=ndjson${filter}`);
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as StoredResult);
}

/** Every panel, table, chart row and card whose content is wider than its box, or that pokes out of the page. */
/**
 * Every panel, table, chart row and card whose content is wider than its box, or that pokes out of the page
 * or out of its panel. Run in the page (a string, as the test is type-checked without the DOM library).
 */
const OVERFLOW_SCRIPT = `(() => {
  const out = [];
  const pageWidth = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('data-field') ? '[data-field=' + el.getAttribute('data-field') + ']' : '') + '.' + [...el.classList].join('.');
  if (document.documentElement.scrollWidth > pageWidth + 1) out.push('the page scrolls sideways (' + document.documentElement.scrollWidth + ' > ' + pageWidth + ')');
  // A wide table may scroll inside its .table-scroll box (checked itself): what is in it is not measured.
  for (const el of document.querySelectorAll('.panel, .table-scroll, table, .bar-row, .result, dl, h1, h2, h3, .meta, .actions, form')) {
    const box = el.getBoundingClientRect();
    const scrolls = el.parentElement !== null && el.parentElement.closest('.table-scroll') !== null;
    if (!scrolls && !el.classList.contains('table-scroll') && el.scrollWidth > el.clientWidth + 1) out.push(name(el) + ' content ' + el.scrollWidth + ' > box ' + el.clientWidth);
    if (!scrolls && (box.right > pageWidth + 1 || box.left < -1)) out.push(name(el) + ' spans ' + Math.round(box.left) + '-' + Math.round(box.right) + ' of ' + pageWidth);
    const panel = el.parentElement && el.parentElement.closest('.panel');
    if (panel && !scrolls) {
      const p = panel.getBoundingClientRect();
      if (box.right > p.right + 1) out.push(name(el) + ' runs out of its panel (' + Math.round(box.right) + ' > ' + Math.round(p.right) + ')');
    }
  }
  return out;
})()`;

async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(OVERFLOW_SCRIPT);
}

test('the job page charts every answer field; the negative bar lists exactly the negative results; a correction made in the page becomes a label; nothing overflows', { skip, timeout: 180_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, colorScheme: 'light', reducedMotion: 'reduce' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));

  await page.goto(`${service.url}/jobs/${jobId}`);
  // A chart per field of the answer, each with bars whose values are the API's insights.
  const cards = await page.locator('#part-insights .field-card').evaluateAll((els) => els.map((e) => [e.getAttribute('data-field'), e.querySelectorAll('.bars li').length]));
  assert.deepEqual(cards.map(([f]) => f), ['sentiment', 'score', 'key_points', 'issues', 'summary']);
  for (const [field, bars] of cards) assert.ok(Number(bars) > 0, `${field} has bars`);
  const insights = (await (await fetch(`${service.url}/v1/jobs/${jobId}/insights`)).json()) as { fields: Array<{ path: string; values?: Array<{ value: string; count: number }> }> };
  const negativeCount = insights.fields.find((f) => f.path === 'sentiment')?.values?.find((v) => v.value === 'negative')?.count ?? 0;
  assert.ok(negativeCount > 0, 'the sample has negative reviews');
  const bar = page.locator('[data-field=sentiment] li[data-bar=negative]');
  assert.equal(await bar.getAttribute('data-value'), String(negativeCount));
  assert.match((await bar.textContent()) ?? '', new RegExp(`negative\\s*${negativeCount}\\s*\\d+(\\.\\d)?%`), 'the bar says its label, count and share in text');
  // The sample's reviews are all of one day: one bar for it (a line beyond a month of days), linked to them.
  const day = page.locator('#over-time li').first();
  assert.equal(await day.getAttribute('data-value'), '200', 'the reviews of that day');
  assert.match((await day.locator('a').getAttribute('href')) ?? '', /filter=metadata\.date%3E%3D2026-10-01&filter=metadata\.date%3C2026-10-02/);

  // The bar is a link to the explorer filtered to exactly those documents.
  await Promise.all([page.waitForURL(/\/results\?/), bar.locator('a').click()]);
  const listed = await page.locator('#results .result').evaluateAll((els) => els.map((e) => e.getAttribute('data-external-id')));
  const negative = (await results()).filter((r) => r.output?.sentiment === 'negative').map((r) => r.external_id);
  assert.deepEqual(listed, negative.slice(0, 25), 'the first page lists exactly the negative results');
  for (const value of await page.locator('#results [data-answer-field=sentiment]').allTextContents()) assert.equal(value, 'negative');
  assert.ok((await page.locator('#results .document-text').count()) > 0, 'documents shown beside their answers (the job kept its text)');
  if (negative.length > 25) assert.ok(await page.locator('#next-page').count(), 'a next page');

  // Correct the first one in the page: sentiment → positive.
  const first = page.locator('#results .result').first();
  const externalId = (await first.getAttribute('data-external-id')) ?? '';
  await first.locator('details.correct summary').click();
  await first.locator('select[name="f.sentiment"]').selectOption('positive');
  await first.locator('input[name=author]').fill('Browser Test');
  await Promise.all([page.waitForURL(/done=corrected/), first.locator('button[type=submit]').click()]);
  assert.match((await page.locator('.notice').textContent()) ?? '', /Correction of .* saved/);
  const listedCorrections = (await (await fetch(`${service.url}/v1/jobs/${jobId}/corrections`)).json()) as { data: Array<{ external_id: string; fields: Record<string, { value: unknown; model_value: unknown; author: string; corrected_by: string }> }> };
  assert.equal(listedCorrections.data.length, 1);
  assert.equal(listedCorrections.data[0]?.external_id, externalId);
  assert.deepEqual(Object.keys(listedCorrections.data[0]?.fields ?? {}), ['sentiment'], 'only the changed field was sent');
  assert.equal(listedCorrections.data[0]?.fields.sentiment?.value, 'positive');
  assert.equal(listedCorrections.data[0]?.fields.sentiment?.model_value, 'negative');
  assert.equal(listedCorrections.data[0]?.fields.sentiment?.author, 'Browser Test');
  assert.match(listedCorrections.data[0]?.fields.sentiment?.corrected_by ?? '', /^dashboard:/);

  // A new experiment on the same task takes it as a gold label.
  const experiment = await postJson(`${service.url}/v1/experiments`, {
    task: 'review-insights',
    source: { plugin: 'reviews', config: { path: path.join(ROOT, 'examples/reviews-google-play.csv'), preset: 'google-play' } },
    sample: { size: 200, seed: 7 },
    arms: [{ name: 'haiku', model: 'claude-haiku-5-5' }, { name: 'sonnet', model: 'claude-sonnet-5-5' }],
    labels: { corrections: {} },
  });
  assert.equal(experiment.status, 201, await experiment.clone().text());
  const labels = ((await experiment.json()) as { labels: { kind: string; fields: string[]; documents: number } }).labels;
  assert.deepEqual(labels, { kind: 'corrections', fields: ['sentiment'], documents: 1 });

  // The job page counts the correction.
  await page.goto(`${service.url}/jobs/${jobId}`);
  assert.equal(await page.locator('[data-field=sentiment] [data-corrected]').getAttribute('data-corrected'), '1');

  // Every panel readable at a phone's width and three desktop widths: measured, not compared with a picture.
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const url of [`${service.url}/jobs/${jobId}`, `${service.url}/jobs/${jobId}/results?filter=sentiment%3Dnegative`]) {
      await page.goto(url);
      assert.deepEqual(await overflowing(page), [], `${url} at ${width} px`);
    }
    // The explorer's forms: each label above its field, the field as wide as its row (not run together).
    const rows = await page.locator('.filter-form .form-row').evaluateAll((els) =>
      els.map((row) => {
        const label = row.querySelector('label')?.getBoundingClientRect();
        const field = row.querySelector('input, select, textarea')?.getBoundingClientRect();
        return { text: row.querySelector('label')?.textContent ?? '', below: !!label && !!field && field.top >= label.bottom - 1, wide: !!field && field.width >= row.getBoundingClientRect().width - 1 };
      }),
    );
    assert.ok(rows.length >= 3, 'the filter form has its rows');
    for (const row of rows) assert.ok(row.below && row.wide, `"${row.text}" at ${width} px: ${JSON.stringify(row)}`);
    if (width === 390) await screenshot(page, 'dashboard-results-phone');
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${service.url}/jobs/${jobId}`);
  await screenshot(page, 'dashboard-insights');
  assert.deepEqual(problems, [], 'no console errors (a CSP refusal would be one)');
  await context.close();
});

