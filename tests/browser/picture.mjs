// Real-browser tests of the machine picture and the primer (issue 12, items 1 and 2): the
// picture is the first thing on the explorer, visible at 1280×720 in every theme, follows the
// step, and in the naive-update lost wake-up shows the doorbell nobody answers, drawn to the
// empty pCPU. Run by scripts/test.sh:
//   BASE_URL=http://127.0.0.1:PORT/ node --test tests/browser/picture.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, position, waitPosition, shot } from './lib.mjs';

const { openPage, context: browserContext } = useBrowser();

// The shortest lost wake-up of the first 2023 patch (`avic-lab check --scenario
// put-block-vs-affinity --strategy naive-update --kind lost-wakeup`), opened at its last step.
const LOST = '000000000111111111111222';
const V3 = `?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=${LOST}`;
const VIEW = { width: 1280, height: 720 };

const PICTURE = '.picture-view svg.avic-picture';
const UNANSWERED = `${PICTURE} path[data-route="doorbell"][data-unanswered="true"]`;

/** Bounding boxes (page pixels) of the picture, the unanswered arrow and the pCPU it points at,
 *  the arrow's tip (its path's end point on screen) and what is drawn on top at the arrow's middle. */
const geometry = (page) => page.evaluate(({ PICTURE, UNANSWERED }) => {
  const box = (el) => {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
  };
  const svg = document.querySelector(PICTURE);
  const arrow = document.querySelector(UNANSWERED);
  const to = arrow?.dataset.to ?? '';
  const pcpu = to.startsWith('pcpu')
    ? document.querySelector(`${PICTURE} g.pic-pcpu[data-pcpu="${to.slice(4)}"]`)
    : null;
  const onScreen = (len) => {
    const p = arrow.getPointAtLength(len);
    const m = arrow.getScreenCTM();
    return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
  };
  let tip = null;
  let topAtMiddle = null;
  if (arrow) {
    const len = arrow.getTotalLength();
    tip = onScreen(len);
    const mid = onScreen(len / 2);
    topAtMiddle = document.elementFromPoint(mid.x, mid.y)?.closest('path')?.dataset.route ?? null;
  }
  const style = arrow ? getComputedStyle(arrow) : null;
  return {
    svg: box(svg),
    arrow: box(arrow),
    pcpu: box(pcpu),
    pcpuEmpty: pcpu?.dataset.empty ?? null,
    pcpuText: pcpu?.textContent ?? '',
    tip,
    topAtMiddle,
    stroke: style?.stroke ?? null,
    dash: style?.strokeDasharray ?? null,
    firstInMain: document.querySelector('main.main')?.querySelector('section, div.toolbar, .workbench')?.className ?? null,
  };
}, { PICTURE, UNANSWERED });

const inside = (b, view) => b && b.left >= 0 && b.top >= 0 && b.right <= view.width + 0.5 && b.bottom <= view.height + 0.5;

