// Real-browser tests of the web front end: playwright-core driving Debian's
// Chromium (never a downloaded browser). Run by scripts/test.sh as
//   BASE_URL=http://127.0.0.1:PORT/ node --test tests/browser/run.mjs
// Screenshots go to tests/browser/artifacts/ (gitignored). Presenting and teaching (share
// links, embeds, keys, PNG, lessons) are in teach.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { useBrowser, position, waitPosition, shot, REPO } from './lib.mjs';

const { openPage, context: browserContext } = useBrowser();

test('the explorer shows the world, and the user is the scheduler', async () => {
  // The world a link without t= means (a bare address opens the first visit's world instead).
  const { page, problems } = await openPage('?v=3&s=put-block-vs-affinity&t=linux-6.5&m=sc');
  try {
    assert.equal((await page.locator('h1.title').textContent())?.trim(), 'AVIC race lab');
    // Pickers: every shipped scenario, every preset, the knobs, the memory models.
    assert.ok(await page.locator('#scenario-select option').count() >= 5);
    assert.equal(await page.locator('#strategy-select option').count(), 12);
    assert.equal(await page.locator('.knobs input[type=checkbox]').count(), 11);
    assert.equal(await page.locator('#knob-target option').count(), 5);
    assert.equal(await page.locator('input[name=memory]').count(), 2);
    // One code pane per thread, with the next line highlighted; the shared state.
    const panes = page.locator('.thread-pane');
    assert.equal(await panes.count(), 4);
    assert.equal(await page.locator('.thread-pane[data-thread="0"] .is-next').count(), 1);
    assert.equal(await page.locator('.thread-pane[data-thread="3"]').getAttribute('data-enabled'), 'false');
    assert.match(await page.locator('.thread-pane[data-thread="3"] .thread-status').textContent(), /idle/);
    assert.ok(await page.locator('.state-pane [data-cell="entry.0"]').isVisible());
    assert.equal(await position(page), 0);
    await shot(page, 'explorer-start.png');

    // Click thread 0, press key 1, then go back.
    await page.locator('#run-0').click();
    await waitPosition(page, 1);
    assert.match(await page.locator('#last-step').textContent(), /Step 1 · vCPU0 thread/);
    await page.keyboard.press('1');
    await waitPosition(page, 2);
    assert.ok(await page.locator('.cell.changed').count() >= 1, 'the last step changed a cell');
    await page.locator('#back').click();
    await waitPosition(page, 1);
    assert.equal(await page.locator('#position').getAttribute('data-len'), '2');
    await page.waitForFunction(() => location.search.includes('r=01') && location.search.includes('at=1'));
    await page.locator('#forward').click();
    await waitPosition(page, 2);
    // The timeline: click a step to jump there.
    await page.locator('#timeline g.step[data-step="1"]').click();
    await waitPosition(page, 1);
    // A disabled thread says why instead of running.
    await page.keyboard.press('3');
    await page.locator('.notice-info').waitFor();
    assert.equal(await position(page), 1);
    await page.locator('#reset').click();
    await waitPosition(page, 0);
    assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
  } finally {
    await page.close();
  }
});

