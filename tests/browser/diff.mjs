// The diff view (issue 13, item 1): one schedule, two worlds, side by side. Opened by a share
// link (vs=) and from a counterexample through "Compare with…"; both columns and the divergence
// row are on screen (geometry, not only the DOM), and a reload of the link shows the same.
// Run by scripts/test.sh with the other browser tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, onScreen, shot } from './lib.mjs';

const session = useBrowser();

const NAIVE = '?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222';

/** What the diff view says: first divergence, verdicts, the divergence row's cells and note. */
async function readDiff(page) {
  const first = page.locator('#diff-first-row');
  return {
    first: await page.locator('#diff-first').innerText(),
    a: await page.locator('#diff-verdict-a').innerText(),
    b: await page.locator('#diff-verdict-b').innerText(),
    row: await first.getAttribute('data-row'),
    reason: await first.getAttribute('data-reason'),
    cellA: await first.locator('td.diff-a').innerText(),
    cellB: await first.locator('td.diff-b').innerText(),
    rows: await page.locator('#diff-table tr.diff-row').count(),
  };
}

async function assertGeometry(page, name) {
  const view = page.locator('#diff-view');
  await view.waitFor({ state: 'visible' });
  const colA = await onScreen(page.locator('#diff-col-a'), 'column A');
  const colB = await onScreen(page.locator('#diff-col-b'), 'column B');
  assert.ok(colA.width > 150 && colB.width > 150, `both columns are wide enough: ${colA.width}, ${colB.width}`);
  assert.ok(colA.x + colA.width <= colB.x + 1, `A is left of B, side by side: ${JSON.stringify({ colA, colB })}`);
  assert.ok(Math.abs(colA.y - colB.y) < 2, 'the two column heads are on one line');
  const row = page.locator('#diff-first-row');
  const rowBox = await onScreen(row, 'the divergence row');
  // Its cells sit under their columns.
  const a = await row.locator('td.diff-a').boundingBox();
  const b = await row.locator('td.diff-b').boundingBox();
  assert.ok(Math.abs(a.x - colA.x) < 2 && Math.abs(b.x - colB.x) < 2, 'cells under their columns');
  // Highlighted: its background differs from a matched row's.
  const bg = (loc) => loc.evaluate((el) => getComputedStyle(el.querySelector('td.diff-a')).backgroundColor);
  const plain = page.locator('#diff-table tr.diff-row:not(.diverges):not(.diff-aside)').first();
  assert.notEqual(await bg(row), await bg(plain), 'the divergence row is highlighted');
  // The reason is in words right under it, on screen.
  const note = page.locator('#diff-first-row + tr.diff-note-row');
  const noteBox = await onScreen(note, 'the reason under the divergence row');
  // (Measured again: bringing the reason into view may have scrolled the table.)
  const rowNow = await onScreen(row, 'the divergence row, with its reason');
  assert.ok(noteBox.y >= rowNow.y + rowNow.height - 1, `the reason is below its row: ${JSON.stringify({ rowNow, noteBox })}`);
  assert.ok(rowBox.height > 0);
  await shot(page, name);
}

test('a diff link opens both runs side by side, the divergence highlighted with its reason, and reloads the same', async () => {
  const { page, problems } = await session.openPage(`${NAIVE}&vs=lock-fix`);
  try {
    await assertGeometry(page, 'diff-link.png');
    const seen = await readDiff(page);
    assert.match(seen.first, /They part at row 7: in B this thread ran this step already/);
    assert.equal(seen.row, '7');
    assert.equal(seen.reason, 'past');
    assert.match(seen.cellA, /WRITE_ONCE entry/);
    assert.equal(seen.cellB.trim(), '—');
    assert.match(seen.a, /A: naive-update · sc/);
    assert.match(seen.a, /lost-wakeup at step 24/);
    assert.match(seen.b, /B: linux-6\.6 · sc/);
    assert.match(seen.b, /lost-wakeup: gone/);
    // The address bar is the link to what is on screen, in today's spelling.
    assert.match(page.url(), /&vs=linux-6\.6(&|$)/);
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('html[data-ready="true"]');
    await assertGeometry(page, 'diff-link-reloaded.png');
    assert.deepEqual(await readDiff(page), seen, 'the reloaded link shows the same comparison');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('from a counterexample: "Compare with…" opens the view, the memory model and Close go into the link', async () => {
  const { page, problems } = await session.openPage('?v=3&s=put-block-vs-affinity&t=naive-update&m=sc');
  try {
    assert.equal(await page.locator('#diff-view').count(), 0, 'no diff view before one is asked for');
    await page.locator('#find-race').click();
    await page.waitForSelector('#check-verdict[data-verdict="violation"]', { timeout: 60_000 });
    await page.locator('.cex[data-kind="lost-wakeup"]').click();
    await page.locator('#compare-with').selectOption('linux-6.17');
    await assertGeometry(page, 'diff-compare-with.png');
    assert.match(page.url(), /&vs=linux-6\.17(&|$)/);
    const b = await page.locator('#diff-verdict-b').innerText();
    assert.match(b, /B: linux-6\.17 · sc/);
    assert.match(b, /lost-wakeup: gone/);
    await page.locator('#diff-memory-tso').check();
    await page.waitForFunction(() => location.search.includes('vm=tso'));
    assert.match(await page.locator('#diff-verdict-b').innerText(), /B: linux-6\.17 · tso/);
    // The link opens the same view in a new page.
    const url = page.url();
    const again = await session.openPage(new URL(url).search);
    try {
      await again.page.locator('#diff-view').waitFor({ state: 'visible' });
      assert.equal(await again.page.locator('#diff-verdict-b').innerText(), await page.locator('#diff-verdict-b').innerText());
      assert.equal(await again.page.locator('#diff-first').innerText(), await page.locator('#diff-first').innerText());
      assert.deepEqual(again.problems, []);
    } finally {
      await again.page.close();
    }
    await page.locator('#diff-close').click();
    await page.locator('#diff-view').waitFor({ state: 'detached' });
    await page.waitForFunction(() => !location.search.includes('vs='));
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