test('the lost wake-up: the picture shows the doorbell nobody answers, to the empty pCPU, at 1280×720', async () => {
  const { page, problems } = await openPage(V3);
  try {
    await page.setViewportSize(VIEW);
    assert.equal(await position(page), 24);
    await page.waitForSelector(UNANSWERED);
    const g = await geometry(page);
    assert.equal(g.firstInMain, 'picture-pane', 'the picture is the first pane of the explorer');
    assert.ok(inside(g.svg, VIEW), `the picture is inside the viewport: ${JSON.stringify(g.svg)}`);
    assert.ok(g.svg.width > 600 && g.svg.height > 150, `big enough to read: ${JSON.stringify(g.svg)}`);
    assert.ok(inside(g.arrow, VIEW), `the arrow is inside the viewport: ${JSON.stringify(g.arrow)}`);
    assert.equal(g.pcpuEmpty, 'true', 'the arrow points at an empty pCPU');
    assert.match(g.pcpuText, /no vCPU here/);
    assert.match(g.pcpuText, /nobody answers/);
    // The tip lands on the pCPU's box: within its width, at its top edge.
    assert.ok(g.tip.x >= g.pcpu.left && g.tip.x <= g.pcpu.right, `tip ${JSON.stringify(g.tip)} over ${JSON.stringify(g.pcpu)}`);
    assert.ok(Math.abs(g.tip.y - g.pcpu.top) < 4, `tip ${JSON.stringify(g.tip)} at the top of ${JSON.stringify(g.pcpu)}`);
    // Nothing covers it, and it is drawn as the unanswered doorbell: red (the theme's --hang), dashed.
    assert.equal(g.topAtMiddle, 'doorbell', 'the arrow is on top where it is drawn');
    assert.equal(g.stroke, 'rgb(176, 0, 32)');
    assert.notEqual(g.dash, 'none');
    await shot(page, 'picture-lost-wakeup-1280x720.png');
    await page.locator('.picture-pane').screenshot({ path: new URL('./artifacts/picture-lost-wakeup-pane.png', import.meta.url).pathname });
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the picture follows the step: the GA-log arrow before the patch line, the changed IRTE marked at it', async () => {
  const { page, problems } = await openPage(`${V3}&at=16`);
  try {
    assert.equal(await position(page), 16);
    await page.waitForSelector(`${PICTURE} path[data-route="ga-log"]`);
    assert.equal(await page.locator(UNANSWERED).count(), 0, 'before the patch line an interrupt would be logged');
    await page.keyboard.press('ArrowRight');
    await waitPosition(page, 17);
    await page.waitForSelector(`${UNANSWERED}[data-changed="true"]`);
    const irte = page.locator(`${PICTURE} g.pic-irte[data-irte="0"]`);
    assert.equal(await irte.getAttribute('data-changed'), 'true', 'the step changed IRTE0 and says so');
    assert.match(await page.locator(PICTURE).textContent(), /step 17 · IRQ affinity updater/);
    await page.keyboard.press('Home');
    await waitPosition(page, 0);
    await page.waitForFunction((sel) => /initial state/.test(document.querySelector(sel)?.textContent ?? ''), PICTURE);
    // The downloads next to it: the standalone file, with its own style sheet.
    const href = await page.locator('#picture-svg').getAttribute('href');
    assert.match(href, /^data:image\/svg\+xml;charset=utf-8,/);
    assert.match(decodeURIComponent(href), /class="avic-picture"[\s\S]*<style>/);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('in every theme at 1280×720 the picture is in view, coloured by the theme', async () => {
  const strokes = {};
  for (const theme of ['light', 'dark', 'large']) {
    const { page, problems } = await openPage(`${V3}&theme=${theme}`);
    try {
      await page.setViewportSize(VIEW);
      await page.waitForSelector(UNANSWERED);
      const g = await geometry(page);
      assert.ok(inside(g.svg, VIEW), `${theme}: picture ${JSON.stringify(g.svg)}`);
      assert.ok(inside(g.arrow, VIEW), `${theme}: arrow ${JSON.stringify(g.arrow)}`);
      assert.equal(g.topAtMiddle, 'doorbell', `${theme}: the arrow is visible`);
      const bg = await page.locator(`${PICTURE} rect.pic-bg`).evaluate((r) => getComputedStyle(r).fill);
      strokes[theme] = `${g.stroke} on ${bg}`;
      await shot(page, `picture-${theme}-1280x720.png`);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  }
  assert.notEqual(strokes.light, strokes.dark, `the dark theme recolours it: ${JSON.stringify(strokes)}`);
});

test('embeds and lessons show the picture too', async () => {
  const embed = await openPage(`${V3}&embed=1&theme=large`);
  try {
    await embed.page.setViewportSize({ width: 800, height: 450 });
    await embed.page.waitForSelector(UNANSWERED);
    assert.equal(await embed.page.locator('#picture-svg').count(), 0, 'no download buttons in an embed');
    const g = await geometry(embed.page);
    assert.ok(g.svg.top >= 0 && g.svg.top < 450 && g.svg.height > 80, `embed picture ${JSON.stringify(g.svg)}`);
    await shot(embed.page, 'picture-embed-800x450.png');
    assert.deepEqual(embed.problems, []);
  } finally {
    await embed.page.close();
  }
  const lesson = await openPage('?v=3&view=lesson&l=first-patch&at=24');
  try {
    await lesson.page.waitForSelector(UNANSWERED);
    assert.deepEqual(lesson.problems, []);
  } finally {
    await lesson.page.close();
  }
});

test('the primer: its own link, reachable from the top bar, the story told with the picture', async () => {
  const { page, problems } = await openPage('?v=3');
  try {
    await page.setViewportSize(VIEW);
    await page.locator('#tab-primer').click();
    await page.waitForSelector('#primer');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('view') === 'primer');
    assert.equal(await page.locator('#tab-primer').getAttribute('aria-selected'), 'true');
    const frames = page.locator('.primer-frame');
    assert.equal(await frames.count(), 5);
    assert.deepEqual(await frames.evaluateAll((els) => els.map((e) => e.dataset.step)), ['0', '9', '16', '17', '24']);
    assert.equal(await page.locator('.primer-frame svg.avic-picture').count(), 5);
    // The last two frames ring the doorbell nobody answers; the third logs to the GA log.
    const routes = await frames.evaluateAll((els) => els.map((e) =>
      [...e.querySelectorAll('path[data-route]')].map((p) => `${p.dataset.route}${p.dataset.unanswered === 'true' ? '!' : ''}`).join()));
    assert.equal(routes[2], 'ga-log');
    assert.equal(routes[3], 'doorbell!');
    assert.equal(routes[4], 'doorbell!');
    const text = await page.locator('#primer').textContent();
    for (const cite of ['4c08e737f056', 'f3cebc75e742', 'ed8a2f4ddef2', 'avic_ga_log_notifier()']) {
      assert.ok(text.includes(cite), `the primer cites ${cite}`);
    }
    const first = page.locator('.primer-frame').first().locator('svg.avic-picture');
    const box = await first.boundingBox();
    assert.ok(box && box.width > 600, `the primer's pictures are readable: ${JSON.stringify(box)}`);
    await shot(page, 'primer-1280x720.png');
    // Its own link opens it directly, and its lesson button plays lesson 2.
    const again = await openPage('?v=3&view=primer');
    try {
      await again.page.waitForSelector('#primer');
      await again.page.locator('#primer-lesson').click();
      await again.page.waitForFunction(() => new URLSearchParams(location.search).get('l') === 'first-patch');
      assert.deepEqual(again.problems, []);
    } finally {
      await again.page.close();
    }
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
