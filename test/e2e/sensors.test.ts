/**
 * A sensor in the UI, in real headless Chromium against a real webserver, scheduler and worker:
 * while it waits between checks its graph node says "sensor · up for reschedule" in the state's
 * colour, the legend has the state, and its task page says how it senses and when it looks
 * next; once its check passes, it is a success like any task.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { browserUnavailable, screenshot } from '../support/browser.ts';
import { uiSuite } from '../support/ui-suite.ts';

const skip = browserUnavailable();

describe('a sensor in the UI', { skip }, () => {
  const ui = uiSuite(
    (h) => ({
      'sensing.ts': `import { existsSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('ui_sensor');
d.sensor('wait_for_file', { pokeInterval: '2s', timeout: '1h' }, async () => existsSync(${JSON.stringify(path.join(h.dagsFolder, 'ready.flag'))}) && 'there')
  .then(d.task('after', async () => 1));
export default d;
`,
    }),
    ['ui_sensor'],
  );
  const { h } = ui;

  test('waiting: the graph node, the legend and the task page say so; then it succeeds', async () => {
    const run = await triggerDagRun(h.db, 'ui_sensor', {});
    const runId = encodeURIComponent(run.runId);
    await ui.page.goto(`${ui.server.url}/dags/ui_sensor/graph?run=${runId}`);
    const node = ui.page.locator('g.node[data-task-id="wait_for_file"]');
    await ui.page.locator('g.node[data-task-id="wait_for_file"][data-state="up_for_reschedule"]').waitFor({ timeout: 30_000 });
    assert.match(await node.locator('.node-sub').textContent() ?? '', /^sensor · up for reschedule/);
    const fill = await node.locator('.node-state').evaluate((el) => getComputedStyle(el).fill);
    assert.equal(fill, 'rgb(46, 196, 182)', "the state's turquoise");
    assert.ok(await ui.page.getByText('up for reschedule').first().isVisible(), 'the legend names the state');
    await screenshot(ui.page, 'sensor-graph');

    await ui.page.goto(`${ui.server.url}/dags/ui_sensor/runs/${runId}/tasks/wait_for_file`);
    const facts = ui.page.locator('.facts');
    await facts.getByText('Next check').waitFor({ timeout: 10_000 });
    // The sensor's settings come with the DAG's details, a request of their own: waited for, not raced.
    await facts.getByText(/reschedule · every 2s · timeout 1h/).waitFor({ timeout: 10_000 });
    await screenshot(ui.page, 'sensor-task');

    await h.writeDag('ready.flag', '');
    await ui.page.locator('.badge.st-success').first().waitFor({ timeout: 30_000 });
    assert.equal((await h.waitForRunEnd('ui_sensor', run.runId, 30_000)).state, 'success');
    assert.deepEqual(ui.pageErrors, []);
  });
});
