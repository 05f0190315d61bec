// Two wasm modules: the first render loads only the UI (web.js, web_bg.wasm); the checker module
// (web_worker.js, web_worker_bg.wasm, built from web-worker/) comes with the page's first Web
// Worker, after the first render, and the checks still work. Run by scripts/test.sh with the
// other browser tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, waitPosition, BASE_URL } from './lib.mjs';

const session = useBrowser();

/** What the checker side of the app is made of: the worker script and the checker module. */
const CHECKER = /\/(assets\/worker\.js|web_worker\.js|web_worker_bg\.wasm)$/;

/** Every request of the context (the page's and its workers'), with its path and start time
 *  (ms since the epoch) once it has finished. */
function requestLog(context) {
  const log = [];
  context.on('requestfinished', (req) => {
    const url = new URL(req.url());
    if (url.origin !== new URL(BASE_URL).origin) return;
    log.push({ path: url.pathname, start: req.timing().startTime });
  });
  return log;
}

/** The first render's time, in ms since the epoch, as the app marks it on <html>. */
const firstRenderAt = (page) =>
  page.evaluate(() => performance.timeOrigin + Number(document.documentElement.dataset.firstRenderMs));

test('the first render fetches no checker module; the worker fetches it afterwards, and checks work', async () => {
  const context = session.context();
  const log = requestLog(context);
  const { page, problems } = await openPage(context, '?v=3&s=put-block-vs-affinity&t=naive-update&m=sc');
  try {
    const rendered = await firstRenderAt(page);
    assert.ok(Number.isFinite(rendered), 'the app marks its first render');
    // The page's own module has no worker entry point: the checker is not in it.
    const ui = await page.evaluate(async () => Object.keys(await import(new URL('web.js', location.href).href)));
    assert.ok(!ui.includes('worker_handle') && !ui.includes('matrix_json'), ui.join(', '));

    // Idly after the first render, the check worker starts and loads the checker module.
    const deadline = Date.now() + 15_000;
    while (!log.some((r) => r.path.endsWith('/web_worker_bg.wasm')) && Date.now() < deadline) {
      await page.waitForTimeout(50);
    }
    const before = log.filter((r) => r.start <= rendered).map((r) => r.path);
    assert.ok(before.some((p) => p.endsWith('/web_bg.wasm')), `the UI module came first: ${before.join(', ')}`);
    assert.deepEqual(before.filter((p) => CHECKER.test(p)), [], 'nothing of the checker before the first render');
    const worker = log.filter((r) => CHECKER.test(r.path));
    assert.ok(worker.some((r) => r.path.endsWith('/web_worker_bg.wasm')),
      `the checker module was loaded after the first render without a check: ${log.map((r) => r.path).join(', ')}`);
    assert.ok(worker.every((r) => r.start > rendered), JSON.stringify({ rendered, worker }));

    // A check still works: naive-update loses a wake-up.
    await page.locator('#find-race').click();
    await page.locator('#check-verdict[data-verdict="violation"]').waitFor();
    // The counterexample opens at step 0; End goes to the hang.
    await page.waitForFunction(() => Number(document.querySelector('#position')?.dataset.len) > 0);
    await page.keyboard.press('End');
    await page.locator('#hang-banner').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a check asked for right after the first render answers, whether or not the warm-up has started', async () => {
  const context = session.context();
  const { page, problems } = await openPage(context, '?v=3&s=put-block-vs-affinity&t=linux-6.17&m=sc');
  try {
    await page.locator('#find-race').click();
    await page.locator('#check-verdict[data-verdict="safe"]').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

/** The UI's second module (scripts/build-web.sh split_ui, assets/lazy.js). */
const LAZY = /\/web_lazy_bg\.wasm$/;
const linked = (page) => page.waitForSelector('html[data-lazy="linked"]', { timeout: 15_000 });

test('the first render fetches only the first part of the UI; the rest comes idly after it', async () => {
  const context = session.context();
  const log = requestLog(context);
  const { page, problems } = await openPage(context, '');
  try {
    const rendered = await firstRenderAt(page);
    await linked(page);
    const lazy = log.filter((r) => LAZY.test(r.path));
    assert.equal(lazy.length, 1, `one fetch of the rest: ${log.map((r) => r.path).join(', ')}`);
    assert.ok(lazy[0].start > rendered, `after the first render: ${JSON.stringify({ rendered, lazy })}`);
    // Views the first render did not draw now open without another fetch.
    for (const [tab, main] of [['lessons', '#lessons'], ['challenges', '#challenges'], ['matrix', '#matrix']]) {
      await page.locator(`#tab-${tab}`).click();
      await page.locator(main).waitFor();
    }
    assert.equal(log.filter((r) => LAZY.test(r.path)).length, 1, log.map((r) => r.path).join(', '));
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a view clicked before the rest of the UI has arrived loads it at once and opens', async () => {
  const context = session.context();
  const page = await context.newPage();
  // The idle prefetch is held back (until the end of the test); the synchronous load a
  // placeholder makes goes through.
  let held = null;
  let release;
  const releasedAll = new Promise((r) => { release = r; });
  let fetches = 0;
  await page.route(LAZY, async (route) => {
    fetches += 1;
    if (!held) {
      held = route;
      await releasedAll;
    }
    await route.continue();
  });
  try {
    await page.goto(new URL('', BASE_URL).href, { waitUntil: 'load' });
    await page.waitForSelector('html[data-ready="true"]');
    const deadline = Date.now() + 15_000;
    while (!held && Date.now() < deadline) await page.waitForTimeout(50);
    assert.ok(held, 'the page started the idle prefetch');
    // The first steps of a run are in the first half (scripts/profile-ui.mjs takes them): no fetch.
    await page.locator('.thread-pane[data-enabled="true"] .thread-run:not([disabled])').first().click();
    await waitPosition(page, 1);
    await page.keyboard.press('ArrowLeft');
    await waitPosition(page, 0);
    assert.equal(fetches, 1, 'stepping the run needed nothing of the second half');
    await page.locator('#tab-lessons').click();
    await page.locator('#lessons').waitFor();
    await page.locator('#tab-matrix').click();
    await page.locator('#matrix').waitFor();
    assert.ok(fetches >= 2, `a placeholder fetched the rest itself (${fetches} fetches)`);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.lazy), 'linked');
  } finally {
    release();
    await page.close();
  }
});

test('when the rest of the UI cannot be fetched, the lab says so once, in words', async () => {
  const context = session.context();
  const page = await context.newPage();
  await page.route(LAZY, (route) => route.fulfill({ status: 404, body: 'not here' }));
  try {
    await page.goto(new URL('', BASE_URL).href, { waitUntil: 'load' });
    await page.waitForSelector('html[data-ready="true"]');
    await page.locator('#tab-lessons').click();
    const notice = page.locator('.fatal[role="alert"]');
    await notice.waitFor();
    assert.match(await notice.textContent(), /could not load the rest of its code \(HTTP 404 .*\)\. Check the connection and reload the page\./);
    // A second view that needs it fails at once, without a second notice.
    await page.locator('#tab-challenges').click();
    await page.waitForTimeout(300);
    assert.equal(await page.locator('.fatal').count(), 1);
  } finally {
    await page.close();
  }
});
