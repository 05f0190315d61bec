// Real-browser tests of the web front end: playwright-core driving Debian's
// Chromium (never a downloaded browser). Run by scripts/test.sh as
//   BASE_URL=http://127.0.0.1:PORT/ node --test tests/browser/run.mjs
// Screenshots go to tests/browser/artifacts/ (gitignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = join(HERE, 'artifacts');
const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080/';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT_MS = 30_000;

let context;
let profileDir;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // A fresh profile every run; launchPersistentContext passes it as --user-data-dir.
  profileDir = mkdtempSync(join(tmpdir(), 'avic-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: TIMEOUT_MS,
    viewport: { width: 1024, height: 640 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

/** Opens a page that records console errors, page errors and failed requests. */
async function openPage(path = '') {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) =>
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  const response = await page.goto(new URL(path, BASE_URL).href, { waitUntil: 'load' });
  assert.equal(response?.status(), 200, `GET ${BASE_URL}${path}`);
  return { page, problems };
}

test('the app loads, shows its title and the counter counts clicks', async () => {
  const { page, problems } = await openPage();
  try {
    const title = page.locator('h1.title');
    await title.waitFor({ state: 'visible' });
    assert.equal((await title.textContent())?.trim(), 'AVIC race lab');

    const value = page.locator('#counter-value');
    assert.equal(await value.getAttribute('data-count'), '0');
    await page.locator('#counter-button').click();
    await page.waitForFunction(
      () => document.querySelector('#counter-value')?.dataset.count === '1');
    await page.locator('#counter-button').click();
    await page.waitForFunction(
      () => document.querySelector('#counter-value')?.dataset.count === '2');
    assert.equal((await value.textContent())?.trim(), 'Clicked 2 times');

    await page.screenshot({ path: join(ARTIFACTS, 'app-counter.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
  } finally {
    await page.close();
  }
});
