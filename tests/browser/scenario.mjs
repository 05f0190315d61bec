// The scenario editor (issue 13, item 6): opened from the scenario picker, a vCPU, an IRTE and
// a thread added, an impossible edit shown next to the field it breaks (on screen, beside that
// field: geometry, not only the DOM), undone with Ctrl+Z, the draft reloaded from its share link
// (sc=), run in the explorer and checked there, and that link reloaded too.
// Run by scripts/test.sh with the other browser tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, onScreen, shot } from './lib.mjs';

const session = useBrowser();

/** Every control of the editor and its value, in page order: the draft as a person sees it. */
const readDraft = (page) => page.locator('.editor').evaluate((root) =>
  [...root.querySelectorAll('select, input')].map((el) =>
    `${el.id}=${el.type === 'checkbox' ? el.checked : el.value}`));

test('edit a scenario: add parts, see an impossible edit beside its field, undo, reload, run and check it', async () => {
  const { page, problems } = await session.openPage('?v=3&s=put-block-vs-affinity&t=naive-update&m=sc');
  try {
    await page.locator('#edit-scenario').click();
    await page.locator('.editor').waitFor({ state: 'visible' });
    await page.waitForFunction(() => location.search.includes('view=editor'));
    assert.equal(await page.locator('#ed-pcpus').inputValue(), '2', 'it starts from the scenario on screen');
    assert.equal(await page.locator('#ed-vcpu-0-state').inputValue(), 'in-guest');
    assert.equal(await page.locator('#ed-status').innerText(), 'This scenario can run.');

    // Add a vCPU, an IRTE and a thread (the last one by keyboard: Tab to it, Enter).
    await page.getByRole('button', { name: 'Add a vCPU' }).click();
    await page.locator('#ed-vcpu-1-state').waitFor();
    assert.equal(await page.locator('#ed-vcpu-1-state').inputValue(), 'preempted');
    await page.getByRole('button', { name: 'Add an IRTE' }).click();
    await page.locator('#ed-irte-1-vcpu').waitFor();
    await page.getByRole('button', { name: 'Add a thread' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#ed-thread-3-actor').waitFor();
    assert.equal(await page.locator('#ed-thread-3-actor').inputValue(), 'u');
    assert.equal(await page.locator('#ed-thread-3-op-0').inputValue(), 'update-affinity');
    // Aim the new thread's update at the new IRTE and vCPU, with its parameter selects.
    await page.locator('#ed-thread-3-op-0-p0').selectOption('1');
    await page.locator('#ed-thread-3-op-0-p1').selectOption('1');
    assert.equal(await page.locator('.field-error').count(), 0, 'all of that is a possible scenario');
    const valid = await readDraft(page);

    // An impossible edit: vCPU1 in the guest on pCPU0, where vCPU0 runs.
    await page.locator('#ed-vcpu-1-state').selectOption('in-guest');
    const error = page.locator('#err-vcpu-1-pcpu');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /vCPU0 and vCPU1 are both loaded on pCPU0/);
    assert.equal(await page.locator('#ed-vcpu-1-pcpu').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('.field-error').count(), 1, 'one message, at the field it concerns');
    const errBox = await onScreen(error, 'the inline error');
    const fieldBox = await onScreen(page.locator('#ed-vcpu-1-pcpu'), 'the field it concerns');
    const rowBox = await onScreen(page.locator('#ed-vcpu-1-pcpu').locator('xpath=ancestor::li[1]'), "vCPU1's row");
    assert.ok(errBox.y >= fieldBox.y + fieldBox.height - 1 && errBox.y - (fieldBox.y + fieldBox.height) < 40,
      `the error is right under its field: ${JSON.stringify({ errBox, fieldBox })}`);
    assert.ok(errBox.x < fieldBox.x + fieldBox.width && errBox.x + errBox.width > fieldBox.x,
      `the error lines up with its field: ${JSON.stringify({ errBox, fieldBox })}`);
    assert.ok(errBox.y + errBox.height <= rowBox.y + rowBox.height + 1, 'inside that vCPU\'s row');
    const colour = await error.evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(colour, await page.locator('#ed-status').evaluate((el) =>
      getComputedStyle(document.body).color), 'the error is coloured apart from body text');
    assert.equal(await page.locator('#ed-status').innerText(), 'Fix the field marked below to run it.');
    await shot(page, 'scenario-editor-error.png');
    // It cannot run like this: a notice says why and the editor stays.
    await page.locator('#ed-run').click();
    await page.locator('.notice-error', { hasText: 'This scenario cannot run yet' }).first().waitFor();
    assert.equal(await page.locator('.editor').count(), 1);

    // Undo with the keyboard (focus on the select that made the edit), then redo and undo again
    // with the buttons.
    await page.locator('#ed-vcpu-1-state').focus();
    await page.keyboard.press('Control+z');
    await error.waitFor({ state: 'detached' });
    assert.equal(await page.locator('#ed-vcpu-1-state').inputValue(), 'preempted');
    assert.deepEqual(await readDraft(page), valid, 'undo restores the draft before the edit');
    await page.getByRole('button', { name: 'Redo' }).click();
    await error.waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Undo' }).click();
    await error.waitFor({ state: 'detached' });

    // The share link carries the draft compactly; a reload shows the same scenario.
    await page.waitForFunction(() => location.search.includes('sc=1') && location.search.includes('view=editor'));
    const editorLink = page.url();
    assert.ok(!editorLink.includes('sj='), editorLink);
    assert.ok(editorLink.length < 600, `the editor's link is short: ${editorLink.length} bytes: ${editorLink}`);
    const again = await session.openPage(new URL(editorLink).search);
    try {
      await again.page.locator('.editor').waitFor({ state: 'visible' });
      assert.deepEqual(await readDraft(again.page), valid, 'the reloaded editor shows the same draft');
      assert.deepEqual(again.problems, []);
    } finally {
      await again.page.close();
    }

    // Run it: the explorer on the edited world (four threads and the GA-log handler), and the
    // check works on it.
    await page.locator('#ed-run').click();
    await page.locator('#find-race').waitFor({ state: 'visible' });
    await page.waitForFunction(() => !location.search.includes('view=editor') && location.search.includes('sc=1'));
    const panes = await page.locator('.thread-pane').count();
    assert.equal(panes, 5, 'vCPU0, updater, device, the new updater, the GA-log handler');
    assert.match(await page.locator('.thread-pane').nth(3).innerText(), /IRQ affinity updater/);
    await page.locator('#find-race').click();
    const verdict = page.locator('#check-verdict[data-verdict="violation"], #check-verdict[data-verdict="safe"]');
    await verdict.waitFor({ timeout: 120_000 });
    assert.ok((await verdict.innerText()).trim().length > 0, 'the check gives a verdict on the edited world');
    const runLink = page.url();
    const run = await session.openPage(new URL(runLink).search);
    try {
      assert.equal(await run.page.locator('.thread-pane').count(), 5, 'the reloaded run is the same world');
      assert.equal(await run.page.locator('#scenario-select').inputValue(), 'put-block-vs-affinity');
      await run.page.locator('#edit-scenario').click();
      await run.page.locator('.editor').waitFor({ state: 'visible' });
      assert.deepEqual(await readDraft(run.page), valid, 'and its editor shows the same draft');
      assert.deepEqual(run.problems, []);
    } finally {
      await run.page.close();
    }
    // The editor at 1280×720, as a person sees it.
    await page.locator('#edit-scenario').click();
    await page.locator('.editor').waitFor({ state: 'visible' });
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'scenario-editor.png');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a damaged scenario text in a link says where it breaks and keeps the link on screen', async () => {
  const q = '?v=5&sc=12_g0_0r_v0XQ_~_1.x1.y0.&view=editor';
  const { page } = await session.openPage(q);
  try {
    const notice = page.locator('.notice-error', { hasText: "character 13: 'Q' is not an operation's letter" });
    await onScreen(notice.first(), 'the error');
    const shown = await page.locator('#bad-link-text').inputValue();
    await onScreen(page.locator('#bad-link-text'), 'the link as it was opened');
    assert.ok(shown.includes('sc=12_g0_0r_v0XQ'), `the link stays visible: ${shown}`);
  } finally {
    await page.close();
  }
});

test('removing a part renumbers what names the parts above it, or is refused in its row naming what still uses it', async () => {
  const { page, problems } = await session.openPage('?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&view=editor');
  try {
    await page.locator('.editor').waitFor({ state: 'visible' });
    // vCPU1, IRTE1 and IRTE2 more, and a thread that posts IRTE2 to vCPU1.
    await page.getByRole('button', { name: 'Add a vCPU' }).click();
    await page.getByRole('button', { name: 'Add an IRTE' }).click();
    await page.getByRole('button', { name: 'Add an IRTE' }).click();
    await page.getByRole('button', { name: 'Add a thread' }).click();
    await page.locator('#ed-thread-3-op-0-p0').selectOption('2');
    await page.locator('#ed-thread-3-op-0-p1').selectOption('1');
    assert.equal(await page.locator('.field-error').count(), 0);

    // IRTE1 is named by nobody: it goes, and IRTE2 (the new thread's) is IRTE1 now.
    await page.locator('button[title="Remove IRTE1"]').click();
    await page.locator('#ed-irte-2-vcpu').waitFor({ state: 'detached' });
    assert.equal(await page.locator('#ed-thread-3-op-0-p0').inputValue(), '1', 'the operation follows its IRTE');
    assert.equal(await page.locator('#ed-thread-3-op-0-p1').inputValue(), '1');
    assert.equal(await page.locator('.field-error').count(), 0, 'no stale number left');

    // vCPU1 is named by that operation: not removed, and its row says why.
    const before = await readDraft(page);
    await page.locator('button[title="Remove vCPU1"]').click();
    const refused = page.locator('#ed-refused');
    await refused.waitFor({ state: 'visible' });
    assert.match(await refused.innerText(),
      /Not removed: vCPU1 is still used by thread 3 \(IRQ affinity updater\)'s operation 1 'pi_update_irte\(IRTE1 → vCPU1\)'/);
    assert.deepEqual(await readDraft(page), before, 'nothing changed');
    const box = await onScreen(refused, 'the refusal');
    const row = await onScreen(page.locator('#ed-vcpu-1-state').locator('xpath=ancestor::li[1]'), "vCPU1's row");
    assert.ok(box.y >= row.y && box.y + box.height <= row.y + row.height + 1, `inside vCPU1's row: ${JSON.stringify({ box, row })}`);
    // The same for IRTE0 (the updater and the device use it), and for fewer pCPUs.
    await page.locator('button[title="Remove IRTE0"]').click();
    await page.locator('#ed-refused', { hasText: 'IRTE0 is still used by thread 1' }).waitFor();
    // vCPU1 last ran on pCPU1: one pCPU fewer is refused under the pCPU count, which stays 2.
    await page.locator('#ed-vcpu-1-pcpu').selectOption('1');
    await page.locator('#ed-pcpus').fill('1');
    await page.locator('#ed-pcpus').press('Tab');
    const pcpus = page.locator('#ed-refused', { hasText: "pCPU1 is still used by vCPU1's starting pCPU (pCPU1)" });
    await pcpus.waitFor();
    assert.equal(await page.locator('#ed-pcpus').inputValue(), '2', 'the field shows the count there still is');
    await page.locator('#ed-pcpus').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const pBox = await onScreen(pcpus, 'the pCPU refusal');
    const field = await onScreen(page.locator('#ed-pcpus'), 'the pCPU count');
    assert.ok(pBox.y >= field.y + field.height - 1 && pBox.y - (field.y + field.height) < 60,
      `right under the pCPU count: ${JSON.stringify({ pBox, field })}`);

    // Aim the operation at vCPU0: vCPU1 is free to go.
    await page.locator('#ed-thread-3-op-0-p1').selectOption('0');
    await page.locator('button[title="Remove vCPU1"]').click();
    await page.locator('#ed-vcpu-1-state').waitFor({ state: 'detached' });
    assert.equal(await page.locator('#ed-refused').count(), 0);
    assert.equal(await page.locator('.field-error').count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
