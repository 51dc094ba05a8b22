/**
 * Mapped tasks in the web UI, in real headless Chromium against a real webserver, scheduler and
 * worker: the grid's one summary cell for a task mapped over 120 items (3 of them failing), the
 * list of its instances that opens from it (filtered by state, sorted, paged), one instance's page
 * with its log and error and a way back, the graph's mapped node, and an unmapped task as before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Webserver } from '../../src/api/server.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { browserUnavailable, collectPageErrors, launchBrowser, screenshot } from '../support/browser.ts';
import { Harness } from '../support/harness.ts';

const COUNT = 120;
/** Items 7, 57 and 107 fail. */
const FAILING = [7, 57, 107];

const DAG = `import { dag, FailTask } from 'sluice';
const d = dag('mapped_ui', { description: 'a task mapped over ${COUNT} items' });
const items = d.task('items', async () => Array.from({ length: ${COUNT} }, (_, i) => i));
const parts = d.task('parts', { expand: items, maxMapLength: 1000 }, async (ctx) => {
  ctx.log.info({ item: ctx.mapItem }, 'processing item');
  if ((ctx.mapItem as number) % 50 === 7) throw new FailTask('item ' + ctx.mapItem + ' is broken');
  return ctx.mapItem;
});
parts.then(d.task('report', { triggerRule: 'all_done' }, async () => 'done'));
export default d;
`;

const skip = browserUnavailable();

