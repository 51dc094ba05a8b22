/**
 * The Assets page and the DAG list, in real headless Chromium against a real webserver, scheduler
 * and worker: each asset with its producers, consumers and latest event (linking to the run that
 * recorded it); choosing an asset, by keyboard, lists its events; an event from outside shows as
 * such; the DAG list says "on assets: …" for a DAG scheduled on assets.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { insertAssetEvent } from '../../src/store/assets.ts';
import { listRuns } from '../../src/store/runs.ts';
import { browserUnavailable, screenshot } from '../support/browser.ts';
import { uiSuite } from '../support/ui-suite.ts';

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
  const ui = uiSuite({ 'assets.ts': DAGS, 'consumer.ts': CONSUMER }, ['ui_load_orders', 'ui_orders_report']);
  const { h } = ui;

  test('the DAG list says a DAG runs on assets, each a link to the asset', async () => {
    await ui.page.goto(`${ui.server.url}/`);
    const row = ui.page.locator('tr[data-dag-id="ui_orders_report"]');
    await row.waitFor();
    assert.match(await row.locator('.asset-schedule').innerText(), /^on assets: warehouse:\/\/public\/orders, s3:\/\/landing\/orders$/);
    assert.equal(await row.locator('.asset-schedule a').first().getAttribute('href'), '/assets?uri=warehouse%3A%2F%2Fpublic%2Forders');
  });

  test('lists assets with producers, consumers and latest event; choosing one by keyboard shows its events', async () => {
    const run = await triggerDagRun(h.db, 'ui_load_orders', {});
    await h.waitForRunEnd('ui_load_orders', run.runId);
    await insertAssetEvent(h.db, 's3://landing/orders', { files: 3 });
    await h.waitFor('the consumer run', async () => (await listRuns(h.db, 'ui_orders_report')).runs.length > 0);

    await ui.page.goto(`${ui.server.url}/`);
    await ui.page.locator('tr[data-dag-id]').first().waitFor();
    // The nav entry, and its shortcut g a.
    await ui.page.keyboard.press('g');
    await ui.page.keyboard.press('a');
    await ui.page.waitForURL(`${ui.server.url}/assets`);
    const orders = ui.page.locator('tr[data-asset-uri="warehouse://public/orders"]');
    await orders.locator('a[href*="/runs/"]').first().waitFor();
    const cells = orders.locator('td');
    assert.equal(await cells.nth(1).innerText(), 'ui_load_orders');
    assert.equal(await cells.nth(2).innerText(), 'ui_orders_report');
    assert.equal(
      await orders.locator('a[href*="/runs/"]').first().getAttribute('href'),
      `/dags/ui_load_orders/runs/${encodeURIComponent(run.runId)}`,
      'the latest event links to the run that recorded it',
    );
    const files = ui.page.locator('tr[data-asset-uri="s3://landing/orders"]');
    assert.equal(await files.locator('td').nth(1).innerText(), 'outside Sluice only');
    assert.match(await files.locator('td').nth(3).innerText(), /from outside Sluice/);
    assert.equal(await ui.page.locator('header nav a[aria-current="page"]').innerText(), 'Assets');

    // Keyboard only: Tab to the asset's link, Enter.
    const link = files.locator('td').first().locator('a');
    for (let i = 0; i < 40 && !(await link.evaluate((el) => el === document.activeElement)); i++) await ui.page.keyboard.press('Tab');
    assert.ok(await link.evaluate((el) => el === document.activeElement), 'the asset link is reachable by Tab');
    await ui.page.keyboard.press('Enter');
    await ui.page.waitForURL(`${ui.server.url}/assets?uri=${encodeURIComponent('s3://landing/orders')}`);
    const events = ui.page.locator('section[aria-label="Events of s3://landing/orders"]');
    await events.locator('tbody tr[data-event-id]').first().waitFor();
    assert.equal(await events.locator('tbody tr[data-event-id]').count(), 1);
    assert.match(await events.locator('tbody tr').first().innerText(), /from outside Sluice\s+\{"files":3\}/);
    assert.equal(await files.getAttribute('aria-current'), 'true');
    await screenshot(ui.page, 'assets');
    assert.deepEqual(ui.pageErrors, []);
  });

  test("an asset-triggered run's page lists the events it consumed; the DAG's page says what it runs on", async () => {
    const [run] = (await listRuns(h.db, 'ui_orders_report')).runs;
    await ui.page.goto(`${ui.server.url}/dags/ui_orders_report/runs/${encodeURIComponent(run!.runId)}`);
    const section = ui.page.locator('section[aria-label="Triggering asset events"]');
    await section.locator('tbody tr').first().waitFor();
    const rows = await section.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /^warehouse:\/\/public\/orders\s.*ui_load_orders \/ manual__.*\sload/);
    assert.match(rows[1]!, /^s3:\/\/landing\/orders\s.*from outside Sluice\s+\{"files":3\}/);
    await screenshot(ui.page, 'run-asset-events');

    const manual = await triggerDagRun(h.db, 'ui_load_orders', {});
    await ui.page.goto(`${ui.server.url}/dags/ui_load_orders/runs/${encodeURIComponent(manual.runId)}`);
    await ui.page.locator('h2', { hasText: 'Task instances' }).waitFor();
    assert.equal(await section.count(), 0, 'a run that was not asset-triggered has no such section');

    await ui.page.goto(`${ui.server.url}/dags/ui_orders_report`);
    await ui.page.locator('.asset-schedule').waitFor();
    assert.match(await ui.page.locator('.asset-schedule').innerText(), /on assets: warehouse:\/\/public\/orders, s3:\/\/landing\/orders/);
    assert.deepEqual(ui.pageErrors, []);
  });
});
