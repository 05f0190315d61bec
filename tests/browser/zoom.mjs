// Zoom in the web app (issue 13, item 5): "Zoom: story" tells the run as its story, each kernel
// function whose steps race with nothing one block in its thread's lane; a click on a block, or
// Enter on it, shows its steps there; Expand all / Collapse all; off again, every step. Asserted
// by geometry (the drawing's height, the rows' boxes), not only the DOM.
// Run by scripts/test.sh with the other browser tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, position, waitPosition, shot } from './lib.mjs';

const session = useBrowser();

// The lost wake-up of the first patch (as cause.mjs and diff.mjs open it): 24 steps.
const LINK = '?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=0';

/** The timeline's drawing (not the sticky lane heads over it): its height on the page and its
 *  rows, each with its step, steps (a block's), group and on-page height. */
async function readTimeline(page) {
  return page.locator('#timeline svg:not(.avic-timeline-heads)').evaluate((svg) => ({
    height: svg.getBoundingClientRect().height,
    rows: [...svg.querySelectorAll('g.step')].map((g) => ({
      step: Number(g.dataset.step),
      steps: (g.dataset.steps ?? g.dataset.step).split(' ').map(Number),
      group: g.dataset.group ?? null,
      text: [...g.querySelectorAll('text')].map((t) => t.textContent).join(' '),
      h: g.getBoundingClientRect().height,
    })),
  }));
}

/** Waits until the drawing has `n` rows. */
const waitRows = (page, n) =>
  page.waitForFunction((n) => document.querySelectorAll('#timeline svg:not(.avic-timeline-heads) g.step').length === n, n);

