/**
 * The run page's callbacks, in real headless Chromium against a real webserver, scheduler and
 * worker: each callback of the run listed with its event, task, state (in the task colours),
 * tries and error, updating by itself while they run, and a callback's log shown on demand. A
 * run without callbacks shows no such section.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { browserUnavailable, screenshot } from '../support/browser.ts';
import { uiSuite } from '../support/ui-suite.ts';

const CALLBACKS_DAG = `
import { dag } from 'sluice';
const note = (c) => c.log.info({ task: c.taskId }, 'noted ' + c.event);
const broken = () => { throw new Error('the pager is down'); };
const d = dag('ui_callbacks', { onSuccess: note });
d.task('extract', { onSuccess: [note, broken] }, async () => 1).then(d.task('load', { onSuccess: note }, async () => 2));
export default d;
`;

const PLAIN_DAG = `
import { dag } from 'sluice';
const d = dag('ui_plain');
d.task('only', async () => 1);
export default d;
`;

const skip = browserUnavailable();

describe('the callbacks of a run, on its page', { skip }, () => {
  const ui = uiSuite({ 'callbacks.ts': CALLBACKS_DAG, 'plain.ts': PLAIN_DAG }, ['ui_callbacks', 'ui_plain']);
  const { h } = ui;

  test('lists each callback as it runs, with its state, tries and error, and shows its log', async () => {
    const run = await triggerDagRun(h.db, 'ui_callbacks', {});
    await ui.page.goto(`${ui.server.url}/dags/ui_callbacks/runs/${encodeURIComponent(run.runId)}`);
    const section = ui.page.locator('section[aria-label="Callbacks"]');
    const row = (event: string, task: string, state = '') =>
      section.locator(`tbody tr[data-callback-id]${state ? `[data-state="${state}"]` : ''}`, { hasText: event }).filter({ hasText: task });
    // The broken one fails its three tries (1 s, then 2 s apart); the page follows without a reload.
    await row('task_success', 'extract', 'failed').waitFor({ timeout: 30_000 });
    await row('dag_success', '—', 'success').waitFor({ timeout: 30_000 });
    const extract = row('task_success', 'extract');
    assert.match(await extract.locator('td').nth(3).innerText(), /^3\s*\/\s*3$/);
    assert.match(await extract.locator('.error-line').innerText(), /broken failed: the pager is down/);
    assert.equal(await extract.locator('.badge').getAttribute('class'), 'badge st-failed');
    assert.equal(await row('task_success', 'load').getAttribute('data-state'), 'success');
    assert.equal(await section.locator('tbody tr[data-callback-id]').count(), 3);

    await extract.getByRole('button', { name: 'Show' }).click();
    const log = section.locator('pre.log-lines');
    await log.waitFor();
    const text = await log.innerText();
    assert.match(text, /callback try 1 of 3/);
    assert.match(text, /noted task_success/);
    assert.match(text, /broken failed: the pager is down/);
    await screenshot(ui.page, 'run-callbacks');
    await extract.getByRole('button', { name: 'Hide' }).click();
    assert.equal(await log.count(), 0);
    assert.deepEqual(ui.pageErrors, []);
  });

  test('a run without callbacks has no callbacks section', async () => {
    const run = await triggerDagRun(h.db, 'ui_plain', {});
    await h.waitForRunEnd('ui_plain', run.runId);
    await ui.page.goto(`${ui.server.url}/dags/ui_plain/runs/${encodeURIComponent(run.runId)}`);
    await ui.page.locator('tr[data-task-id="only"][data-state="success"]').waitFor();
    // Its list was read (an empty answer): nothing is drawn for it.
    await ui.page.waitForTimeout(500);
    assert.equal(await ui.page.locator('section[aria-label="Callbacks"]').count(), 0);
    assert.deepEqual(ui.pageErrors, []);
  });
});
