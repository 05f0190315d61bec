// The patch editor and "what stops it" (issue 13, items 7 and 1). Open a world, open the editor
// on a thread's avic_vcpu_put, make a typo and see its error at its line:column, delete the two
// ir_list_lock lines, apply, check exhaustively and see the verdict change (Linux 6.6's put
// without its lock brings back 6.5's stale IRTE), reload the share link and see the same edited
// program and verdict; then ask what stops a counterexample and open the diff view for a knob.
// Assertions from geometry (on screen at 1280×720); screenshots in tests/browser/artifacts/.
// Run by scripts/test.sh with the other browser tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, onScreen, shot } from './lib.mjs';

const session = useBrowser();

const WORLD = '?v=3&s=migrate-vs-affinity&t=linux-6.6&m=sc';
const LOCK = 'lock(ir_list(0))';

/** Find a race, and the kinds of the counterexamples it lists. */
async function check(page) {
  await page.locator('#find-race').click();
  await page.waitForSelector('#check-verdict[data-verdict]', { timeout: 120_000 });
  await onScreen(page.locator('#check-verdict'), 'the verdict');
  const kinds = await page.locator('.cex').evaluateAll((els) => els.map((e) => e.dataset.kind));
  return { verdict: await page.locator('#check-verdict').getAttribute('data-verdict'), kinds: kinds.sort() };
}

/** Open the editor on the first thread's put. */
async function editPut(page) {
  await page.locator('#patch-open').click();
  const editor = page.locator('#patch-editor');
  await editor.waitFor({ state: 'visible' });
  const value = await page.locator('#patch-op option').evaluateAll(
    (os) => os.find((o) => / · put( |$)/.test(o.textContent))?.value);
  assert.ok(value, 'the editor offers the put operation');
  await page.locator('#patch-op').selectOption(value);
  await page.waitForFunction(() => document.querySelector('#patch-text')?.value.includes('for vcpu(0) put'));
  return page.locator('#patch-text');
}

