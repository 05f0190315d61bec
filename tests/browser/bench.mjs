// Browser half of scripts/bench-web.sh (not a test): time to first render and the files it
// fetched, the matrix through the page's workers, and the single-threaded wasm matrix (the
// checker module). Prints one JSON object.
//   BASE_URL=http://127.0.0.1:PORT/ [NATIVE_MATRIX=target/release/examples/native_matrix] node tests/browser/bench.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080/';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const RUNS = Number(process.env.RUNS ?? 5);
const NATIVE_MATRIX = process.env.NATIVE_MATRIX ?? '';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const profile = mkdtempSync(join(tmpdir(), 'avic-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1280, height: 720 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const out = {};
try {
  // Time to first render: performance.now() when the app's first render was mounted; on the
  // first (cold) load, the files fetched before it (paths under BASE_URL).
  const firsts = [];
  const base = new URL(BASE_URL);
  for (let i = 0; i < RUNS; i++) {
    const page = await context.newPage();
    const log = [];
    if (i === 0) {
      context.on('requestfinished', (req) => {
        const url = new URL(req.url());
        if (url.origin === base.origin) log.push({ path: url.pathname, start: req.timing().startTime });
      });
    }
    await page.goto(BASE_URL, { waitUntil: 'load' });
    await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
    const [ms, at] = await page.evaluate(() => {
      const ms = Number(document.documentElement.dataset.firstRenderMs);
      return [ms, performance.timeOrigin + ms];
    });
    firsts.push(ms);
    if (i === 0) {
      await page.waitForTimeout(200); // the last request events of the first render
      context.removeAllListeners('requestfinished');
      out.first_render_files = [...new Set(log.filter((r) => r.start <= at)
        .map((r) => r.path.slice(base.pathname.length) || 'index.html'))];
    }
    await page.close();
  }
  out.first_render_cold_ms = firsts[0];
  out.first_render_ms = median(firsts);

  // The matrix through the page's workers (what a user waits for), per memory model.
  const page = await context.newPage();
  await page.goto(new URL('?view=matrix', BASE_URL).href, { waitUntil: 'load' });
  out.matrix_workers = 0;
  for (const mem of ['sc', 'tso']) {
    await page.locator(`#matrix-memory-${mem}`).check();
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      if (i > 0) await page.locator('#matrix-run').click();
      await page.waitForSelector('#matrix[data-complete="true"] #matrix-time', { timeout: 120_000 });
      times.push(Number(await page.locator('#matrix-time').getAttribute('data-ms')));
      await page.waitForTimeout(50);
    }
    out[`matrix_${mem}_ms`] = median(times);
  }
  out.matrix_cells = await page.locator('.mx-cell').count();
  out.matrix_workers = await page.evaluate(() => Math.min(Math.max(navigator.hardwareConcurrency | 0, 1), 4));

  // The same checks on one thread in the checker module, and natively (NATIVE_MATRIX, the
  // native_matrix example), in turns: each round times the native build and then the wasm one
  // on the same cells, so the ratio of a round compares two runs made moments apart (on a
  // shared machine, runs minutes apart differ by more than the two builds do).
  await page.evaluate(async () => {
    const m = await import(new URL('web_worker.js', location.href).href);
    await m.default();
    window.benchChecker = m;
  });
  const rounds = Math.max(3, RUNS);
  out.wasm_rounds = rounds;
  for (const mem of ['sc', 'tso']) {
    const wasm = [];
    const native = [];
    let states = 0;
    for (let i = 0; i < rounds; i++) {
      if (NATIVE_MATRIX) {
        const doc = JSON.parse(execFileSync(NATIVE_MATRIX, [mem], { maxBuffer: 64 << 20 }).toString());
        native.push(doc[0].ms);
      }
      const [ms, n] = await page.evaluate((mem) => {
        const t0 = performance.now();
        const text = window.benchChecker.matrix_json(mem);
        const ms = performance.now() - t0;
        const cells = JSON.parse(text);
        if (!Array.isArray(cells)) throw new Error(`matrix_json(${mem}): ${text.slice(0, 200)}`);
        return [ms, cells.reduce((n, c) => n + c.states, 0)];
      }, mem);
      wasm.push(ms);
      states = n;
    }
    out[`wasm_matrix_${mem}_ms`] = Math.min(...wasm);
    out[`wasm_matrix_${mem}_states`] = states;
    if (native.length) {
      out[`native_matrix_${mem}_ms`] = Math.min(...native);
      out[`paired_ratio_${mem}`] = median(wasm.map((w, i) => w / native[i]));
      out[`paired_ratio_${mem}_range`] = wasm.map((w, i) => w / native[i]).sort((a, b) => a - b)
        .map((r) => r.toFixed(2)).join(' ');
    }
  }
  await page.close();
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