test('x86-TSO: buffered stores get a flush button', async () => {
  const { page, problems } = await openPage('?scenario=put-block-vs-affinity&strategy=barrier-only&memory=tso');
  try {
    for (let i = 0; i < 20 && (await page.locator('.thread-flush').count()) === 0; i++) {
      const n = await position(page);
      await page.keyboard.press('0');
      await waitPosition(page, n + 1);
    }
    const flush = page.locator('.thread-flush').first();
    assert.ok(await flush.isVisible(), 'a flush button appeared');
    const n = await position(page);
    await flush.click();
    await waitPosition(page, n + 1);
    assert.match(await page.locator('#position').evaluate(() => location.search), /r=[0-9]*a/);
    await shot(page, 'explorer-tso-flush.png');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('find a race: put-block-vs-affinity × naive-update loses a wake-up', async () => {
  const { page, problems } = await openPage('?scenario=put-block-vs-affinity&strategy=naive-update&memory=sc');
  try {
    await page.locator('#find-race').click();
    await page.locator('#check-verdict[data-verdict="violation"]').waitFor();
    // The worst counterexample is loaded at step 0, saying where the hang happens; End goes
    // there, and it is explained, loudly.
    await page.waitForFunction(() => Number(document.querySelector('#position')?.dataset.len) > 0);
    assert.equal(await position(page), 0);
    assert.match(await page.locator('body').textContent(), /→ to replay; the hang happens at step \d+\./);
    await page.keyboard.press('End');
    const banner = page.locator('#hang-banner');
    await banner.waitFor();
    assert.match(await banner.textContent(), /LOST WAKE-UP/);
    assert.match(await banner.textContent(), /asleep/);
    const item = page.locator('#violations .violation[data-kind="lost-wakeup"]');
    assert.match(await item.textContent(), /lost wake-up/i);
    assert.equal(await page.locator('.cex[data-kind="lost-wakeup"]').getAttribute('aria-pressed'), 'true');
    for (const kind of ['stale-irte', 'delayed-delivery']) {
      assert.equal(await page.locator(`.cex[data-kind="${kind}"]`).count(), 1, kind);
    }
    assert.ok(await position(page) > 0);
    await shot(page, 'find-race-lost-wakeup.png');

    // Another kind's counterexample loads on click; the timeline can be downloaded.
    await page.locator('.cex[data-kind="delayed-delivery"]').click();
    await page.locator('#violations .violation[data-kind="delayed-delivery"]').waitFor();
    const href = await page.locator('#download-svg').getAttribute('href');
    assert.ok(href.startsWith('data:image/svg+xml'), href.slice(0, 40));
    assert.match(decodeURIComponent(href), /<g class="step" data-step="1">/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-svg').click()]);
    assert.match(download.suggestedFilename(), /^avic-put-block-vs-affinity-naive-update-sc-step\d+\.svg$/);

    // Cancel, then check again: the worker is terminated, replaced, and still answers. The
    // page renders in a microtask after the click, before any worker message can arrive.
    const before = await page.locator('#check-verdict').getAttribute('data-job');
    const cancelled = await page.evaluate(async () => {
      document.querySelector('#find-race').click();
      await new Promise((r) => queueMicrotask(r));
      const cancel = document.querySelector('#cancel-check');
      if (!cancel) return false;
      cancel.click();
      return true;
    });
    assert.ok(cancelled, 'a Cancel button while the check runs');
    await page.locator('#check-verdict[data-verdict="cancelled"]').waitFor();
    await page.locator('#find-race').click();
    await page.locator(`#check-verdict[data-verdict="violation"]:not([data-job="${before}"])`).waitFor();

    // A safe world says so.
    await page.locator('#strategy-select').selectOption('linux-6.17');
    await page.locator('#find-race').click();
    await page.locator('#check-verdict[data-verdict="safe"]').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('after a check, the code panes shade lines no schedule runs and mark the lines a bug needs', async () => {
  const { page, problems } = await openPage('?scenario=put-block-vs-affinity&strategy=naive-update&memory=sc');
  try {
    // Before any check nothing is marked: coverage is the checker's finding, not a guess.
    assert.equal(await page.locator('.code-line.is-dead, .code-line.is-needed').count(), 0);
    await page.locator('#find-race').click();
    await page.locator('#check-verdict[data-verdict="violation"]').waitFor();
    await page.keyboard.press('Home');
    await waitPosition(page, 0);
    // The IRTE starts unposted: the updater's svm_ir_list_del never has an old list to leave.
    const updater = page.locator('.thread-pane[data-thread="1"]');
    const dead = updater.locator('.code-line.is-dead');
    assert.equal(await dead.count(), 2);
    assert.match(await dead.first().textContent(), /list_del/);
    assert.match(await dead.first().textContent(), /never runs/);
    assert.match(await dead.first().getAttribute('title'), /No reachable state runs this line/);
    // Every lost wake-up runs the updater's unlocked IRTE write.
    const needed = updater.locator('.code-line.is-needed', { hasText: 'amd_iommu_update_ga' });
    assert.equal(await needed.count(), 1);
    assert.match(await needed.getAttribute('title'), /Every counterexample of .*lost wake-up/i);
    // Seen, not only in the DOM: the dead line is drawn (inside its pane, with its tag).
    await dead.first().scrollIntoViewIfNeeded();
    const box = await dead.first().boundingBox();
    const tag = await dead.first().locator('.cov-tag').boundingBox();
    assert.ok(box && tag && box.height > 0 && tag.x >= box.x && tag.x + tag.width <= box.x + box.width + 1);
    assert.match(await page.locator('#coverage-legend').textContent(), /1,516 states|1516 states/);
    await shot(page, 'coverage-naive-update.png');
    // Another world: the marks are gone until that world is checked.
    await page.goto(page.url().replace('naive-update', 'linux-6.17'));
    await page.locator('.thread-pane').first().waitFor();
    assert.equal(await page.locator('.code-line.is-dead, .code-line.is-needed').count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the matrix shows every verdict and opens a cell in the explorer', async () => {
  const { page, problems } = await openPage();
  try {
    await page.locator('#tab-matrix').click();
    // The whole matrix, preemption bounds included: a correctness check, not a timed one (bench-web.sh times it).
    await page.locator('#matrix[data-complete="true"]').waitFor({ timeout: 240_000 });
    const cells = page.locator('.mx-cell');
    // 17 shipped scenarios × 12 strategy presets.
    assert.equal(await cells.count(), 17 * 12);
    const verdicts = await cells.evaluateAll((els) => els.map((e) => e.dataset.verdict));
    assert.ok(verdicts.every((v) => v === 'safe' || v === 'violation'), verdicts.join(','));
    const naive = page.locator('.mx-cell[data-scenario="put-block-vs-affinity"][data-strategy="naive-update"]');
    assert.equal(await naive.getAttribute('data-verdict'), 'violation');
    assert.match(await naive.textContent(), /lost wake-up/);
    // Linux 6.17 closes 6.6's old-owner window but loses a wake-up in its own unlink window.
    const v617 = (s) => page.locator(`.mx-cell[data-scenario="${s}"][data-strategy="linux-6.17"]`).getAttribute('data-verdict');
    assert.equal(await v617('retarget-vs-old-owner'), 'safe');
    assert.equal(await v617('repost-while-halting'), 'violation');
    const ms = Number(await page.locator('#matrix-time').getAttribute('data-ms'));
    console.log(`# matrix (sc) in the browser: ${ms} ms`);
    await shot(page, 'matrix-sc.png');

    // Open a cell: the explorer at step 0 of its lost wake-up; End goes to the hang.
    await naive.click();
    await page.waitForFunction(() => Number(document.querySelector('#position')?.dataset.len) > 0);
    assert.equal(await position(page), 0);
    await page.keyboard.press('End');
    await page.locator('#hang-banner').waitFor();
    assert.equal(await page.locator('#strategy-select').inputValue(), 'naive-update');
    assert.equal(await page.locator('#check-verdict').getAttribute('data-verdict'), 'violation');

    // Memory model switch: re-checked under TSO.
    await page.locator('#tab-matrix').click();
    await page.locator('#matrix-memory-tso').check();
    // The whole matrix, preemption bounds included: a correctness check, not a timed one (bench-web.sh times it).
    await page.locator('#matrix[data-complete="true"]').waitFor({ timeout: 240_000 });
    assert.equal(await page.locator('.mx-cell[data-verdict="violation"]').count() > 0, true);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the same exhaustive checks give identical verdicts and state counts in wasm and natively', async () => {
  // Native: the same web_worker::jobs code, compiled for the host.
  const out = execFileSync('cargo', ['run', '-q', '-p', 'web-worker', '--example', 'native_matrix', '--', 'all'], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 900_000,
  });
  const native = JSON.parse(out);
  const { page, problems } = await openPage();
  try {
    const wasm = await page.evaluate(async () => {
      const m = await import(new URL('web_worker.js', location.href).href);
      await m.default();
      return ['sc', 'tso'].map((mem) => ({ memory: mem, cells: JSON.parse(m.matrix_json(mem)) }));
    });
    const strip = (cells) => cells.map(({ ms, ...rest }) => rest);
    for (const { memory, cells } of wasm) {
      const n = native.find((x) => x.memory === memory);
      assert.ok(n, `native has ${memory}`);
      assert.equal(cells.length, 17 * 12);
      assert.deepEqual(strip(cells), strip(n.cells), `wasm and native agree under ${memory}`);
    }
    // And the page's workers agree too (what the matrix view shows).
    await page.locator('#tab-matrix').click();
    // The whole matrix, preemption bounds included: a correctness check, not a timed one (bench-web.sh times it).
    await page.locator('#matrix[data-complete="true"]').waitFor({ timeout: 240_000 });
    const shown = await page.locator('.mx-cell').evaluateAll((els) =>
      els.map((e) => [e.dataset.scenario, e.dataset.strategy, e.dataset.verdict, Number(e.dataset.states)]));
    const sc = native.find((x) => x.memory === 'sc').cells;
    assert.deepEqual(shown, sc.map((c) => [c.scenario, c.strategy, c.verdict, c.states]));
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('bad links and impossible scenarios show a clear message, never a blank page', async () => {
  const bad = JSON.stringify({
    id: 'impossible', title: 'impossible', pcpus: 0, vcpus: [], threads: [],
  });
  const cases = [
    ['?scenario=put-block-vs-affinity&schedule=01zz', /is not a schedule/],
    ['?scenario=put-block-vs-affinity&schedule=0199999', /cannot be replayed/],
    ['?scenario=no-such-scenario', /does not have: 'no-such-scenario'/],
    ['?strategy=warp-drive&memory=arm', /unknown strategy 'warp-drive'/],
    [`?scenario_json=${encodeURIComponent(bad)}`, /scenario cannot run/],
    ['?scenario_json=%7Bnot%20json', /scenario cannot run: scenario JSON/],
    // A link carrying an escape sequence and a fake verdict line: shown escaped, as text.
    ['?v=3&s=%1B%5B2J%0Averdict%3A%20SAFE&t=kick', /does not have: '\\u\{1b\}\[2J\\nverdict: SAFE'/],
  ];
  for (const [i, [query, message]] of cases.entries()) {
    const { page, problems } = await openPage(query);
    try {
      const notice = page.locator('.notice-error').first();
      await notice.waitFor();
      const said = await page.locator('.notices').textContent();
      assert.match(said, message, query);
      assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(said), `no raw control character from ${query}`);
      // Still a working page.
      assert.ok(await page.locator('.thread-pane').count() > 0, `threads shown for ${query}`);
      if (i === 0) await shot(page, 'bad-link.png');
      // Dismissable.
      await notice.locator('.notice-close').click();
      assert.deepEqual(problems, [], query);
    } finally {
      await page.close();
    }
  }
});

test('light and dark themes: the picker and prefers-color-scheme', async () => {
  const { page, problems } = await openPage('?scenario=migrate-vs-affinity&strategy=naive-update&schedule=0101');
  try {
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await bg();
    await page.locator('#theme-select').selectOption('dark');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    const dark = await bg();
    assert.notEqual(light, dark);
    // The timeline follows the page's theme (style.css, not the SVG's own <style>).
    const tlBg = () => page.evaluate(() => getComputedStyle(document.querySelector('#timeline .bg')).fill);
    assert.equal(await tlBg(), 'rgb(22, 24, 29)');
    await shot(page, 'explorer-dark.png');
    await page.locator('#theme-select').selectOption('light');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    assert.equal(await tlBg(), 'rgb(255, 255, 255)');
    assert.equal(await page.evaluate(() => localStorage.getItem('avic-race-lab.theme')), 'light');
    // Back to following the system, which says dark.
    await page.locator('#theme-select').selectOption('auto');
    await page.waitForFunction(() => !document.documentElement.dataset.theme && !location.search.includes('theme='));
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    assert.equal(await bg(), dark);
    await page.locator('#tab-matrix').click();
    // The whole matrix, preemption bounds included: a correctness check, not a timed one (bench-web.sh times it).
    await page.locator('#matrix[data-complete="true"]').waitFor({ timeout: 240_000 });
    await shot(page, 'matrix-dark.png');
    await page.emulateMedia({ colorScheme: 'light' });
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('laptop screen: 1366×768 and 1024×640 keep the scheduler usable', async () => {
  for (const [w, h] of [[1366, 768], [1024, 640]]) {
    const { page, problems } = await openPage('?scenario=retarget-vs-old-owner&strategy=lock-fix');
    try {
      await page.setViewportSize({ width: w, height: h });
      // No horizontal page scroll; the first thread's button and Find a race are reachable.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scroll at ${w}×${h} (overflow ${overflow}px)`);
      assert.ok(await page.locator('#run-0').isVisible());
      await page.locator('#find-race').scrollIntoViewIfNeeded();
      assert.ok(await page.locator('#find-race').isVisible());
      await shot(page, `explorer-${w}x${h}.png`);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  }
});
