/**
 * Marking a run from its page, in real headless Chromium against a real webserver, scheduler and
 * worker: "Mark run failed…" says what will happen, and once confirmed the run is failed, its
 * running task failed and the task after it skipped, without a reload.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { browserUnavailable, screenshot } from '../support/browser.ts';
import { uiSuite } from '../support/ui-suite.ts';

const DAG = `
import { dag } from 'sluice';
const d = dag('ui_mark_run');
d.task('slow', async (ctx) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, 60_000);
  ctx.signal.addEventListener('abort', () => { clearTimeout(timer); reject(new Error('stopped')); });
})).then(d.task('next', async () => 1));
export default d;
`;

const skip = browserUnavailable();

describe('marking a run on its page', { skip }, () => {
  const ui = uiSuite({ 'mark_run.ts': DAG }, ['ui_mark_run']);
  const { h } = ui;

  test('"Mark run failed…" fails the running task, skips the next one and the run shows failed', async () => {
    const run = await triggerDagRun(h.db, 'ui_mark_run', {});
    await h.waitFor('slow to run', async () => ((await h.taskStates('ui_mark_run', run.runId)).slow === 'running' ? true : undefined));
    await ui.page.goto(`${ui.server.url}/dags/ui_mark_run/runs/${encodeURIComponent(run.runId)}`);
    await ui.page.getByRole('button', { name: 'Mark run failed…' }).click();
    const dialog = ui.page.getByRole('dialog');
    assert.match(await dialog.innerText(), /Tries still running are stopped and set to failed/);
    await dialog.getByRole('button', { name: 'Mark run failed' }).click();
    await ui.page.locator('.page-head .badge.st-failed').waitFor({ timeout: 10_000 });
    await ui.page.locator('tr[data-task-id="next"][data-state="skipped"]').waitFor({ timeout: 10_000 });
    await ui.page.locator('tr[data-task-id="slow"][data-state="failed"]').waitFor({ timeout: 10_000 });
    assert.equal(await ui.page.getByRole('button', { name: 'Mark run failed…' }).isDisabled(), true);
    await screenshot(ui.page, 'run-marked-failed');
    assert.deepEqual(ui.pageErrors, []);
  });
});
