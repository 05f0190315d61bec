// Shared by the real-browser tests (tests/browser/*.mjs): launching Debian's Chromium through
// playwright-core (never a downloaded browser) and opening pages that record every problem.
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '..', '..');
export const ARTIFACTS = join(HERE, 'artifacts');
export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080/';
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const TIMEOUT_MS = 30_000;

/** A fresh headless Chromium profile. Every frame of every page records Content-Security-Policy
 *  violations in window.__csp and reports them as console errors, which openPage collects. */
export async function launch() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const profileDir = mkdtempSync(join(tmpdir(), 'avic-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: TIMEOUT_MS,
    viewport: { width: 1280, height: 720 },
    colorScheme: 'light',
    acceptDownloads: true,
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
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      const what = `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`;
      window.__csp.push(what);
      console.error(`CSP violation: ${what}`);
    });
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** One browser for a test file: launched before its tests, closed after them. Gives
 *  `openPage(path)` on the browser's context and `context()` for tests that need the context. */
export function useBrowser() {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  return { openPage: (path = '') => openPage(browser.context, path), context: () => browser.context };
}

/** Records console errors, page errors, failed requests and HTTP errors of a page. A request
 * aborted by a later navigation of the page (a goto or reload in the test) is not one: the
 * navigation cancels what the old document was still fetching, such as the checker's module,
 * which loads idly after first paint. Such a request failed with net::ERR_ABORTED while a
 * navigation after the first was under way (its document requested, the new page not yet
 * loaded) or after one began. */
export function watch(page) {
  const problems = [];
  let navigations = 0;
  let navigating = false;
  const startedAt = new WeakMap();
  page.on('request', (req) => {
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      navigations += 1;
      navigating = navigations > 1;
    }
    startedAt.set(req, navigations);
  });
  page.on('load', () => {
    navigating = false;
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    const error = req.failure()?.errorText;
    const byNavigation = navigating || (startedAt.get(req) ?? navigations) < navigations;
    if (error === 'net::ERR_ABORTED' && byNavigation) return;
    problems.push(`request failed: ${req.url()} (${error})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

/** Opens the app at `path` (a query string) and waits for its first render. */
export async function openPage(context, path = '') {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const problems = watch(page);
  const response = await page.goto(new URL(path, BASE_URL).href, { waitUntil: 'load' });
  assert.equal(response?.status(), 200, `GET ${BASE_URL}${path}`);
  await page.waitForSelector('html[data-ready="true"]');
  return { page, problems };
}

export const position = async (page) => Number(await page.locator('#position').getAttribute('data-position'));
export const waitPosition = (page, n) =>
  page.waitForFunction((n) => document.querySelector('#position')?.dataset.position === String(n), n);
/** Scrolls `locator` into view and asserts its box is really on screen: non-empty and inside
 *  the viewport. Returns the box. */
export async function onScreen(locator, what) {
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  assert.ok(box && box.width > 0 && box.height > 0, `${what} has a box: ${JSON.stringify(box)}`);
  const vp = locator.page().viewportSize();
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width + 1 && box.y + box.height <= vp.height + 1,
    `${what} is inside the viewport: ${JSON.stringify(box)}`);
  return box;
}

export const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, name) });
