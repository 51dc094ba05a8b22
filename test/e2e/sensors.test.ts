/**
 * A sensor in the UI, in real headless Chromium against a real webserver, scheduler and worker:
 * while it waits between checks its graph node says "sensor · up for reschedule" in the state's
 * colour, the legend has the state, and its task page says how it senses and when it looks
 * next; once its check passes, it is a success like any task.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Webserver } from '../../src/api/server.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { browserUnavailable, collectPageErrors, launchBrowser, screenshot } from '../support/browser.ts';
import { Harness } from '../support/harness.ts';

const skip = browserUnavailable();

describe('a sensor in the UI', { skip }, () => {
  const h = new Harness();
  const flag = path.join(h.dagsFolder, 'ready.flag');
  let server: Webserver;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    await h.setUp();
    await h.writeDag(
      'sensing.ts',
      `import { existsSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('ui_sensor');
d.sensor('wait_for_file', { pokeInterval: '2s', timeout: '1h' }, async () => existsSync(${JSON.stringify(flag)}) && 'there')
  .then(d.task('after', async () => 1));
export default d;
`,
    );
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('ui_sensor');
    server = await h.startWebserver();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    pageErrors = collectPageErrors(page);
  });

  after(async () => {
    await browser?.close();
    await h.tearDown();
  });

  test('waiting: the graph node, the legend and the task page say so; then it succeeds', async () => {
    const run = await triggerDagRun(h.db, 'ui_sensor', {});
    const runId = encodeURIComponent(run.runId);
    await page.goto(`${server.url}/dags/ui_sensor/graph?run=${runId}`);
    const node = page.locator('g.node[data-task-id="wait_for_file"]');
    await page.locator('g.node[data-task-id="wait_for_file"][data-state="up_for_reschedule"]').waitFor({ timeout: 30_000 });
    assert.match(await node.locator('.node-sub').textContent() ?? '', /^sensor · up for reschedule/);
    const fill = await node.locator('.node-state').evaluate((el) => getComputedStyle(el).fill);
    assert.equal(fill, 'rgb(46, 196, 182)', "the state's turquoise");
    assert.ok(await page.getByText('up for reschedule').first().isVisible(), 'the legend names the state');
    await screenshot(page, 'sensor-graph');

    await page.goto(`${server.url}/dags/ui_sensor/runs/${runId}/tasks/wait_for_file`);
    const facts = page.locator('.facts');
    await facts.getByText('Next check').waitFor({ timeout: 10_000 });
    assert.match(await facts.innerText(), /reschedule · every 2s · timeout 1h/);
    await screenshot(page, 'sensor-task');

    await h.writeDag('ready.flag', '');
    await page.locator('.badge.st-success').first().waitFor({ timeout: 30_000 });
    assert.equal((await h.waitForRunEnd('ui_sensor', run.runId, 30_000)).state, 'success');
    assert.deepEqual(pageErrors, []);
  });
});
