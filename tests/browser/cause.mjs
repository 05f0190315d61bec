// Cause and effect in a real browser (issue 12 item 3, issue 13 item 2): a counterexample opens at
// step 0 and says where the hang happens; stepping there shows the violation with the step that
// caused it and the deciding race, inside a 1280×720 viewport; the timeline marks the cause and
// the detection with shape and word as well as colour, and draws the race as one arrow.
//   BASE_URL=http://127.0.0.1:PORT/ node --test tests/browser/cause.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, position, waitPosition, shot } from './lib.mjs';

const session = useBrowser();

/** Whether the element's whole box lies inside the 1280×720 viewport. */
async function inViewport(page, selector) {
  const box = await page.locator(selector).boundingBox();
  assert.ok(box, `${selector} has a box`);
  const vp = page.viewportSize();
  return { box, inside: box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width && box.y + box.height <= vp.height };
}

test('a found counterexample opens at step 0; at the hang its cause and deciding race are on screen', async () => {
  const { page, problems } = await session.openPage('?v=3&s=put-block-vs-affinity&t=naive-update&m=sc');
  try {
    assert.deepEqual(page.viewportSize(), { width: 1280, height: 720 });
    await page.locator('#find-race').click();
    await page.locator('#check-verdict[data-verdict="violation"]').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => Number(document.querySelector('#position')?.dataset.len) > 0);
    assert.equal(await position(page), 0, 'the counterexample opens at step 0');
    const len = Number(await page.locator('#position').getAttribute('data-len'));
    assert.equal(len, 24, 'the shortest lost wake-up of the first patch');
    const body = await page.locator('body').textContent();
    assert.match(body, /→ to replay; the hang happens at step 24\./);
    assert.equal(await page.locator('#why').count(), 0, 'nothing has fired yet');
    await shot(page, 'cause-step0.png');

    // → replays the recorded run, one step at a time.
    for (let n = 1; n <= len; n++) {
      await page.keyboard.press('ArrowRight');
      await waitPosition(page, n);
    }
    const why = page.locator('#why .why[data-kind="lost-wakeup"]');
    await why.waitFor();
    const text = await why.textContent();
    assert.match(text, /HANG: vCPU0 is asleep/);
    assert.match(text, /Cause: step 24, the device \+ IOMMU in the IOMMU \(IOMMU notifies\) made it true \(doorbell → pCPU0 for vCPU0: no vCPU in the guest there, nobody answers\); step 17, the IRQ affinity updater in amd_iommu_update_ga\(\) \(publish IRTE\) wrote IRTE0/);
    assert.match(text, /Deciding race: the vCPU0 thread's read of vCPU0's ir_list in avic_update_iommu_vcpu_affinity\(\) at step 4 raced with the IRQ affinity updater's write in svm_ir_list_add\(\) at step 20/);
    const { box, inside } = await inViewport(page, '#why');
    assert.ok(inside, `the explanation is inside the 1280×720 viewport: ${JSON.stringify(box)}`);
    await shot(page, 'cause-at-hang.png');

    // The timeline: cause and detection marked in words and shapes, the race as one arrow.
    const svg = page.locator('#timeline svg:not(.avic-timeline-heads)'); // not the sticky lane heads over it
    for (const step of [17, 20, 24]) {
      assert.match(await page.locator(`#timeline g.step[data-step="${step}"]`).textContent(), /◆ cause/, `step ${step}`);
    }
    assert.match(await svg.textContent(), /◆ cause \(dashed box\).*⚠ seen by the oracle.*⇄ deciding race \(arrow\)/);
    const arrows = page.locator('#timeline g.race-arrow');
    assert.equal(await arrows.count(), 1);
    assert.equal(await arrows.first().getAttribute('data-first'), '4');
    assert.equal(await arrows.first().getAttribute('data-second'), '20');
    // The cause box and the detection box differ in colour, not only in shape.
    const fill = (step) => page.locator(`#timeline g.step[data-step="${step}"] rect`).evaluate((r) => getComputedStyle(r).fill);
    assert.notEqual(await fill(17), await fill(21), 'a cause box and a detection box');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a counterexample link at step 0: stepping to the stale IRTE shows its cause in the viewport', async () => {
  const link = '?v=3&s=put-block-vs-affinity&t=naive-update&m=sc&r=000000000111111111111222&at=0';
  const { page, problems } = await session.openPage(link);
  try {
    assert.equal(await position(page), 0);
    for (let n = 1; n <= 21; n++) {
      await page.keyboard.press('ArrowRight');
      await waitPosition(page, n);
    }
    const why = page.locator('#why .why[data-kind="stale-irte"]');
    await why.waitFor();
    assert.match(await why.textContent(), /Cause: step 20, the IRQ affinity updater in svm_ir_list_add\(\) \(link into ir_list\) made it true; step 17, .* wrote IRTE0\. The oracle saw it at step 21\./);
    const { box, inside } = await inViewport(page, '#why');
    assert.ok(inside, `inside the viewport: ${JSON.stringify(box)}`);
    // One step on, the explanation of step 21 is gone (it belongs to its step).
    await page.keyboard.press('ArrowRight');
    await waitPosition(page, 22);
    assert.equal(await page.locator('#why').count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
