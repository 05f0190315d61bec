// Real-browser test of the Host evidence view (issue 13, item 3): the committed sample bundle
// (docs/host-report-sample.json, made by `avic-lab host-report` on this project's non-AVIC build
// machine) opened through the file input shows one row per cell, inside a 1280×720 viewport, with
// the machine's statement that it cannot run the real race and each cell checked again by the
// worker; a file that is not a bundle, and one of another format version, show their errors in
// the page. Run by scripts/test.sh:
//   BASE_URL=http://127.0.0.1:PORT/ node --test tests/browser/host.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowser, shot, REPO } from './lib.mjs';

const { openPage } = useBrowser();

const SAMPLE = join(REPO, 'docs', 'host-report-sample.json');
const sample = JSON.parse(readFileSync(SAMPLE, 'utf8'));

test('the sample bundle opens as one row per cell, inside the viewport', async () => {
  const { page, problems } = await openPage('?v=3&view=host');
  await page.waitForSelector('#host-file');
  await page.setInputFiles('#host-file', SAMPLE);
  await page.waitForSelector('#host-table tbody tr', { timeout: 60_000 });
  const rows = page.locator('#host-table tbody tr');
  assert.equal(await rows.count(), sample.cells.length);
  // Each row names its cell, in the bundle's order, and this build agrees with every verdict.
  for (const [i, c] of sample.cells.entries()) {
    const row = rows.nth(i);
    assert.equal(await row.locator('th').innerText(), `${c.scenario} · ${c.strategy} · ${c.memory}`);
    assert.equal(await row.locator('td').nth(1).innerText(), 'same');
  }
  const naive = await rows.nth(0).innerText();
  assert.match(naive, /stale, lost, delay/);
  assert.match(naive, /per million of \d+ iterations/);
  // The machine says what it is: not an AVIC host.
  const statement = await page.locator('#host-statement').innerText();
  assert.equal(statement, sample.host.statement);
  assert.match(statement, /a non-AVIC machine/);
  assert.match(await page.locator('.host-verdicts').innerText(), /checked again by this build/);
  // Geometry: the table fits the 1280 px width (no sideways scrolling), and without scrolling
  // its first rows are on screen, under the machine's statement (the host's facts follow).
  const box = await page.evaluate(() => {
    const t = document.querySelector('#host-table').getBoundingClientRect();
    const rows = [...document.querySelectorAll('#host-table tbody tr')].map((r) => r.getBoundingClientRect());
    const s = document.querySelector('#host-statement').getBoundingClientRect();
    return {
      right: t.right, left: t.left, statementBottom: s.bottom, rowTop: rows[0].top,
      onScreen: rows.filter((r) => r.top >= 0 && r.bottom <= window.innerHeight).length,
      scrollW: document.documentElement.scrollWidth,
    };
  });
  assert.ok(box.left >= 0 && box.right <= 1280, `table ${box.left}..${box.right}`);
  assert.ok(box.scrollW <= 1280, `page is ${box.scrollW} px wide`);
  assert.ok(box.statementBottom <= box.rowTop, 'the statement comes before the rows');
  assert.ok(box.onScreen >= 3, `${box.onScreen} whole rows on screen at 1280×720`);
  await shot(page, 'host-evidence.png');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bad file shows its error in the page', async () => {
  const { page, problems } = await openPage('?v=3&view=host');
  await page.setInputFiles('#host-file', {
    name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('this is not JSON'),
  });
  const error = page.locator('#host-error');
  await error.waitFor({ timeout: 60_000 });
  assert.match(await error.innerText(), /cannot be shown: not JSON/);
  assert.equal(await page.locator('#host-table').count(), 0);
  const newer = { ...sample, version: 2 };
  await page.setInputFiles('#host-file', {
    name: 'newer.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(newer)),
  });
  await page.waitForFunction(() => /format version 2/.test(document.querySelector('#host-error')?.textContent ?? ''), null, { timeout: 60_000 });
  const big = Buffer.alloc((4 << 20) + 1, 32);
  await page.setInputFiles('#host-file', { name: 'big.json', mimeType: 'application/json', buffer: big });
  await page.waitForFunction(() => /at most 4 MiB/.test(document.querySelector('#host-error')?.textContent ?? ''));
  const e = await error.boundingBox();
  assert.ok(e && e.y >= 0 && e.y + e.height <= 720, `error at ${JSON.stringify(e)}`);
  await shot(page, 'host-evidence-error.png');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bundle dropped on the page opens too', async () => {
  const { page, problems } = await openPage('?v=3&view=host');
  await page.waitForSelector('.host-drop');
  const text = readFileSync(SAMPLE, 'utf8');
  // What a browser dispatches when a file is dropped: dragover, then drop with the file.
  await page.evaluate((text) => {
    const zone = document.querySelector('.host-drop');
    const data = new DataTransfer();
    data.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, text);
  await page.waitForSelector('#host-table tbody tr', { timeout: 60_000 });
  assert.equal(await page.locator('#host-table tbody tr').count(), sample.cells.length);
  assert.deepEqual(problems, []);
  await page.close();
});
