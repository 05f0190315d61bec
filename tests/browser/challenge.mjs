// Real-browser tests of issue 12 items 6 and 7: a challenge opened by its link, won by playing
// the hint ladder's schedule with keys and clicks (the win confirmed by the core on the page's own
// run, on screen at 1280×720, announced in the live region), lessons that follow the step (a note
// about another step says so and goes there; a click on a thread pane explains Take over), and the
// timeline's text fitted to the visible width (cut text keeps its whole as a title, and shows it
// whole when its step has the keyboard focus). Run by scripts/test.sh:
//   BASE_URL=http://127.0.0.1:PORT/ node --test tests/browser/challenge.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, position, waitPosition, shot } from './lib.mjs';

const { openPage } = useBrowser();

/** The element's box against the window: wholly inside it, and its corners not covered (by the
 *  sticky top bar or anything else)? */
const inViewport = (loc) => loc.evaluate((el) => {
  const r = el.getBoundingClientRect();
  const seen = (x, y) => el.contains(document.elementFromPoint(x, y));
  return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, w: innerWidth, h: innerHeight,
    inside: r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth
      && seen(r.left + 4, r.top + 4) && seen(r.right - 4, r.top + 4) && seen(r.left + 4, r.bottom - 4) };
});

test('a challenge opens by its link, the hint ladder climbs, and playing its run wins on screen', async () => {
  const { page, problems } = await openPage('?v=3&ch=hang-6-6-old-owner');
  try {
    assert.deepEqual(page.viewportSize(), { width: 1280, height: 720 });
    await page.locator('#challenge-title').waitFor();
    assert.match(await page.locator('#challenge-aim').textContent(),
      /Goal: Make the guest hang under Linux 6\.6 in retarget-vs-old-owner\./);
    assert.match(await page.locator('#challenge-win').textContent(),
      /You win when the lost wake-up oracle fires in your own run/);
    assert.equal(await page.locator('#tab-challenges').getAttribute('aria-selected'), 'true');
    assert.equal(await position(page), 0);
    assert.equal(await page.locator('#challenge-won').count(), 0);
    // The hints wait for the checker's proof (a check in the worker), then climb in four rungs.
    await page.locator('#hint:not([disabled])').waitFor({ timeout: 60_000 });
    const status = await page.locator('#hint-status').textContent();
    const n = Number(status.match(/the shortest run that wins has (\d+) steps/)[1]);
    assert.ok(n > 8, status);
    assert.equal(await page.locator('#hints-used').textContent(), 'Hints used: 0 of 4');
    await page.locator('#hint').click();
    await page.locator('#hint-steps').waitFor();
    assert.equal(await page.locator('#hint-steps li').count(), Math.ceil(n / 4));
    assert.match(await page.locator('#hint-steps li').first().textContent(), /^Step 1: Run .+ next: /);
    assert.equal(await page.locator('#hints-used').textContent(), 'Hints used: 1 of 4');
    for (let k = 2; k <= 4; k++) {
      await page.locator('#hint').click();
      await page.waitForFunction((c) => document.querySelectorAll('#hint-steps li').length === c, Math.ceil((k * n) / 4));
    }
    assert.equal(await page.locator('#hint-steps li').count(), n);
    assert.equal(await page.locator('#hints-used').textContent(), 'Hints used: 4 of 4');
    assert.ok(await page.locator('#hint').isDisabled(), 'the top of the ladder');
    await shot(page, 'challenge-hints.png');
    // Play the ladder's run: keys for most steps, a click on the thread's button for some.
    const actions = await page.locator('#hint-steps li').evaluateAll((els) => els.map((e) => e.dataset.action));
    for (const [i, a] of actions.entries()) {
      assert.equal(await page.locator('#challenge-won').count(), 0, `not won before step ${i + 1}`);
      if (i % 5 === 2 && /^\d$/.test(a)) {
        await page.locator(`#run-${a}`).click();
      } else {
        await page.keyboard.press(a);
      }
      await waitPosition(page, i + 1);
      assert.equal(await page.locator(`#hint-steps li:nth-child(${i + 1}).hint-followed`).count(), 1);
    }
    // Won: the core judged the page's own run; the message is on screen, and said aloud.
    const won = page.locator('#challenge-won');
    await won.waitFor();
    assert.match(await won.textContent(), new RegExp(`Challenge won!.*lost wake-up at step ${n}`));
    assert.match(await won.textContent(), /Hints used: 4 of 4/);
    await page.waitForTimeout(300); // a smooth scroll, if any, has settled
    const box = await inViewport(won);
    assert.ok(box.inside, `the win message is inside the 1280×720 viewport: ${JSON.stringify(box)}`);
    assert.match(await page.locator('#announce-violation').textContent(),
      new RegExp(`Challenge won: lost wake-up at step ${n}, confirmed by the checker's oracle on your own run \\(4 hint rung\\(s\\) used\\)`));
    assert.match(await page.locator('#challenge-solved').textContent(), /^Solved: lost wake-up at step \d+, with 4 hint rung\(s\)\./);
    await shot(page, 'challenge-won.png');
    // The address bar is the challenge and the player's run; it reopens won.
    const search = await page.evaluate(() => location.search);
    assert.match(search, /^\?v=3&s=retarget-vs-old-owner&t=linux-6\.6&m=sc&r=[0-9a-j]+&ch=hang-6-6-old-owner$/);
    // One step back: the banner goes (the run on screen no longer shows the goal), solved stays.
    await page.keyboard.press('ArrowLeft');
    await waitPosition(page, n - 1);
    await won.waitFor({ state: 'detached' });
    assert.equal(await page.locator('#challenge-solved').count(), 1);
    const again = await openPage(search);
    try {
      await again.page.locator('#challenge-won').waitFor();
      assert.deepEqual(again.problems, []);
    } finally {
      await again.page.close();
    }
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('challenges are listed from the top bar and the welcome card; a bad id keeps the link visible', async () => {
  const { page, problems } = await openPage();
  try {
    await page.locator('#welcome-challenges').click();
    await page.locator('#challenges').waitFor();
    assert.equal(await page.locator('.challenge-card').count(), 4);
    await page.waitForFunction(() => location.search.endsWith('&view=challenge'));
    await page.locator('#tab-explorer').click();
    await page.locator('#tab-challenges').click();
    await page.locator('#challenge-torn-entry').click();
    await page.locator('#challenge-title').waitFor();
    await page.waitForFunction(() => location.search.endsWith('&ch=torn-entry'));
    assert.match(await page.locator('#challenge-aim').textContent(), /half-written Physical ID entry/);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
  const bad = await openPage('?v=3&s=running-retarget&ch=no-such-challenge');
  try {
    await bad.page.locator('.notice-error').first().waitFor();
    assert.match(await bad.page.locator('.notice-error').first().textContent(),
      /Link parameter 'ch': unknown challenge 'no-such-challenge'; known: first-patch-hang, .*Showing the explorer\./);
    assert.equal(await bad.page.locator('#bad-link-text').inputValue(),
      `${new URL(bad.page.url()).origin}/?v=3&s=running-retarget&ch=no-such-challenge`);
    assert.equal(await bad.page.locator('#scenario-select').inputValue(), 'running-retarget');
  } finally {
    await bad.page.close();
  }
});

test('a lesson note about another step says so and goes there; a click on a thread explains Take over', async () => {
  const { page, problems } = await openPage('?v=3&view=lesson&l=first-patch&at=8');
  try {
    await page.locator('#lesson-note[data-lesson="first-patch"]').waitFor();
    assert.equal(await page.locator('#lesson-note').getAttribute('data-at'), '6');
    const elsewhere = page.locator('#lesson-elsewhere');
    assert.match(await elsewhere.textContent(), /You are on step 8\. This note is about step 6 — go there:/);
    assert.ok((await inViewport(elsewhere)).inside);
    await page.locator('#lesson-go').click();
    await waitPosition(page, 6);
    await elsewhere.waitFor({ state: 'detached' });
    assert.match(await page.locator('#lesson-text').textContent(), /avic_vcpu_put\(\)/);
    // The lesson drives the run: a click on a thread pane says how to take over, and runs nothing.
    await page.locator('#run-1').click();
    const callout = page.locator('#takeover-1');
    await callout.waitFor();
    assert.match(await callout.textContent(), /Take over to schedule yourself/);
    assert.equal(await position(page), 6);
    await page.keyboard.press('2');
    await page.locator('#takeover-2').waitFor();
    await callout.waitFor({ state: 'detached' });
    await shot(page, 'lesson-take-over.png');
    await page.locator('#takeover-2 button').click();
    await page.locator('#lesson-note').waitFor({ state: 'detached' });
    await page.waitForFunction(() => location.search.startsWith('?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r='));
    assert.equal(await position(page), 6);
    await page.locator('#run-1').click();
    await waitPosition(page, 7);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the timeline\'s texts fit the visible width, keep their whole as a title and on focus; the export keeps its size', async () => {
  const { page, problems } = await openPage('?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=5');
  try {
    const view = page.locator('#timeline');
    await view.locator('svg.avic-timeline:not(.avic-timeline-heads) text.chg').first().waitFor();
    await page.waitForFunction(() => document.querySelector('#timeline svg.avic-timeline:not(.avic-timeline-heads)')?.dataset.contentWidth);
    const fit = await view.evaluate((v) => {
      const svg = v.querySelector('svg.avic-timeline:not(.avic-timeline-heads)');
      const right = v.getBoundingClientRect().left + v.clientWidth;
      const texts = [...svg.querySelectorAll('text.chg, text.bad')].filter((t) => !t.closest('g.step'));
      const bad = [];
      let cut = 0;
      for (const t of texts) {
        const shown = [...t.childNodes].filter((n) => n.nodeName !== 'title').map((n) => n.textContent).join('');
        const title = t.querySelector('title')?.textContent;
        const r = t.getBoundingClientRect();
        if (r.right > right + 1) bad.push(`overflows by ${r.right - right}px: ${shown}`);
        if (shown.endsWith('…')) {
          cut += 1;
          if (title !== t.dataset.full || !title.startsWith(shown.slice(0, -1))) bad.push(`cut without its whole title: ${shown}`);
        } else if (shown !== t.dataset.full) {
          bad.push(`changed: ${shown}`);
        }
      }
      return { n: texts.length, cut, bad, scroll: v.scrollWidth, client: v.clientWidth,
        width: Number(svg.getAttribute('width')), content: Number(svg.dataset.contentWidth) };
    });
    assert.ok(fit.n >= 20, `${fit.n} texts`);
    assert.deepEqual(fit.bad, []);
    assert.ok(fit.cut > 0, 'at 1280×720 some state changes are longer than the column: the test sees a cut');
    assert.ok(fit.scroll <= fit.client, `no sideways scrolling: ${fit.scroll} > ${fit.client}`);
    assert.ok(fit.width < fit.content, `the drawing fits the box (${fit.width}) instead of its content (${fit.content})`);
    // Keyboard: the step with the focus shows its whole text, however the drawing cut it.
    const step = await view.evaluate((v) => {
      const t = [...v.querySelectorAll('svg.avic-timeline:not(.avic-timeline-heads) text.chg')].find((x) => x.querySelector('title'));
      let g = t.previousElementSibling;
      while (g && !g.matches('g.step')) g = g.previousElementSibling;
      return { n: Number(g.dataset.step), full: t.dataset.full };
    });
    await view.locator('g.step[tabindex="0"]').focus();
    await page.keyboard.press('Home');
    for (let i = 1; i < step.n; i++) await page.keyboard.press('ArrowDown');
    const full = page.locator('#timeline-full');
    await page.waitForFunction((n) => document.querySelector('#timeline-full')?.textContent.startsWith(`Step ${n}: `), step.n);
    assert.ok((await full.textContent()).includes(step.full), `${await full.textContent()} has ${step.full}`);
    assert.equal(await position(page), 5, 'focus alone moves nothing');
    // The export is the core's drawing, as wide as its content, with its own cuts only.
    const href = await page.locator('#download-svg').getAttribute('href');
    const file = decodeURIComponent(href.slice(href.indexOf(',') + 1));
    assert.equal(Number(file.match(/width="(\d+)"/)[1]), fit.content);
    // A narrower window: fitted again, narrower.
    await page.setViewportSize({ width: 1100, height: 720 });
    await page.waitForFunction((w) => Number(document.querySelector('#timeline svg.avic-timeline:not(.avic-timeline-heads)').getAttribute('width')) < w, fit.width);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.waitForFunction((w) => Number(document.querySelector('#timeline svg.avic-timeline:not(.avic-timeline-heads)').getAttribute('width')) === w, fit.width);
    await shot(page, 'timeline-fit.png');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
