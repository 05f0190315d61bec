// Real-browser tests of teaching and presenting (issue #5): share links (v2, old v1, corrupt and
// future ones), the Share / Embed dialog, embed mode inside an iframe under a strict CSP, the
// presenter keys, the large theme, PNG export and the guided lessons. Run by scripts/test.sh:
//   BASE_URL=http://127.0.0.1:PORT/ node --test tests/browser/teach.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowser, watch, position, waitPosition, shot, ARTIFACTS, BASE_URL, TIMEOUT_MS } from './lib.mjs';

const { openPage, context: browserContext } = useBrowser();

// The lost wake-up of the first 2023 patch: 24 steps (the CLI's `avic-lab check` output).
// The naive-update lost wake-up in today's steps (link format v3), and as the first release
// recorded it (v1/v2 links count that model's coarser steps: 19 of them, the IRTE write at 12,
// which is today's 17 with its publish).
const LOST = '000000000111111111111222';
const LOST_OLD = '0000000001111111222';
const V3 = `?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=${LOST}`;
const V2 = `?v=2&s=put-block-vs-affinity&t=naive-update&m=sc&r=${LOST_OLD}`;
const V1 = `?v=1&scenario=put-block-vs-affinity&strategy=naive-update&memory=sc&schedule=${LOST_OLD}`;

/** The state pane as {cell id: value}. */
const cells = (page) => page.locator('.state-pane [data-cell]').evaluateAll((els) =>
  Object.fromEntries(els.map((e) => [e.dataset.cell, e.querySelector('.cell-value').textContent])));

