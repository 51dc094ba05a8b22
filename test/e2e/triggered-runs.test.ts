/**
 * Runs that trigger runs, in real headless Chromium against a real webserver, scheduler and
 * worker: the triggering run's page lists the run its task triggered, linking to it; that run's
 * page says which DAG, run and task triggered it, linking back to each, and that task instance's
 * page links to the run again. A run that triggered nothing has no such section.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { runsTriggeredBy } from '../../src/store/runs.ts';
import { browserUnavailable, screenshot } from '../support/browser.ts';
import { uiSuite } from '../support/ui-suite.ts';

const KICKER = `
import { dag } from 'sluice';
import { triggerDag } from 'sluice/operators';
const d = dag('ui_kicker', { schedule: null });
d.task('kick', triggerDag('ui_target', { conf: { n: 3 } }));
export default d;
`;

const TARGET = `
import { dag } from 'sluice';
const d = dag('ui_target', { schedule: null });
d.task('work', async (ctx) => ctx.params.n);
export default d;
`;

const skip = browserUnavailable();

describe('runs that trigger runs, on their pages', { skip, timeout: 120_000 }, () => {
  const ui = uiSuite({ 'kicker.ts': KICKER, 'target.ts': TARGET }, ['ui_kicker', 'ui_target']);
  const { h } = ui;

  test('each side links to the other', async () => {
    const kicker = await triggerDagRun(h.db, 'ui_kicker', {});
    await h.waitForRunEnd('ui_kicker', kicker.runId);
    const [target] = await runsTriggeredBy(h.db, 'ui_kicker', kicker.runId);
    assert.ok(target, 'the kick task triggered a run');
    await h.waitForRunEnd('ui_target', target.runId);

    await ui.page.goto(`${ui.server.url}/dags/ui_kicker/runs/${encodeURIComponent(kicker.runId)}`);
    const section = ui.page.locator('section[aria-label="Triggered runs"]');
    const row = section.locator(`tbody tr[data-dag-id="ui_target"][data-run-id="${target.runId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await ui.page.locator(`tbody tr[data-dag-id="ui_target"][data-state="success"]`).waitFor({ timeout: 15_000 });
    assert.equal(await row.locator('td').nth(2).innerText(), 'kick');
    await screenshot(ui.page, 'run-triggered-runs');

    await row.getByRole('link', { name: `ui_target / ${target.runId}` }).click();
    await ui.page.waitForURL(`**/dags/ui_target/runs/${encodeURIComponent(target.runId)}`);
    const fact = ui.page.locator('.facts div', { hasText: 'Triggered by' });
    await fact.waitFor();
    assert.equal((await fact.locator('dd').innerText()).replace(/\s+/g, ' ').trim(), `ui_kicker / ${kicker.runId} / kick`);
    // The task's link leads to the task instance that triggered this run.
    await fact.getByRole('link', { name: 'kick', exact: true }).click();
    await ui.page.waitForURL(`**/dags/ui_kicker/runs/${encodeURIComponent(kicker.runId)}/tasks/kick`);
    // And that task instance's page links to the run it triggered.
    const triggered = ui.page.locator('.facts div', { hasText: 'Triggered' }).filter({ hasNotText: 'Trigger rule' });
    await triggered.waitFor();
    await triggered.getByRole('link', { name: `ui_target / ${target.runId}` }).click();
    await ui.page.waitForURL(`**/dags/ui_target/runs/${encodeURIComponent(target.runId)}`);
    assert.deepEqual(ui.pageErrors, []);
  });

  test('a run that triggered nothing has no triggered runs section, nor a triggered-by fact', async () => {
    const plain = await triggerDagRun(h.db, 'ui_target', { conf: { n: 1 } });
    await h.waitForRunEnd('ui_target', plain.runId);
    await ui.page.goto(`${ui.server.url}/dags/ui_target/runs/${encodeURIComponent(plain.runId)}`);
    await ui.page.locator('tr[data-task-id="work"][data-state="success"]').waitFor();
    await ui.page.waitForTimeout(500);
    assert.equal(await ui.page.locator('section[aria-label="Triggered runs"]').count(), 0);
    assert.equal(await ui.page.locator('.facts div', { hasText: 'Triggered by' }).count(), 0);
    await ui.page.goto(`${ui.server.url}/dags/ui_target/runs/${encodeURIComponent(plain.runId)}/tasks/work`);
    await ui.page.locator('.facts div', { hasText: 'Trigger rule' }).waitFor();
    await ui.page.waitForTimeout(500);
    assert.equal(await ui.page.locator('.facts dt', { hasText: /^Triggered$/ }).count(), 0);
    assert.deepEqual(ui.pageErrors, []);
  });
});