test('zoom tells the run as its story; blocks open by click and by Enter; off shows every step', async () => {
  const { page, problems } = await session.openPage(LINK);
  try {
    const toggle = page.locator('#zoom-toggle');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    const full = await readTimeline(page);
    assert.equal(full.rows.length, 24, 'every step, one row each');
    assert.ok(full.rows.every((r) => r.group === null));

    // Zoom on, from the keyboard: the button is reachable and pressed.
    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#zoom-toggle[aria-pressed="true"]');
    await page.waitForSelector('#timeline g.step.macro');
    const story = await readTimeline(page);
    const blocks = story.rows.filter((r) => r.group !== null);
    assert.ok(blocks.length >= 2, `blocks: ${blocks.length}`);
    assert.ok(story.rows.length < full.rows.length, `${story.rows.length} rows for ${full.rows.length} steps`);
    assert.ok(story.height < full.height - 3 * 30, `shorter: ${story.height} < ${full.height}`);
    const hidden = blocks.reduce((n, b) => n + b.steps.length - 1, 0);
    assert.equal(story.rows.length, full.rows.length - hidden, 'each block stands for its steps');
    // The deciding race's accesses stay steps (pinned), and its arrow is drawn.
    for (const k of [4, 20]) assert.ok(story.rows.some((r) => r.step === k && r.group === null), `step ${k}`);
    assert.equal(await page.locator('#timeline g.race-arrow').count(), 1);
    // A block's text is on screen: its range and its kernel function.
    const first = page.locator(`#timeline g.step.macro[data-group="${blocks[0].group}"]`);
    await first.scrollIntoViewIfNeeded();
    assert.ok(await first.locator('text.txt').isVisible());
    assert.match(blocks[0].text, /^\d+–\d+ ▸ \w+/, blocks[0].text);
    const box = await first.locator('rect').last().boundingBox();
    assert.ok(box && box.width > 150 && box.height > 20, `the block's box: ${JSON.stringify(box)}`);
    await shot(page, 'zoom-story.png');

    // A click on the block shows its steps there, and goes to its first step.
    await first.locator('rect').last().click();
    await waitRows(page, story.rows.length + blocks[0].steps.length - 1);
    await waitPosition(page, blocks[0].steps[0]);
    let now = await readTimeline(page);
    assert.ok(now.height > story.height + (blocks[0].steps.length - 2) * 30, `taller: ${now.height} > ${story.height}`);
    assert.equal(await page.locator(`#timeline g.step[data-group="${blocks[0].group}"]`).count(), 0);
    const at = now.rows.findIndex((r) => r.step === blocks[0].steps[0]);
    assert.deepEqual(now.rows.slice(at, at + blocks[0].steps.length).map((r) => r.step), blocks[0].steps,
      'its steps, together, where the block was');
    for (const k of blocks[0].steps) {
      assert.ok(await page.locator(`#timeline g.step[data-step="${k}"] rect`).isVisible(), `step ${k} shown`);
    }
    const others = page.locator('#timeline g.step.macro');
    assert.equal(await others.count(), blocks.length - 1, 'expanding is per block');

    // Enter on another (focused) block does the same; the focus lands on its first step.
    const second = blocks[1];
    const g = page.locator(`#timeline g.step.macro[data-group="${second.group}"]`);
    await g.focus();
    await page.keyboard.press('Enter');
    await waitRows(page, now.rows.length + second.steps.length - 1);
    await waitPosition(page, second.steps[0]);
    await page.waitForFunction((k) => document.activeElement?.dataset?.step === String(k), second.steps[0]);
    const after = await readTimeline(page);
    assert.ok(after.height > now.height, `taller again: ${after.height} > ${now.height}`);
    now = after;

    // The ▾ beside the first block's first step folds that block alone back; the second stays
    // open.
    const fold = page.locator(`#timeline g.fold[data-fold="${blocks[0].group}"]`);
    assert.equal(await page.locator('#timeline g.fold').count(), 2, 'a ▾ per open block');
    const mark = await fold.boundingBox();
    const firstRow = await page.locator(`#timeline g.step[data-step="${blocks[0].steps[0]}"] rect`).boundingBox();
    assert.ok(mark && firstRow && mark.width > 4 && Math.abs((mark.y + mark.height / 2) - (firstRow.y + firstRow.height / 2)) < firstRow.height / 2 && mark.x + mark.width <= firstRow.x,
      `the ▾ at ${JSON.stringify(mark)}, left of its step's box ${JSON.stringify(firstRow)}`);
    await fold.click();
    await waitRows(page, now.rows.length - blocks[0].steps.length + 1);
    assert.equal(await page.locator(`#timeline g.step.macro[data-group="${blocks[0].group}"]`).count(), 1, 'folded');
    assert.equal(await page.locator(`#timeline g.step.macro[data-group="${second.group}"]`).count(), 0, 'the other stays open');
    assert.equal(await position(page), second.steps[0], 'folding does not move the run');
    assert.ok((await readTimeline(page)).height < now.height);

    // From the keyboard: the other block's ▾ is a tab stop; Enter folds that block and leaves
    // the focus on it, the run where it was.
    const fold2 = page.locator(`#timeline g.fold[data-fold="${second.group}"]`);
    assert.equal(await fold2.getAttribute('tabindex'), '0');
    await fold2.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#timeline g.step.macro[data-group="${second.group}"]`);
    await page.waitForFunction((grp) => document.activeElement?.dataset?.group === String(grp), second.group);
    assert.equal(await page.locator('#timeline g.fold').count(), 0, 'no block open');
    assert.equal(await position(page), second.steps[0], 'folding does not move the run');
    // Enter again (the focus is on the block) opens it again.
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#timeline g.fold[data-fold="${second.group}"]`);

    // The step on screen inside a block marks the block; Collapse all / Expand all.
    await page.locator('#zoom-collapse-all').click();
    await waitRows(page, story.rows.length);
    assert.equal(await position(page), second.steps[0]);
    const cur = page.locator(`#timeline g.step.macro[data-group="${second.group}"] rect.cur`);
    assert.equal(await cur.count(), 1, 'the block of the step on screen is marked');
    assert.equal(await page.locator(`#timeline g.step.macro[data-group="${second.group}"]`).getAttribute('tabindex'), '0');
    await page.locator('#zoom-expand-all').click();
    await waitRows(page, full.rows.length);
    assert.equal(await page.locator('#timeline g.step.macro').count(), 0);
    assert.ok(await page.locator('#zoom-expand-all').isDisabled());

    // Off: the whole timeline again, as tall as before.
    await toggle.click();
    await page.waitForSelector('#zoom-toggle[aria-pressed="false"]');
    await waitRows(page, full.rows.length);
    const back = await readTimeline(page);
    assert.equal(back.height, full.height);
    assert.deepEqual(back.rows.map((r) => r.step), full.rows.map((r) => r.step));
    assert.equal(await page.locator('#zoom-expand-all').count(), 0);

    // The zoom is remembered: on again, the story comes back with its blocks closed.
    await toggle.click();
    await waitRows(page, story.rows.length);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