describe('mapped tasks in the web UI', { skip }, () => {
  let h: Harness;
  let server: Webserver;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let runId: string;

  before(async () => {
    h = new Harness({ dags: { 'mapped_ui.ts': DAG } });
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('mapped_ui');
    runId = (await triggerDagRun(h.db, 'mapped_ui', {})).runId;
    assert.equal((await h.waitForRunEnd('mapped_ui', runId, 120_000)).state, 'success');
    server = await h.startWebserver();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    pageErrors = collectPageErrors(page);
  });

  after(async () => {
    await browser?.close();
    await h?.tearDown();
  });

  const open = (pathname: string) => page.goto(server.url + pathname);
  const listPath = () => `/dags/mapped_ui/runs/${encodeURIComponent(runId)}/tasks/parts`;
  const tableIndexes = () => page.locator('table.mapped-table tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-map-index'))));

  test("the grid shows the mapped task as one row whose cell sums up its instances, and Enter opens their list", async () => {
    await open('/dags/mapped_ui');
    const cell = page.locator('.grid a.cell.mapped-cell');
    await cell.waitFor();
    assert.equal(await cell.count(), 1, 'one cell for the 120 instances');
    assert.equal(await page.locator('.grid .task-name').count(), 3, 'items, parts, report: one row each');
    assert.match(await page.locator('.grid .task-name', { hasText: 'parts' }).innerText(), /parts \[ \]/);
    assert.equal(await cell.getAttribute('data-state'), 'failed', 'the most pressing of its instances');
    assert.equal(await cell.getAttribute('data-mapped-count'), String(COUNT));
    const title = (await cell.getAttribute('title')) ?? '';
    assert.match(title, /120 mapped instances/);
    assert.match(title, /3 failed, 117 success/);
    // A split bar: the failed share first, in its colour.
    const bar = await cell.locator('.split').evaluate((el) => getComputedStyle(el).backgroundImage);
    assert.match(bar, /linear-gradient/);

    // From the keyboard: the first column's focused cell, down to the mapped task's row, Enter.
    await page.locator('.grid [data-cell][tabindex="0"]').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('mapped-cell')), true);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === listPath());
    await page.locator('table.mapped-table').waitFor();
    assert.deepEqual(pageErrors, []);
  });

  test('the list of instances pages, filters by state and sorts, all from the keyboard or the mouse', async () => {
    await open(listPath());
    await page.locator('table.mapped-table tbody tr').first().waitFor();
    assert.match(await page.locator('.page-head').innerText(), /mapped · 120 instances/);
    assert.equal(await page.locator('.page-head .badge').innerText(), 'failed');
    assert.deepEqual(await tableIndexes(), Array.from({ length: 100 }, (_, i) => i), 'the first page, by map index');
    assert.match(await page.locator('.pager').innerText(), /1–100 of 120/);
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.mapped-table tbody tr').length === 20);
    assert.deepEqual(await tableIndexes(), Array.from({ length: 20 }, (_, i) => 100 + i));
    assert.match(page.url(), /page=2/);

    // Filter: the failed ones, their error's first line in the table; the page starts over.
    await page.locator('.state-filter button[data-state="failed"]').click();
    await page.waitForFunction(() => document.querySelectorAll('table.mapped-table tbody tr').length === 3);
    assert.deepEqual(await tableIndexes(), FAILING);
    assert.match(await page.locator('tr[data-map-index="57"] .error-line').innerText(), /item 57 is broken/);
    assert.doesNotMatch(page.url(), /page=/);

    // Sort: the map index column again turns the order around; the header says which way.
    const header = page.locator('th', { has: page.getByRole('button', { name: /Map index/ }) });
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    await page.getByRole('button', { name: /Map index/ }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('table.mapped-table tbody tr')?.getAttribute('data-map-index') === '107');
    assert.deepEqual(await tableIndexes(), [...FAILING].reverse());
    assert.equal(await header.getAttribute('aria-sort'), 'descending');

    // All states, by state: the failed ones come first.
    await page.locator('.state-filter button', { hasText: 'All' }).click();
    await page.getByRole('button', { name: /^State/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.mapped-table tbody tr').length === 100);
    assert.deepEqual((await tableIndexes()).slice(0, 4), [...FAILING, 0]);
    await screenshot(page, 'mapped-instances');
    assert.deepEqual(pageErrors, []);
  });

  test("an instance's page shows its facts, error and log, addressed by its map index, with a way back to the list", async () => {
    await open(listPath() + '?state=failed');
    await page.locator('tr[data-map-index="57"] a').click();
    await page.waitForURL((url) => url.pathname === `${listPath()}/57`);
    assert.equal(await page.locator('.page-head h1').innerText(), 'parts [57]');
    assert.equal(await page.locator('.page-head .badge').innerText(), 'failed');
    await page.locator('section[aria-label="Error"]').getByText('item 57 is broken').waitFor();
    const log = page.locator('section[aria-label="Log of try 1"]');
    await log.getByText('processing item').first().waitFor();
    assert.match(await log.innerText(), /item\W+57/);
    assert.doesNotMatch(await log.innerText(), /item\W+56\b/, "this instance's log, not another's");
    await screenshot(page, 'mapped-instance');

    // The breadcrumb names the instance and links back to the task's list.
    assert.match(await page.locator('nav.crumbs').innerText(), /parts\s*\/\s*\[57\]/);
    await page.locator('nav.crumbs a', { hasText: 'parts' }).click();
    await page.waitForURL((url) => url.pathname === listPath());
    await page.locator('table.mapped-table').waitFor();
    assert.deepEqual(pageErrors, []);
  });

  test("an unmapped task's page is its instance, as before; the run lists each instance; the graph draws the mapped task as a stack with its counts", async () => {
    await open(`/dags/mapped_ui/runs/${encodeURIComponent(runId)}/tasks/items`);
    assert.equal(await page.locator('.page-head h1').innerText(), 'items');
    await page.locator('section[aria-label="Log of try 1"]').waitFor();
    assert.equal(await page.locator('table.mapped-table').count(), 0);

    // The run's page lists each instance, named and linked by its map index.
    await open(`/dags/mapped_ui/runs/${encodeURIComponent(runId)}`);
    const row = page.locator('tr[data-task-id="parts"][data-map-index="57"]');
    await row.waitFor();
    assert.equal(await row.locator('a.mono').innerText(), 'parts [57]');
    assert.equal(await row.locator('a.mono').getAttribute('href'), `${listPath()}/57`);
    assert.equal(await page.locator('tr[data-task-id="parts"]').count(), COUNT);

    await open('/dags/mapped_ui/graph');
    // Marked mapped from the DAG's own declaration at once; its counts once the run's instances are read.
    const node = page.locator('svg.graph g.mapped-node');
    await node.waitFor();
    assert.match((await node.textContent()) ?? '', /parts \[ \]|parts \[120\]/);
    await page.locator(`svg.graph g.mapped-node[data-mapped-count="${COUNT}"]`).waitFor();
    assert.equal(await node.getAttribute('data-task-id'), 'parts');
    assert.equal(await node.getAttribute('data-state'), 'failed');
    assert.equal(await node.getAttribute('data-mapped-count'), String(COUNT));
    assert.match((await node.textContent()) ?? '', /parts \[120\]/);
    assert.match((await node.getAttribute('aria-label')) ?? '', /3 failed, 117 success/);
    await node.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === listPath());
    assert.deepEqual(pageErrors, []);
  });
});
