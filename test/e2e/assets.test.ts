/**
 * The Assets page and the DAG list, in real headless Chromium against a real webserver, scheduler
 * and worker: each asset with its producers, consumers and latest event (linking to the run that
 * recorded it); choosing an asset, by keyboard, lists its events; an event from outside shows as
 * such; the DAG list says "on assets: …" for a DAG scheduled on assets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Webserver } from '../../src/api/server.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { insertAssetEvent } from '../../src/store/assets.ts';
import { listRuns } from '../../src/store/runs.ts';
import { browserUnavailable, collectPageErrors, launchBrowser, screenshot } from '../support/browser.ts';
import { Harness } from '../support/harness.ts';

const DAGS = `
import { asset, dag } from 'sluice';
const orders = asset('warehouse://public/orders');
const files = asset('s3://landing/orders');
const producer = dag('ui_load_orders');
producer.task('load', { outlets: [orders] }, async () => 1);
export default producer;
export const consumer = dag('ui_orders_report', { schedule: [orders, files] });
consumer.task('report', async () => 1);
`;

const CONSUMER = `
import { consumer } from './assets.ts';
export default consumer;
`;

const skip = browserUnavailable();

describe('assets in the UI', { skip }, () => {
  const h = new Harness({ dags: { 'assets.ts': DAGS, 'consumer.ts': CONSUMER } });
  let server: Webserver;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('ui_load_orders');
    await h.waitForDag('ui_orders_report');
    server = await h.startWebserver();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    pageErrors = collectPageErrors(page);
  });

  after(async () => {
    await browser?.close();
    await h.tearDown();
  });

  test('the DAG list says a DAG runs on assets, each a link to the asset', async () => {
    await page.goto(`${server.url}/`);
    const row = page.locator('tr[data-dag-id="ui_orders_report"]');
    await row.waitFor();
    assert.match(await row.locator('.asset-schedule').innerText(), /^on assets: warehouse:\/\/public\/orders, s3:\/\/landing\/orders$/);
    assert.equal(await row.locator('.asset-schedule a').first().getAttribute('href'), '/assets?uri=warehouse%3A%2F%2Fpublic%2Forders');
  });

  test('lists assets with producers, consumers and latest event; choosing one by keyboard shows its events', async () => {
    const run = await triggerDagRun(h.db, 'ui_load_orders', {});
    await h.waitForRunEnd('ui_load_orders', run.runId);
    await insertAssetEvent(h.db, 's3://landing/orders', { files: 3 });
    await h.waitFor('the consumer run', async () => (await listRuns(h.db, 'ui_orders_report')).runs.length > 0);

    await page.goto(`${server.url}/`);
    await page.locator('tr[data-dag-id]').first().waitFor();
    // The nav entry, and its shortcut g a.
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await page.waitForURL(`${server.url}/assets`);
    const orders = page.locator('tr[data-asset-uri="warehouse://public/orders"]');
    await orders.locator('a[href*="/runs/"]').first().waitFor();
    const cells = orders.locator('td');
    assert.equal(await cells.nth(1).innerText(), 'ui_load_orders');
    assert.equal(await cells.nth(2).innerText(), 'ui_orders_report');
    assert.equal(
      await orders.locator('a[href*="/runs/"]').first().getAttribute('href'),
      `/dags/ui_load_orders/runs/${encodeURIComponent(run.runId)}`,
      'the latest event links to the run that recorded it',
    );
    const files = page.locator('tr[data-asset-uri="s3://landing/orders"]');
    assert.equal(await files.locator('td').nth(1).innerText(), 'outside Sluice only');
    assert.match(await files.locator('td').nth(3).innerText(), /from outside Sluice/);
    assert.equal(await page.locator('header nav a[aria-current="page"]').innerText(), 'Assets');

    // Keyboard only: Tab to the asset's link, Enter.
    const link = files.locator('td').first().locator('a');
    for (let i = 0; i < 40 && !(await link.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    assert.ok(await link.evaluate((el) => el === document.activeElement), 'the asset link is reachable by Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/assets?uri=${encodeURIComponent('s3://landing/orders')}`);
    const events = page.locator('section[aria-label="Events of s3://landing/orders"]');
    await events.locator('tbody tr[data-event-id]').first().waitFor();
    assert.equal(await events.locator('tbody tr[data-event-id]').count(), 1);
    assert.match(await events.locator('tbody tr').first().innerText(), /from outside Sluice\s+\{"files":3\}/);
    assert.equal(await files.getAttribute('aria-current'), 'true');
    await screenshot(page, 'assets');
    assert.deepEqual(pageErrors, []);
  });

  test("an asset-triggered run's page lists the events it consumed; the DAG's page says what it runs on", async () => {
    const [run] = (await listRuns(h.db, 'ui_orders_report')).runs;
    await page.goto(`${server.url}/dags/ui_orders_report/runs/${encodeURIComponent(run!.runId)}`);
    const section = page.locator('section[aria-label="Triggering asset events"]');
    await section.locator('tbody tr').first().waitFor();
    const rows = await section.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /^warehouse:\/\/public\/orders\s.*ui_load_orders \/ manual__.*\sload/);
    assert.match(rows[1]!, /^s3:\/\/landing\/orders\s.*from outside Sluice\s+\{"files":3\}/);
    await screenshot(page, 'run-asset-events');

    const manual = await triggerDagRun(h.db, 'ui_load_orders', {});
    await page.goto(`${server.url}/dags/ui_load_orders/runs/${encodeURIComponent(manual.runId)}`);
    await page.locator('h2', { hasText: 'Task instances' }).waitFor();
    assert.equal(await section.count(), 0, 'a run that was not asset-triggered has no such section');

    await page.goto(`${server.url}/dags/ui_orders_report`);
    await page.locator('.asset-schedule').waitFor();
    assert.match(await page.locator('.asset-schedule').innerText(), /on assets: warehouse:\/\/public\/orders, s3:\/\/landing\/orders/);
    assert.deepEqual(pageErrors, []);
  });
});
