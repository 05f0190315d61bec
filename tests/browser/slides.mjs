// Real-browser tests of slides and presenter-proof controls (issue 12, items 4 and 5): the
// README's embed snippets as slides in every theme at 800×450 and 1280×720 (every runnable
// thread's current line and every changed state row inside the viewport, no text box clipped,
// the page never scrolls), Space and the arrows with a button or select focused, a thread's key
// during a replay, Back and Forward between views, and a bad link kept visible. Screenshots go
// to tests/browser/artifacts/. Run by scripts/test.sh:
//   BASE_URL=http://127.0.0.1:PORT/ node --test tests/browser/slides.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowser, waitPosition, position, shot, REPO, BASE_URL as BASE } from './lib.mjs';

const { openPage, context: browserContext } = useBrowser();

/** The embed links of the README's snippets (`src=` and reveal's `data-src=`), as queries. */
function readmeEmbeds() {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const found = [...readme.matchAll(/\b(?:data-)?src="https:\/\/HOST\/(\?[^"]*embed=1[^"]*)"/g)]
    .map((m) => m[1].replaceAll('&amp;', '&'));
  return [...new Set(found)];
}

/** `query` with theme=`theme` (replacing the snippet's own). */
const withTheme = (query, theme) => {
  const p = new URLSearchParams(query.slice(1));
  p.set('theme', theme);
  return `?${p.toString()}`;
};

/** What the full page (no embed) shows for the same link: the runnable threads, the changed rows. */
async function truth(query) {
  const full = new URLSearchParams(query.slice(1));
  full.delete('embed');
  full.delete('theme');
  const { page, problems } = await openPage(`?${full.toString()}`);
  try {
    const runnable = await page.locator('.threads [data-thread][data-enabled="true"]').evaluateAll(
      (els) => els.map((e) => e.dataset.thread));
    const changed = await page.locator('.state-pane .cell.changed').evaluateAll(
      (els) => els.map((e) => e.dataset.cell));
    assert.deepEqual(problems, []);
    return { runnable, changed, position: await position(page) };
  } finally {
    await page.close();
  }
}

/** Geometry of the slide: what is outside the viewport, what is clipped, whether the page scrolls. */
const geometry = (page) => page.evaluate(() => {
  const W = window.innerWidth;
  const H = window.innerHeight;
  const inside = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.left >= -0.5 && r.top >= -0.5 && r.right <= W + 0.5 && r.bottom <= H + 0.5;
  };
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
  const clipped = [];
  const outside = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || el.classList.contains('sr-only')) continue;
    if (el.clientWidth > 0 && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
      clipped.push(`${name(el)} ${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}`);
    }
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && !inside(el)) outside.push(`${name(el)} at ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`);
  }
  const d = document.documentElement;
  const codes = [...document.querySelectorAll('#slide .is-next code')].map((c) => parseFloat(getComputedStyle(c).fontSize));
  const pic = document.querySelector('#slide-picture')?.getBoundingClientRect();
  // The machine picture's smallest line of text as drawn (its box's height on screen).
  const picText = [...document.querySelectorAll('#slide-picture svg text')].map((t) => t.getBoundingClientRect().height);
  return {
    W, H,
    scrolls: { w: d.scrollWidth - d.clientWidth, h: d.scrollHeight - d.clientHeight },
    clipped,
    outside,
    fit: Number(document.querySelector('#slide')?.dataset.fit),
    codePx: codes.length ? Math.min(...codes) : null,
    picture: pic ? { w: pic.width, h: pic.height, inside: inside(document.querySelector('#slide-picture')), textPx: picText.length ? Math.min(...picText) : 0 } : null,
  };
});

const SIZES = [[800, 450], [1280, 720]];
const THEMES = ['light', 'dark', 'large'];

