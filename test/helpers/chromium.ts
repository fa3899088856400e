// Debian's Chromium for the browser tests: where it is, the flags it needs on a machine without internet,
// and the skip reason outside CI when it is missing (CI installs it and must run the tests).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '../..');

export const CHROMIUM = '/usr/bin/chromium';
// Without these, Chromium stalls on refused connections to Google services (the machine has no internet).
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const chromiumInstalled = fs.existsSync(CHROMIUM);

/** The test's skip option: a reason when Chromium is missing outside CI, else false (CI fails in `before` instead). */
export const skipWithoutChromium: string | false =
  !chromiumInstalled && !process.env.CI ? `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium); .ci/run installs it and CI always runs this test` : false;

/**
 * A full-page screenshot in the temp folder (checked to be a real picture); with UPDATE_SCREENSHOTS=1 it is
 * also copied to docs/images/, where the README shows it.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const file = path.join(os.tmpdir(), `batchline-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(fs.statSync(file).size > 10_000, `${file} holds a real screenshot`);
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(path.join(ROOT, 'docs/images'), { recursive: true });
    fs.copyFileSync(file, path.join(ROOT, 'docs/images', `${name}.png`));
  }
}
