/**
 * The run's Gantt chart and the DAG's task-duration chart, in real headless Chromium against a
 * real webserver, scheduler and worker: a bar (and a dot) per try in its state, a retried task's
 * failed try beside its successful one, a mapped task summed up and unfolded into its instances,
 * the tabs' hotkeys, arrow keys between marks with their tip, marks that open the try, and a
 * running try's bar that grows until the try ends.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { browserUnavailable, screenshot } from '../support/browser.ts';
import { uiSuite } from '../support/ui-suite.ts';

const DAG = `
import { dag } from 'sluice';
const d = dag('ui_charts', { schedule: null });
const extract = d.task('extract', async () => ['a', 'b', 'c']);
extract.then(d.task('flaky', { retries: 1, retryDelay: 0 }, async (ctx) => {
  if (ctx.tryNumber === 1) throw new Error('the first try always fails');
}));
d.task('parts', { expand: extract }, async (ctx) => ctx.mapItem);
export default d;
`;

/** A try that runs until it is marked by hand (its signal is then aborted). */
const LIVE_DAG = `
import { dag } from 'sluice';
const d = dag('ui_charts_live', { schedule: null });
d.task('wait', async (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)));
export default d;
`;

const skip = browserUnavailable();

describe('the Gantt and task-duration charts', { skip }, () => {
  const ui = uiSuite({ 'charts.ts': DAG, 'live.ts': LIVE_DAG }, ['ui_charts', 'ui_charts_live']);
  const runIds: string[] = [];
  const open = (path: string) => ui.page.goto(ui.server.url + path);

  before(async () => {
    for (const day of [1, 2]) {
      const run = await triggerDagRun(ui.h.db, 'ui_charts', { logicalDate: new Date(Date.UTC(2026, 0, day)) });
      assert.equal((await ui.h.waitForRunEnd('ui_charts', run.runId, 60_000)).state, 'success');
      runIds.push(run.runId);
    }
  });

  test('the Gantt tab draws a bar per try in its state, a mapped task summed up until unfolded, and opens a try from the keyboard', async () => {
    const { page } = ui;
    await open(`/dags/ui_charts/runs/${encodeURIComponent(runIds[1]!)}`);
    await page.locator('tr[data-task-id="flaky"]').waitFor();
    await page.keyboard.press('2');
    await page.waitForURL(/\/runs\/[^/]+\/gantt$/);
    const bars = page.locator('a.gantt-try');
    await bars.first().waitFor();
    // extract, flaky (two tries), parts summed up: 4 bars, one per try.
    const shown = () => bars.evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label')}`).sort());
    assert.deepEqual(await shown(), [
      'extract, try 1, success',
      'flaky, try 1, failed',
      'flaky, try 2, success',
      'parts, try 1, success',
    ]);
    const failed = page.locator('a.gantt-try[data-state="failed"] rect.gantt-bar');
    assert.match((await failed.getAttribute('style')) ?? '', /--st-failed/, 'the state palette colours the bar');
    await page.getByRole('button', { name: "Unfold parts's 3 mapped instances" }).click();
    await page.locator('.task-names .task-name', { hasText: '[2]' }).waitFor();
    assert.equal(await bars.count(), 7, 'a bar per instance under the summary');
    await screenshot(page, 'run-gantt');

    // The keyboard: into the chart, down to flaky, right to its second try; the tip follows.
    await page.locator('a.gantt-try[tabindex="0"]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    assert.equal(focused, 'flaky, try 2, success');
    const tip = page.locator('.chart-tip');
    assert.match(await tip.innerText(), /flaky[\s\S]*try 2 · success[\s\S]*started[\s\S]*took/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tasks\/flaky\?try=2$/);

    // Back, the mapped task is still unfolded; a click on an instance's bar opens that instance's try.
    await page.goBack();
    await page.locator('.task-names .task-name', { hasText: '[1]' }).waitFor();
    await page.locator('a.gantt-try[aria-label="parts [1], try 1, success"]').click();
    await page.waitForURL(/\/tasks\/parts\/1\?try=1$/);
    assert.deepEqual(ui.pageErrors, []);
  });

  test('the task-duration tab draws a dot per try of each run, a line per task that the legend hides, and opens a try', async () => {
    const { page } = ui;
    await open('/dags/ui_charts');
    await page.locator('.grid a.cell').first().waitFor();
    await page.keyboard.press('7');
    await page.waitForURL(/\/dags\/ui_charts\/durations$/);
    const dots = (task: string) => page.locator(`g.duration-series[data-task-id="${task}"] a.duration-dot`);
    await dots('flaky').first().waitFor();
    assert.equal(await dots('extract').count(), 2, 'one per run');
    assert.deepEqual(
      await dots('flaky').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-run-id')} ${e.getAttribute('data-try')} ${e.getAttribute('data-state')}`)),
      runIds.flatMap((id) => [`${id} 1 failed`, `${id} 2 success`]),
    );
    assert.equal(await dots('parts').count(), 2, 'a mapped task: one per run');
    assert.equal((await page.locator('g.duration-series[data-task-id="flaky"] polyline').getAttribute('points'))?.split(' ').length, 2, 'its line joins the latest tries');
    await screenshot(page, 'dag-durations');

    await page.locator('button.legend-task[data-task-id="parts"]').click();
    assert.equal(await page.locator('button.legend-task[data-task-id="parts"]').getAttribute('aria-pressed'), 'false');
    assert.equal(await dots('parts').count(), 0);

    // The keyboard: the first dot (extract's in the oldest run), down to flaky's nearest, Enter.
    await page.locator('a.duration-dot[tabindex="0"]').focus();
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    assert.match(focused ?? '', new RegExp(`^flaky, ${runIds[0]!.replace(/[.+]/g, '\\$&')}, try 1, failed, `));
    assert.match(await page.locator('.chart-tip').innerText(), /flaky[\s\S]*try 1 · failed[\s\S]*took/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tasks\/flaky\?try=1$/);

    // A click on a dot (the others hidden: their dots of a few milliseconds lie on top of it).
    await page.goBack();
    await page.locator('button.legend-task[data-task-id="flaky"]').click();
    await page.locator('button.legend-task[data-task-id="parts"]').click();
    assert.equal(await dots('flaky').count(), 0);
    await dots('extract').last().click();
    await page.waitForURL(new RegExp(`/runs/${encodeURIComponent(runIds[1]!).replace(/[.+]/g, '\\$&')}/tasks/extract\\?try=1$`));
    assert.deepEqual(ui.pageErrors, []);
  });

  test("a running try's bar grows by itself, and stops growing once the try ends", async () => {
    const { page } = ui;
    const run = await triggerDagRun(ui.h.db, 'ui_charts_live', {});
    await open(`/dags/ui_charts_live/runs/${encodeURIComponent(run.runId)}/gantt`);
    const live = page.locator('a.gantt-try[data-state="running"] rect.gantt-bar.live');
    await live.waitFor({ timeout: 30_000 });
    const width = Number(await live.getAttribute('width'));
    await page.waitForFunction((w) => Number(document.querySelector('rect.gantt-bar.live')?.getAttribute('width')) > w, width);
    const marked = await fetch(`${ui.server.url}/api/v1/dags/ui_charts_live/dagRuns/${encodeURIComponent(run.runId)}/taskInstances/wait`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'success' }),
    });
    assert.equal(marked.status, 200, await marked.text());
    // Marked by hand, the try ends as success (history keeps the try's end), its bar no longer live.
    await page.locator('a.gantt-try[data-try="1"] rect.gantt-bar:not(.live)').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('rect.gantt-bar.live').count(), 0);
    assert.deepEqual(ui.pageErrors, []);
  });
});