test("the README's embed snippets are slides in every theme at 800×450 and 1280×720", async () => {
  const embeds = readmeEmbeds();
  assert.ok(embeds.length >= 2, `embed snippets in README.md: ${embeds.join(' ')}`);
  for (const [n, query] of embeds.entries()) {
    const want = await truth(query);
    assert.ok(want.runnable.length > 0, `${query}: some thread can run`);
    for (const theme of THEMES) {
      for (const [w, h] of SIZES) {
        const what = `snippet ${n + 1} (${query}) · ${theme} · ${w}×${h}`;
        const page = await browserContext().newPage();
        await page.setViewportSize({ width: w, height: h });
        const { page: p, problems } = { page, problems: [] };
        page.on('pageerror', (e) => problems.push(e.message));
        // Offline: nothing is fetched from anywhere but dist/.
        page.on('request', (r) => {
          const u = new URL(r.url());
          if (!['data:', 'blob:'].includes(u.protocol) && u.origin !== new URL(BASE).origin) problems.push(`external fetch: ${r.url()}`);
        });
        page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
        try {
          await p.goto(new URL(withTheme(query, theme), BASE).href);
          await p.waitForSelector('html[data-ready="true"]');
          await p.waitForSelector('#slide[data-fit]');
          assert.equal(await p.evaluate(() => document.documentElement.dataset.theme), theme, what);
          assert.equal(await position(p), want.position, what);
          const g = await geometry(p);
          await shot(p, `slide-${n + 1}-${theme}-${w}x${h}.png`);
          console.log(`# ${what}: fit step ${g.fit}, smallest current line ${g.codePx}px, picture slot ${Math.round(g.picture.w)}×${Math.round(g.picture.h)}, its text ${g.picture.textPx.toFixed(1)}px`);
          assert.deepEqual(g.scrolls, { w: 0, h: 0 }, `${what}: the page scrolls`);
          assert.deepEqual(g.clipped, [], `${what}: clipped boxes`);
          assert.deepEqual(g.outside, [], `${what}: boxes outside the viewport`);
          // Every runnable thread's current line, and every row the step changed, in view.
          for (const t of want.runnable) {
            const line = p.locator(`#slide [data-thread="${t}"] .is-next`);
            assert.equal(await line.count(), 1, `${what}: thread ${t}'s current line`);
            const box = await line.boundingBox();
            assert.ok(box && box.y >= 0 && box.y + box.height <= h && box.x >= 0 && box.x + box.width <= w, `${what}: thread ${t}'s line at ${JSON.stringify(box)}`);
          }
          for (const id of want.changed) {
            const row = p.locator(`#slide .state-pane [data-cell="${id}"].changed`);
            assert.equal(await row.count(), 1, `${what}: changed row ${id}`);
            const box = await row.boundingBox();
            assert.ok(box && box.y >= 0 && box.y + box.height <= h, `${what}: row ${id} at ${JSON.stringify(box)}`);
          }
          // Only changed or violated rows.
          const rows = await p.locator('#slide .state-pane [data-cell]').evaluateAll((els) =>
            els.map((e) => [e.dataset.cell, e.classList.contains('changed') || e.classList.contains('violated')]));
          assert.ok(rows.every(([, shown]) => shown), `${what}: ${JSON.stringify(rows)}`);
          // Projector-sized code: the current lines scale with the frame.
          assert.ok(g.codePx >= h / 40, `${what}: current lines at ${g.codePx}px`);
          // The machine picture is drawn at a readable size, wholly inside the slide: its
          // drawing, with the pCPU boxes, fills its place, and its smallest text is at least a
          // 60th of the frame's height (7.5 px at 800×450; in a 330 px column it was 5 px).
          assert.ok(g.picture.inside && g.picture.h >= h * 0.15 && g.picture.w >= w * 0.5, `${what}: ${JSON.stringify(g.picture)}`);
          assert.ok(g.picture.textPx >= h / 60, `${what}: the picture's text at ${g.picture.textPx}px`);
          const drawing = await p.locator('#slide-picture svg').boundingBox();
          assert.ok(drawing && drawing.width >= g.picture.w * 0.5 - 1 && drawing.height > 0
            && drawing.x >= 0 && drawing.y >= 0 && drawing.x + drawing.width <= w + 1 && drawing.y + drawing.height <= h + 1,
            `${what}: the picture's drawing at ${JSON.stringify(drawing)}`);
          assert.ok(await p.locator('#slide-picture svg [data-pcpu]').count() >= 1, `${what}: pCPU boxes in the picture`);
          assert.deepEqual(problems, [], what);
        } finally {
          await page.close();
        }
      }
    }
  }
});

