// Records which functions of the UI module the first render calls, and the first steps of a run
// after it, for scripts/build-web.sh to split the rest out (binaryen's wasm-split --profile). The
// page at BASE_URL must serve a dist/ whose web_bg.wasm was made by `wasm-split --instrument`:
// this opens it in headless Chromium (Debian's, through playwright-core from tests/browser), waits
// for the first render and for the page to settle (the idle work after it: the check worker's
// warm-up), steps the run as a person would first (a thread's run button three times, a step
// back and forward by key), then has the module write its profile and saves it. So the first
// half holds what a first visit draws and does in its first seconds, and a first step never
// waits for the second half on a slow connection.
//
//   BASE_URL=http://127.0.0.1:PORT/ [CHROMIUM=/usr/bin/chromium] node scripts/profile-ui.mjs OUT
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(HERE, '..', 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');

const out = process.argv[2];
const base = process.env.BASE_URL;
if (!out || !base) {
  console.error('usage: BASE_URL=http://127.0.0.1:PORT/ node scripts/profile-ui.mjs OUT');
  process.exit(2);
}
/** How long the page is left after its first render, so the idle work after it is recorded. */
const SETTLE_MS = 1500;
/** The steps taken after the first render. */
const FIRST_STEPS = 3;
/** Room for the profile: the module writes 8 bytes and then 4 per function. */
const PROFILE_BYTES = 1 << 20;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  // The viewport of the browser tests and of scripts/bench-web.sh.
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base, { waitUntil: 'load' });
  await page.waitForSelector('html[data-ready="true"]', { timeout: 60_000 });
  await page.waitForTimeout(SETTLE_MS);
  const run = page.locator('.thread-pane[data-enabled="true"] .thread-run:not([disabled])').first();
  for (let i = 0; i < FIRST_STEPS; i++) {
    await run.click({ timeout: 10_000 });
    await page.waitForTimeout(100);
  }
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(500);
  if (errors.length) throw new Error(`the instrumented page failed: ${errors.join('; ')}`);
  const bytes = await page.evaluate(async (size) => {
    // The glue module is already loaded and initialised: its init returns the module's exports.
    const glue = await import(new URL('web.js', location.href).href);
    const wasm = await glue.default();
    const at = wasm.__wbindgen_malloc(size, 1);
    const n = wasm.__write_profile(at, size);
    return Array.from(new Uint8Array(wasm.memory.buffer, at, n));
  }, PROFILE_BYTES);
  if (bytes.length < 8) throw new Error(`the module wrote a profile of ${bytes.length} bytes`);
  writeFileSync(out, Buffer.from(bytes));
  console.error(`profile-ui: ${bytes.length} bytes written to ${out}`);
} finally {
  await browser.close();
}