test('edit a line, see the typo at its line:column, apply, the verdict changes, and the link brings it back', async () => {
  const { page, problems } = await session.openPage(WORLD);
  try {
    const before = await check(page);
    assert.equal(before.verdict, 'violation');
    assert.ok(!before.kinds.includes('stale-irte'), `6.6's lock: no stale IRTE: ${before.kinds}`);

    const text = await editPut(page);
    const base = await text.inputValue();
    assert.match(base, /avic_vcpu_put/);
    const box = await onScreen(text, 'the program text');
    assert.ok(box.width > 400, `the text is wide enough to read: ${box.width}`);
    await onScreen(page.locator('#patch-apply'), 'Apply');
    assert.ok(await page.locator('#patch-apply').isDisabled(), 'nothing to apply yet');

    // A typo: its error at its line and column, beside its line, Apply refused.
    const lines = base.split('\n');
    const line = lines.findIndex((l) => l.includes(LOCK)) + 1;
    const col = lines[line - 1].indexOf(LOCK) + 1;
    await text.fill(base.replace(LOCK, 'lokc(ir_list(0))'));
    const error = page.locator('#patch-errors .patch-error').first();
    await onScreen(error, 'the error');
    assert.equal(await error.getAttribute('data-line'), String(line));
    assert.equal(await error.getAttribute('data-col'), String(col));
    assert.match(await error.innerText(), new RegExp(`^${line}:${col}: .*lokc`));
    const mark = page.locator(`.patch-ln-bad[data-line="${line}"]`);
    const markBox = await onScreen(mark, 'the marked line number');
    // Clicking the error puts the caret on it, in the text, on the marked line.
    await error.click();
    const caret = await text.evaluate((el) => el.selectionStart);
    assert.equal(caret, lines.slice(0, line - 1).join('\n').length + 1 + col - 1);
    assert.ok(await page.locator('#patch-apply').isDisabled(), 'a text with errors is not applied');
    assert.ok(markBox.x < box.x, 'the line numbers are left of the text');
    await shot(page, 'patch-typo.png');

    // Undo takes the typo back; then delete the two ir_list_lock lines and apply.
    await page.locator('#patch-undo').click();
    await page.waitForFunction((b) => document.querySelector('#patch-text').value === b, base);
    assert.equal(await page.locator('#patch-errors').count(), 0);
    const edited = lines.filter((l) => !l.includes(LOCK)).join('\n');
    await text.fill(edited);
    await page.waitForSelector('#patch-status.patch-ok');
    await page.locator('#patch-apply').click();
    await page.waitForFunction(() => /[?&]pg=/.test(location.search) && location.search.startsWith('?v=4'));
    // The editor now shows the program as the world runs it (printed: step labels renumbered).
    const applied = await text.inputValue();
    assert.ok(!applied.includes(LOCK), 'the applied program has no ir_list_lock');
    await onScreen(page.locator('#patch-edited'), 'what is edited');
    assert.match(await page.locator('#patch-edited').innerText(), /put/);
    const after = await check(page);
    assert.ok(after.kinds.includes('stale-irte'), `the stale IRTE is back: ${after.kinds}`);
    assert.notDeepEqual(after.kinds, before.kinds, 'the verdict changed');
    await shot(page, 'patch-applied.png');

    // The share link: the same edited program, the same verdict.
    const link = page.url();
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('html[data-ready="true"]');
    assert.equal(page.url(), link);
    await page.locator('#patch-editor').waitFor({ state: 'visible' });
    const reloaded = page.locator('#patch-text');
    await onScreen(reloaded, 'the reloaded program');
    assert.equal(await reloaded.inputValue(), applied, 'the same edited program');
    assert.deepEqual(await check(page), after, 'the same verdict');
    await shot(page, 'patch-reloaded.png');

    // Revert: the strategy's own program, no pg= in the link, the old verdict.
    await page.locator('#patch-revert').click();
    await page.waitForFunction(() => !/[?&]pg=/.test(location.search));
    assert.equal(await page.locator('#patch-text').inputValue(), base);
    assert.deepEqual(await check(page), before);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('what stops it: the single knobs that make a counterexample impossible, each opening the diff view', async () => {
  const { page, problems } = await session.openPage('?v=3&s=put-block-vs-affinity&t=naive-update&m=sc');
  try {
    assert.ok(await page.locator('#stops-ask').isDisabled(), 'nothing to stop before a counterexample');
    await check(page);
    await page.locator('.cex[data-kind="lost-wakeup"]').click();
    await page.locator('#stops-ask').click();
    const list = page.locator('#stops-list');
    await list.waitFor({ state: 'visible', timeout: 120_000 });
    await onScreen(page.locator('#stops-summary'), 'the summary');
    assert.match(await page.locator('#stops-summary').innerText(), /2 of 15 single knob flips stop a violation/);
    const kick = page.locator('.stops-item[data-knob="kick"]');
    await onScreen(kick, 'the kick flip');
    assert.match(await kick.innerText(), /kick 0 → 1 stops stale-irte; this run parts there at row \d+: /);
    const never = page.locator('.stops-item[data-knob="irte_target"][data-to="never"]');
    await onScreen(never, 'the IRTE-target flip');
    assert.match(await never.innerText(), /irte_target vcpu-cpu → never \(= linux-6\.5\) stops lost-wakeup/);
    await shot(page, 'stops-list.png');
    // Its link opens the diff view against that world, and the address says so.
    const href = await never.locator('a').getAttribute('href');
    assert.match(href, /[?&]vs=linux-6\.5(&|$)/);
    await never.locator('a').click();
    await page.locator('#diff-view').waitFor({ state: 'visible' });
    await onScreen(page.locator('#diff-verdict-b'), "B's verdict");
    assert.match(await page.locator('#diff-verdict-b').innerText(), /B: linux-6\.5 · sc.*lost-wakeup: gone/);
    assert.match(page.url(), /[?&]vs=linux-6\.5(&|$)/);
    await shot(page, 'stops-diff.png');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