test('a share link opens the exact state; the address bar follows the steps', async () => {
  const { page, problems } = await openPage(`${V3}&at=17`);
  try {
    assert.equal(await position(page), 17);
    assert.equal(await page.locator('#position').getAttribute('data-len'), '24');
    // Step 17 publishes the patch's new line: IsRun=1 in IRTE0 for vCPU0, which sleeps.
    assert.match(await page.locator('#last-step').textContent(), /Step 17 · IRQ affinity updater/);
    const at17 = await cells(page);
    assert.match(at17['irte.0'], /IsRun 1/);
    assert.equal(await page.locator('.state-pane [data-cell="irte.0"]').getAttribute('class'), 'cell changed');
    assert.equal(await page.locator('#hang-banner').count(), 0, 'no hang yet at step 17');
    // → and ←: the address bar is always a share link to what is on screen.
    await page.keyboard.press('ArrowRight');
    await waitPosition(page, 18);
    await page.waitForFunction(() => location.search.endsWith('&at=18'));
    await page.keyboard.press('End');
    await waitPosition(page, 24);
    await page.waitForFunction((v3) => location.search === v3, V3);
    // The end of the run: the lost wake-up, explained.
    assert.match(await page.locator('#hang-banner').textContent(), /LOST WAKE-UP/);
    assert.match(await page.locator('#violations .violation[data-kind="lost-wakeup"] .violation-text').textContent(),
      /vCPU0 is asleep in schedule\(\) with vector\(s\) 0x01 pending/);
    // Reopening the address bar's link gives the same page.
    const again = await openPage(new URL(page.url()).search);
    try {
      assert.equal(await position(again.page), 24);
      assert.deepEqual(await cells(again.page), await cells(page));
      assert.deepEqual(again.problems, []);
    } finally {
      await again.page.close();
    }
    assert.equal(await page.locator('.notice-error').count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('old v1 and v2 links still open the same state, and are rewritten as v3', async () => {
  const v2 = await openPage(`${V2}&at=12`);
  const v1 = await openPage(`${V1}&step=12`);
  try {
    assert.equal(await position(v1.page), 17);
    assert.equal(await position(v2.page), 17);
    assert.deepEqual(await cells(v1.page), await cells(v2.page));
    assert.equal(await v1.page.locator('#last-step').textContent(), await v2.page.locator('#last-step').textContent());
    await v1.page.waitForFunction((q) => location.search === q, `${V3}&at=17`);
    await v2.page.waitForFunction((q) => location.search === q, `${V3}&at=17`);
    assert.equal(await v1.page.locator('.notice').count(), 0);
    // A v1 custom-knobs link.
    const custom = await openPage('?v=1&scenario=running-retarget&strategy=custom&knobs=lock%3D1%2Ctarget%3Dafter-list-add%2Cread_once%3D1%2Cwrite_once%3D0%2Cmb%3D1%2Ckick%3D0%2Cgalog_blocking%3D0&memory=tso');
    try {
      assert.equal(await custom.page.locator('#strategy-select').inputValue(), 'custom');
      assert.ok(await custom.page.locator('#memory-tso').isChecked());
      await custom.page.waitForFunction(() => /[?&]t=k\.[0-9a-f]{3}&m=tso/.test(location.search));
      assert.deepEqual(custom.problems, []);
    } finally {
      await custom.page.close();
    }
    assert.deepEqual(v1.problems, []);
    assert.deepEqual(v2.problems, []);
  } finally {
    await v1.page.close();
    await v2.page.close();
  }
});

test('corrupt and future-version links show a clear message and a working page', async () => {
  const cases = [
    ['?v=99&s=running-retarget&t=kick&r=0101', /newer version of the lab \(link format v99\).*Opening the default view instead\./],
    ['?v=99999999999999999999', /is not a link format version/],
    [`?v=2&s=put-block-vs-affinity&r=00zz`, /is not a schedule/],
    ['?v=2&s=put-block-vs-affinity&r=0011&at=40', /asks for step 40, but the run has only 4 steps/],
    ['?v=2&s=nope&t=k.zzz&m=arm&theme=neon', /does not have: 'nope'/],
    ['?v=2&view=lesson&l=no-such-lesson', /unknown lesson 'no-such-lesson'/],
    ['?v=2&view=lesson&l=first-patch&at=400', /asks for step 400, but the run has only 24 steps/],
    ['?v=2&sj=%7Bnot%20json&embed=1', /scenario cannot run/],
  ];
  for (const [i, [query, message]] of cases.entries()) {
    const { page, problems } = await openPage(query);
    try {
      await page.locator('.notice-error').first().waitFor();
      assert.match(await page.locator('.notices').textContent(), message, query);
      assert.ok(await page.locator('.thread-pane').count() > 0, `threads shown for ${query}`);
      // Still a working page: a thread steps.
      const n = await position(page);
      const enabled = page.locator('.thread-pane[data-enabled="true"] .thread-run:not([disabled])').first();
      if (await enabled.count()) {
        await enabled.click();
        await waitPosition(page, n + 1);
      }
      if (i === 0) await shot(page, 'future-link.png');
      assert.deepEqual(problems, [], query);
    } finally {
      await page.close();
    }
  }
  // Several problems at once: each one is named.
  const { page, problems } = await openPage('?v=2&s=running-retarget&t=k.zzz&m=arm&theme=neon');
  try {
    const text = await page.locator('.notices').textContent();
    for (const m of [/k\.zzz/, /unknown memory model 'arm'/, /unknown theme 'neon'/]) assert.match(text, m);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the Share / Embed dialog: link, iframe, Markdown, reveal.js, and Copy', async () => {
  await browserContext().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(BASE_URL).origin });
  const { page, problems } = await openPage(`${V3}&at=9`);
  try {
    await page.locator('#share-open').click();
    const dialog = page.locator('#share');
    await dialog.waitFor();
    const link = await page.locator('#share-link').inputValue();
    assert.equal(link, page.url());
    const embed = await page.locator('#share-embed-url').inputValue();
    assert.equal(embed, `${link}&embed=1`);
    const iframe = await page.locator('#share-iframe').inputValue();
    assert.match(iframe, /^<iframe src="[^"]+embed=1" width="800" height="450" title="AVIC race lab: [^"]+" loading="lazy"><\/iframe>$/);
    assert.ok(iframe.includes(embed.replaceAll('&', '&amp;')));
    assert.equal(await page.locator('#share-markdown').inputValue(),
      `[▶ AVIC race lab: put-block-vs-affinity × naive-update (sc), step 9](${link})`);
    assert.match(await page.locator('#share-reveal').inputValue(), /<section>[\s\S]*<iframe data-src="[^"]+embed=1"/);
    // Copy with the Clipboard API.
    await page.locator('#share-iframe-copy').click();
    await page.locator('#share-iframe-status', { hasText: 'copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), iframe);
    await shot(page, 'share-dialog.png');
    // Without it, the text is selected for Ctrl+C.
    await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
    await page.locator('#share-markdown-copy').click();
    await page.locator('#share-markdown-status').filter({ hasText: /copied|Ctrl\+C/ }).waitFor();
    const sel = await page.evaluate(() => {
      const el = document.activeElement;
      return { id: el.id, start: el.selectionStart, end: el.selectionEnd, len: el.value.length };
    });
    assert.deepEqual(sel, { id: 'share-markdown', start: 0, end: sel.len, len: sel.len });
    // Escape closes it.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('embed=1 inside an 800×450 iframe of a strict-CSP page: renders, steps, no scrollbars, no CSP violation', async () => {
  const host = new URL('embed-host.html', BASE_URL).href;
  const src = `/${V3}&at=10&embed=1`;
  const page = await browserContext().newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const problems = watch(page);
  // A third-party page with its own strict policy, framing the lab.
  await page.route(host, (route) => route.fulfill({
    status: 200,
    contentType: 'text/html',
    headers: { 'Content-Security-Policy': "default-src 'none'; frame-src 'self'" },
    body: `<!doctype html><title>host</title><h1>A talk about AVIC</h1>
      <iframe id="lab" src="${src.replaceAll('&', '&amp;')}" width="800" height="450" title="AVIC race lab" loading="lazy"></iframe>`,
  }));
  try {
    await page.goto(host);
    const frame = page.frameLocator('#lab');
    await frame.locator('html[data-ready="true"]').waitFor();
    const lab = page.frames().find((f) => f.url().includes('embed=1'));
    assert.ok(lab, 'the lab frame');
    // A slide: no top bar, pickers or matrix; the threads, the changed state, the machine
    // picture's place, the controls (slides.mjs checks its geometry in every theme).
    assert.equal(await frame.locator('.topbar, .sidebar, #tab-matrix, #find-race').count(), 0);
    for (const sel of ['#slide', '.thread-pane', '.state-pane', '#slide-picture', '#back', '#forward', '#play', '#open-full']) {
      assert.ok(await frame.locator(sel).first().isVisible(), sel);
    }
    assert.equal(await frame.locator('#position').getAttribute('data-position'), '10');
    const full = await frame.locator('#open-full').getAttribute('href');
    assert.equal(new URL(full).search, `${V3}&at=10`);
    assert.equal(await frame.locator('#open-full').getAttribute('target'), '_blank');
    // Fits: the framed document does not scroll either way.
    const fit = await lab.evaluate(() => {
      const d = document.documentElement;
      return { w: d.scrollWidth - d.clientWidth, h: d.scrollHeight - d.clientHeight, cw: d.clientWidth, ch: d.clientHeight };
    });
    assert.deepEqual([fit.w <= 0, fit.h <= 0], [true, true], JSON.stringify(fit));
    assert.deepEqual([fit.cw, fit.ch], [800, 450]);
    // Steps by click and by key.
    await frame.locator('#forward').click();
    await lab.waitForFunction(() => document.querySelector('#position').dataset.position === '11');
    await frame.locator('.state-pane').click();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await lab.waitForFunction(() => document.querySelector('#position').dataset.position === '9');
    await shot(page, 'embed-in-iframe.png');
    // The policy is really enforced (a style attribute is refused and reported), and the lab
    // itself caused no violation.
    assert.deepEqual(await lab.evaluate(() => window.__csp), []);
    await lab.evaluate(() => document.body.setAttribute('style', 'outline: 1px solid red'));
    await lab.waitForFunction(() => window.__csp.length === 1);
    assert.match((await lab.evaluate(() => window.__csp))[0], /style-src/);
    const csp = problems.filter((p) => p.includes('CSP violation'));
    assert.equal(csp.length, 1, problems.join('\n'));
    assert.deepEqual(problems.filter((p) => !p.includes('CSP violation') && !p.includes('style-src')), []);
  } finally {
    await page.close();
  }
});

test('presenter keys: → ← space (at the chosen pace) and ? for help', async () => {
  const { page, problems } = await openPage(`${V3}&at=2`);
  try {
    await page.keyboard.press('ArrowRight');
    await waitPosition(page, 3);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await waitPosition(page, 1);
    // Space plays at 0.5 s per step, and stops at the end of the recorded run...
    await page.locator('#pace').selectOption('500');
    assert.equal(await page.evaluate(() => localStorage.getItem('avic-race-lab.pace')), '500');
    await page.locator('.state-pane').click();
    const t0 = Date.now();
    await page.keyboard.press(' ');
    await page.locator('#play[aria-pressed="true"]').waitFor();
    await waitPosition(page, 4);
    const ms = Date.now() - t0;
    assert.ok(ms >= 1300 && ms < 6000, `3 steps at 0.5 s took ${ms} ms`);
    // ...space pauses.
    await page.keyboard.press(' ');
    await page.locator('#play[aria-pressed="false"]').waitFor();
    const paused = await position(page);
    await page.waitForTimeout(1200);
    assert.equal(await position(page), paused);
    await page.keyboard.press(' ');
    await waitPosition(page, 24);
    await page.locator('#play[aria-pressed="false"]').waitFor();
    // At the end, → explains instead of guessing (several threads, or none, can run).
    await page.keyboard.press('ArrowRight');
    await page.locator('.notice-info').waitFor();
    assert.equal(await position(page), 24);
    // Number keys still pick threads (thread 3, the GA-log handler, is idle here); off the
    // recorded run they ask first, and Enter runs the step (slides.mjs tests the question).
    await page.keyboard.press('Home');
    await waitPosition(page, 0);
    await page.keyboard.press('1');
    await page.locator('#ask-branch').waitFor();
    await page.keyboard.press('Enter');
    await waitPosition(page, 1);
    assert.match(await page.locator('#last-step').textContent(), /IRQ affinity updater/);
    // ? shows the keys; Esc hides them; the run keys are quiet meanwhile.
    await page.keyboard.press('?');
    await page.locator('#help').waitFor();
    assert.match(await page.locator('#help').textContent(), /only if exactly one thread can run/);
    await page.keyboard.press('ArrowRight');
    assert.equal(await position(page), 1);
    await shot(page, 'help-overlay.png');
    await page.keyboard.press('Escape');
    await page.locator('#help').waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the large presenter theme: from the picker and from theme=large, usable at 1280×720', async () => {
  const { page, problems } = await openPage(`${V3}&at=17`);
  try {
    const size = () => page.evaluate(() => {
      const el = document.querySelector('.is-next code, .code-line code');
      return el.getBoundingClientRect().height;
    });
    const normal = await size();
    await page.locator('#theme-select').selectOption('large');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'large' && location.search.endsWith('&theme=large'));
    assert.ok(await size() > normal * 1.2, 'bigger type');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).color), 'rgb(0, 0, 0)');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scroll (overflow ${overflow}px)`);
    assert.ok(await page.locator('#run-0').isVisible());
    // The top bar: the lab's name whole, every tab on one line, nothing cut off.
    const bar = await page.evaluate(() => {
      const title = document.querySelector('.topbar .title');
      const tabs = [...document.querySelectorAll('.topbar .tab')].map((t) => {
        const r = t.getBoundingClientRect();
        return { h: r.height, clipped: t.scrollWidth > t.clientWidth + 1, right: r.right, label: t.getAttribute('aria-label') };
      });
      return { title: { w: title.getBoundingClientRect().width, cut: title.scrollWidth > title.clientWidth + 1 }, tabs, W: window.innerWidth };
    });
    assert.ok(bar.title.w > 50 && !bar.title.cut, `the title: ${JSON.stringify(bar.title)}`);
    const one = Math.min(...bar.tabs.map((t) => t.h));
    assert.ok(bar.tabs.every((t) => t.h <= one + 1 && !t.clipped && t.right <= bar.W), `tabs: ${JSON.stringify(bar.tabs)}`);
    assert.ok(bar.tabs.some((t) => t.label === 'Strategy × scenario matrix'), 'the tabs keep their long names for screen readers');
    await shot(page, 'explorer-large.png');
    // A link with theme=large is large before the app even starts (assets/boot.js).
    const other = await browserContext().newPage();
    try {
      await other.goto(new URL(`${V3}&theme=large`, BASE_URL).href, { waitUntil: 'domcontentloaded' });
      assert.equal(await other.evaluate(() => document.documentElement.dataset.theme), 'large');
    } finally {
      await other.close();
    }
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('PNG export: the timeline at 2×, a real PNG', async () => {
  const { page, problems } = await openPage(`${V3}&at=24`);
  try {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-png').click()]);
    assert.equal(download.suggestedFilename(), 'avic-put-block-vs-affinity-naive-update-sc-step24.png');
    const file = join(ARTIFACTS, 'timeline-export.png');
    await download.saveAs(file);
    const png = readFileSync(file);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.subarray(12, 16).toString('ascii'), 'IHDR');
    const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    // The export is the drawing at its content's size (the page fits its copy to the box and
    // keeps that size in data-content-width), at 2×.
    const svg = await page.evaluate(() => {
      const s = document.querySelector('#timeline > svg');
      return [Number(s.dataset.contentWidth ?? s.getAttribute('width')), Number(s.getAttribute('height'))];
    });
    assert.deepEqual([w, h], [svg[0] * 2, svg[1] * 2]);
    await page.locator('.notice-info', { hasText: `${w}×${h} PNG` }).waitFor();
    assert.ok(png.length > 10_000, `${png.length} bytes`);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a lesson plays to its takeaway, its claims are checked live, and Take over hands the run over', async () => {
  const { page, problems } = await openPage();
  try {
    await page.locator('#tab-lessons').click();
    assert.equal(await page.locator('.lesson-card').count(), 6);
    // Each card's introduction shows whole lines only (at most five, then an ellipsis): a
    // clamped box taller than its lines showed part of a sixth.
    const intros = await page.locator('.lesson-card .lesson-intro').evaluateAll((els) => els.map((e) => {
      const line = parseFloat(getComputedStyle(e).lineHeight);
      return { lines: e.clientHeight / line, full: e.title.length > 0 };
    }));
    assert.ok(intros.every((i) => i.lines <= 5.05 && Math.abs(i.lines - Math.round(i.lines)) < 0.05), JSON.stringify(intros));
    assert.ok(intros.every((i) => i.full), 'the whole introduction on hover');
    await page.locator('#lesson-first-patch').click();
    await page.locator('#lesson-note[data-lesson="first-patch"]').waitFor();
    await page.waitForFunction(() => location.search === '?v=3&view=lesson&l=first-patch&at=0');
    assert.match(await page.locator('#lesson-text').textContent(), /Maxim Levitsky/);
    // The lesson schedules: every thread button is the lesson's (a click explains Take over,
    // never a silent no-op: tests/browser/challenge.mjs).
    assert.equal(await page.locator('.thread-run:not([data-guided="true"])').count(), 0);
    // Its claim, verified by the exhaustive checker in the worker (never a fixed tick).
    const claim = page.locator('#lesson-claims .claim-status').first();
    await page.locator('#lesson-claims .claim-status[data-status="holds"]').first().waitFor();
    assert.match(await claim.textContent(), /^✓ checked: [\d,]+ states in 2 world\(s\)/);
    assert.ok(Number(await claim.getAttribute('data-states')) > 100);
    assert.match(await page.locator('#lesson-claims .claim-text').first().textContent(), /naive-update, put-block-vs-affinity \(sc and tso\): the checker finds lost-wakeup/);
    assert.match(await page.locator('.commits a').first().getAttribute('href'), /^https:\/\/lore\.kernel\.org\/all\/20230516122159/);
    // → through the run; the note follows the position.
    const notes = new Set();
    for (let i = 1; i <= 24; i++) {
      await page.keyboard.press('ArrowRight');
      await waitPosition(page, i);
      notes.add(await page.locator('#lesson-note').getAttribute('data-at'));
    }
    assert.deepEqual([...notes], ['1', '6', '9', '17', '21', '24']);
    await page.locator('#lesson-takeaway').waitFor();
    assert.match(await page.locator('#lesson-takeaway').textContent(), /A latency bug became a hang/);
    assert.match(await page.locator('#hang-banner').textContent(), /LOST WAKE-UP/);
    await page.waitForFunction(() => location.search === '?v=3&view=lesson&l=first-patch&at=24');
    await shot(page, 'lesson-takeaway.png');
    // Take over at step 12: the same world and run, and the user schedules.
    await page.keyboard.press('Home');
    await waitPosition(page, 0);
    await page.locator('#forward').click();
    await waitPosition(page, 1);
    await page.locator('#take-over').click();
    await page.locator('#lesson-note').waitFor({ state: 'detached' });
    await page.waitForFunction(() => location.search.startsWith('?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=1'));
    assert.equal(await page.locator('#strategy-select').inputValue(), 'naive-update');
    await page.locator('#run-1').click();
    await waitPosition(page, 2);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a lesson link opens at its step; Play runs it to the end; every lesson\'s claims hold', async () => {
  const { page, problems } = await openPage('?v=2&view=lesson&l=once-accessors&at=3');
  try {
    assert.equal(await position(page), 3);
    assert.equal(await page.locator('#lesson-note').getAttribute('data-at'), '3');
    await page.locator('#pace').selectOption('500');
    await page.locator('#play').click();
    await waitPosition(page, 10);
    await page.locator('#lesson-takeaway').waitFor();
    await page.locator('#play[aria-pressed="false"]').waitFor();
    assert.equal(await page.locator('#violations .violation[data-kind="torn-read"]').count(), 1);
    const n = await page.locator('#lesson-claims .claim').count();
    assert.equal(n, 3);
    await page.waitForFunction((n) => document.querySelectorAll('#lesson-claims [data-status="holds"]').length === n, n, { timeout: 120_000 });
    // Next lesson, and so on to the last one (its claim covers every scenario, sc and tso).
    await page.locator('#next-lesson').click();
    await page.locator('#lesson-note[data-lesson="upstream-rework"]').waitFor();
    const m = await page.locator('#lesson-claims .claim').count();
    assert.equal(m, 10);
    await page.waitForFunction((m) => document.querySelectorAll('#lesson-claims [data-status="holds"]').length === m, m, { timeout: 240_000 });
    // Its second claim: linux-6.17 is safe in ten scenarios, SC and TSO (not everywhere).
    const safe = await page.locator('#lesson-claims .claim-status').nth(1).textContent();
    assert.match(safe, /^✓ checked: [\d,]+ states in 20 world\(s\)/);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