test('Space plays and the arrows step with a button or a select focused; a text field keeps typing', async () => {
  const { page, problems } = await openPage('?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=3');
  try {
    // A presenter clicked Forward: the focus stays on that button.
    await page.locator('#forward').click();
    await waitPosition(page, 4);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'forward');
    await page.keyboard.press(' ');
    await page.waitForSelector('#play[aria-pressed="true"]');
    await page.waitForFunction(() => Number(document.querySelector('#position').dataset.position) >= 6, null, { timeout: 20_000 });
    await page.keyboard.press(' ');
    await page.waitForSelector('#play[aria-pressed="false"]');
    // The pace select focused: → steps the run, the pace stays.
    const pace = await page.locator('#pace').inputValue();
    await page.locator('#pace').focus();
    const at = await position(page);
    await page.keyboard.press('ArrowRight');
    await waitPosition(page, at + 1);
    await page.keyboard.press('ArrowLeft');
    await waitPosition(page, at);
    assert.equal(await page.locator('#pace').inputValue(), pace);
    // The seed field types a space and digits; nothing plays or steps.
    await page.locator('#seed-input').fill('');
    await page.locator('#seed-input').type('1 2');
    assert.equal(await page.locator('#seed-input').inputValue(), '1 2');
    assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'false');
    assert.equal(await position(page), at);
    await shot(page, 'keys-focused-button.png');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test("a thread's key during a replay asks first; a branch can go back to the recorded run", async () => {
  const RUN = '000000000111111111111222';
  const { page, problems } = await openPage(`?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=${RUN}&at=9`);
  try {
    await page.keyboard.press('2');
    const ask = page.locator('#ask-branch');
    await ask.waitFor();
    assert.match(await ask.textContent(), /15 later step\(s\) would be lost/);
    assert.equal(await position(page), 9, 'nothing ran yet');
    await shot(page, 'ask-branch.png');
    await page.keyboard.press('Escape');
    await ask.waitFor({ state: 'detached' });
    assert.equal(await page.locator('#position').getAttribute('data-len'), '24');
    // The recorded run's own next thread just replays.
    await page.keyboard.press('1');
    await waitPosition(page, 10);
    await page.keyboard.press('ArrowLeft');
    await waitPosition(page, 9);
    // Keep it as a branch, then go back to it.
    await page.keyboard.press('2');
    await ask.waitFor();
    await page.keyboard.press('b');
    await waitPosition(page, 10);
    assert.equal(await page.locator('#position').getAttribute('data-len'), '10');
    await page.locator('#restore-run').click();
    await waitPosition(page, 9);
    assert.equal(await page.locator('#position').getAttribute('data-len'), '24');
    await page.waitForFunction((r) => location.search.includes(`r=${r}`), RUN);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('Back returns from a matrix cell to the matrix, Forward goes to the cell again', async () => {
  const { page, problems } = await openPage('?v=3&view=matrix');
  try {
    await page.locator('#matrix[data-complete="true"]').waitFor({ timeout: 120_000 });
    await page.locator('.mx-cell[data-scenario="put-block-vs-affinity"][data-strategy="naive-update"]').click();
    await page.locator('.threads').waitFor();
    assert.ok(!new URL(page.url()).searchParams.has('view'), page.url());
    // Steps replace the entry: one Back is enough, however many steps were taken.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Home');
    await waitPosition(page, 0);
    await page.goBack();
    await page.locator('#matrix').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('view'), 'matrix');
    // The results are kept: no second run of the matrix.
    assert.equal(await page.locator('#matrix').getAttribute('data-complete'), 'true');
    await shot(page, 'back-to-matrix.png');
    await page.goForward();
    await page.locator('.threads').waitFor();
    assert.equal(await position(page), 0);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test("a bad link's text stays visible and copyable", async () => {
  const bad = '?v=3&s=no-such-scenario&t=naive-update&m=sc&r=0011';
  const { page, problems } = await openPage(bad);
  try {
    await page.locator('.notice-error').first().waitFor();
    const field = page.locator('#bad-link-text');
    assert.ok(await field.isVisible());
    assert.ok((await field.inputValue()).endsWith(bad), await field.inputValue());
    // The address bar now shows the link of what is on screen; the field still has the original.
    await page.waitForFunction(() => !location.search.includes('no-such-scenario'));
    await field.focus();
    const selected = await page.evaluate(() => {
      const f = document.querySelector('#bad-link-text');
      return f.value.slice(f.selectionStart, f.selectionEnd);
    });
    assert.ok(selected.endsWith(bad), selected);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the presenter window plays a lesson as slides and drives the projected window', async () => {
  const { page, problems } = await openPage('?present=1&v=3&view=lesson&l=first-patch');
  try {
    await page.locator('#presenter #slide').waitFor();
    const slides = Number(await page.locator('#presenter').getAttribute('data-slides'));
    assert.ok(slides >= 3, `${slides} slides`);
    assert.ok((await page.locator('#presenter-note').textContent()).length > 20);
    const at0 = await position(page);
    // The presenter keeps its own address; the projected window opens on the slide.
    assert.ok(page.url().includes('present=1'));
    const [projected] = await Promise.all([
      browserContext().waitForEvent('page'),
      page.locator('#open-projected').click(),
    ]);
    await projected.waitForSelector('html[data-ready="true"]');
    await projected.waitForSelector('#slide[data-fit]');
    assert.ok(projected.url().includes('embed=1'), projected.url());
    assert.equal(await position(projected), at0);
    // A clicker's Page Down: the next slide, in both windows.
    await page.keyboard.press('PageDown');
    await page.waitForFunction(() => document.querySelector('#presenter').dataset.slide === '1');
    await page.waitForFunction((at0) => document.querySelector('#position')?.dataset.position !== String(at0), at0);
    const at1 = await position(page);
    await waitPosition(projected, at1);
    // → steps within the slide; the projected window follows.
    await page.keyboard.press('ArrowRight');
    await waitPosition(page, at1 + 1);
    await waitPosition(projected, at1 + 1);
    await shot(page, 'presenter.png');
    await shot(projected, 'presenter-projected.png');
    assert.ok(page.url().includes('present=1'));
    await projected.close();
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
