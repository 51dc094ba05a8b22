/**
 * The web UI in real headless Chromium against a real webserver, scheduler and worker (real
 * PostgreSQL and Redis), with the repo's example DAGs and one broken file. Each test does what a
 * user would: click, type, confirm, and wait for the page to show the outcome.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startWebserver, type Webserver } from '../../src/api/server.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { getDag } from '../../src/store/dags.ts';
import { listRuns } from '../../src/store/runs.ts';
import { browserUnavailable, collectPageErrors, launchBrowser, screenshot } from '../support/browser.ts';
import { Harness, REPO_ROOT } from '../support/harness.ts';

const BROKEN_DAG = `import { dag } from 'sluice';
export default dag('broken_dag', { schedul: '@daily' });
`;

async function exampleDags(): Promise<Record<string, string>> {
  const folder = path.join(REPO_ROOT, 'dags');
  const files = (await readdir(folder)).filter((f) => f.endsWith('.ts'));
  const sources = await Promise.all(files.map(async (f) => [f, await readFile(path.join(folder, f), 'utf8')] as const));
  // The ETL DAGs need MongoDB, S3 and a warehouse (and their ./warehouse folder): not the UI's business.
  const examples = sources.filter(([, source]) => !source.includes("'sluice/providers'"));
  return { ...Object.fromEntries(examples), 'broken_dag.ts': BROKEN_DAG };
}

const skip = browserUnavailable();

describe('web UI in a browser', { skip }, () => {
  let h: Harness;
  let server: Webserver;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    h = new Harness({ dags: await exampleDags() });
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    for (const dagId of ['hello_world', 'trigger_rules', 'daily_report', 'regional_sales']) await h.waitForDag(dagId);
    await h.waitFor('the import error of broken_dag.ts', async () => (await h.db.query('SELECT 1 FROM import_errors')).rowCount === 1);
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

  test('the DAG list shows the example DAGs and the import error, with file and message', async () => {
    await open('/');
    for (const dagId of ['hello_world', 'trigger_rules', 'daily_report']) {
      await page.locator(`tr[data-dag-id="${dagId}"]`).waitFor();
    }
    const banner = page.locator('section[aria-label="Import errors"]');
    await banner.waitFor();
    const text = await banner.innerText();
    assert.match(text, /1 import error/);
    assert.match(text, /broken_dag\.ts/);
    assert.match(text, /schedul/);
    assert.match(await page.locator('tr[data-dag-id="daily_report"]').innerText(), /every day at 00:00/);

    await page.fill('input[type="search"]', 'hello');
    await page.locator('tr[data-dag-id="trigger_rules"]').waitFor({ state: 'detached' });
    assert.equal(await page.locator('tr[data-dag-id]').count(), 1);
    assert.match(page.url(), /search=hello/);
    await page.fill('input[type="search"]', '');
    await page.locator('tr[data-dag-id="trigger_rules"]').waitFor();
  });

  test('triggering a run from the UI runs it, and the grid turns green', async () => {
    await open('/');
    await page.click('button[aria-label="Trigger hello_world"]');
    const dialog = page.locator('dialog[aria-label="Trigger hello_world"]');
    await dialog.waitFor();
    assert.match(await dialog.locator('textarea[name="conf"]').inputValue(), /"name": "world"/);
    await dialog.locator('textarea[name="conf"]').fill('{"name": oops}');
    await dialog.getByText(/not valid JSON at line 1, column 10/).waitFor();
    assert.equal(await dialog.locator('button[type="submit"]').isDisabled(), true);
    await dialog.locator('textarea[name="conf"]').fill('{"name": "Ada"}');
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(/Triggered manual__/).waitFor();

    const { runs } = await listRuns(h.db, 'hello_world');
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0]!.conf, { name: 'Ada' });

    await open('/dags/hello_world');
    const cells = page.locator('.grid [data-cell]');
    await cells.first().waitFor();
    const taskCount = await cells.count();
    assert.ok(taskCount >= 3, `the grid shows ${taskCount} cells`);
    await page.waitForFunction(
      (n) => document.querySelectorAll('.grid [data-state="success"]').length === n,
      taskCount,
      { timeout: 20_000 },
    );

    await open('/dags/hello_world/graph');
    await page.waitForFunction(() => {
      const nodes = document.querySelectorAll('svg.graph g.node');
      return nodes.length > 0 && [...nodes].every((n) => n.getAttribute('data-state') === 'success');
    });
  });

  test("a run's page names its DAG version, which opens the Code tab on that version's source", async () => {
    const { runs } = await listRuns(h.db, 'hello_world');
    const run = runs[0]!;
    await open(`/dags/hello_world/runs/${encodeURIComponent(run.runId)}`);
    const version = page.locator('a[title="The code every try of this run runs"]');
    await version.waitFor();
    assert.equal(await version.innerText(), run.versionHash.slice(0, 12));
    await version.click();
    await page.waitForURL(/\/dags\/hello_world\/code\?version=/);
    const source = page.locator('pre.code-view');
    await source.waitFor();
    const expected = await readFile(path.join(REPO_ROOT, 'dags', 'hello_world.ts'), 'utf8');
    const lines = await source.locator('.code-line').count();
    assert.equal(lines, expected.split('\n').length);
    assert.match(await source.innerText(), /dag\('hello_world'/);
    assert.equal(await page.locator('nav.tabs a[aria-current="page"]').innerText(), 'Code');
    assert.match(await page.locator('select[aria-label="Show this version\'s code"]').inputValue(), new RegExp(`^${run.versionHash}$`));
  });

  test('a try waiting on a queue no worker serves is called out, with the command that serves it', async () => {
    await h.writeDag('unserved.ts', `import { dag } from 'sluice';
const d = dag('unserved_queue', {});
d.task('waits', { queue: 'nobody_yet' }, async () => 1);
export default d;
`);
    await h.waitForDag('unserved_queue');
    const run = await triggerDagRun(h.db, 'unserved_queue', {});
    await h.waitFor('the try to be queued', async () => (await h.taskStates('unserved_queue', run.runId)).waits === 'queued');
    const runPath = `/dags/unserved_queue/runs/${encodeURIComponent(run.runId)}`;
    for (const pathname of ['/dags/unserved_queue', '/', runPath, `${runPath}/tasks/waits`]) {
      await open(pathname);
      const banner = page.locator('section[aria-label="Queues no worker serves"]');
      await banner.waitFor();
      assert.match(await banner.innerText(), /1 try waiting on queues no running worker serves[\s\S]*queue nobody_yet of pool default_pool[\s\S]*sluice worker --queues nobody_yet/);
    }
    // Served, it runs, and the warning goes.
    await h.startWorker({ queues: ['nobody_yet'] });
    assert.equal((await h.waitForRunEnd('unserved_queue', run.runId)).state, 'success');
    await page.locator('section[aria-label="Queues no worker serves"]').waitFor({ state: 'detached' });
  });

  test("a failed task's log is readable, and clearing it runs it again", async () => {
    await open('/');
    await page.click('button[aria-label="Trigger trigger_rules"]');
    const dialog = page.locator('dialog[aria-label="Trigger trigger_rules"]');
    await dialog.locator('textarea[name="conf"]').fill('{"failLoad": true}');
    await dialog.locator('button[type="submit"]').click();
    await page.getByRole('link', { name: 'Open run' }).click();

    const loadRow = page.locator('tr[data-task-id="load"]');
    await page.locator('tr[data-task-id="load"][data-state="failed"]').waitFor({ timeout: 20_000 });
    await page.locator('tr[data-task-id="cleanup"][data-state="success"]').waitFor({ timeout: 20_000 });
    assert.match(await loadRow.innerText(), /failLoad was set in the run conf/);

    await loadRow.getByRole('link', { name: 'load' }).click();
    const log = page.locator('[data-testid="log"]');
    await log.waitFor();
    assert.match(await log.innerText(), /ERROR task failed: failLoad was set in the run conf/);
    assert.match(await page.locator('section[aria-label="Error"]').innerText(), /failLoad was set in the run conf/);

    await page.getByRole('button', { name: 'Clear…' }).click();
    const confirm = page.locator('dialog[aria-label="Clear \\"load\\""]');
    await confirm.waitFor();
    const affected = await confirm.locator('.affected').innerText();
    for (const task of ['load', 'alert_on_failure', 'cleanup', 'summary']) assert.match(affected, new RegExp(task));
    assert.doesNotMatch(affected, /extract/);
    await confirm.locator('button[type="submit"]').click();
    await confirm.waitFor({ state: 'detached' });

    // The cleared task runs again as try 2 (and fails again: the conf still says so).
    await page.getByRole('button', { name: /Try 2/ }).waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => /try 2/i.test(document.querySelector('[aria-label^="Log of try"]')?.getAttribute('aria-label') ?? ''));
    await page.locator('[data-testid="log"]').getByText(/ERROR task failed: failLoad was set/).waitFor({ timeout: 20_000 });
    const runId = decodeURIComponent(page.url().split('/runs/')[1]!.split('/')[0]!);
    await h.waitFor('the cleared task to fail again', async () => {
      const tis = await h.taskInstances('trigger_rules', runId);
      return tis.load?.state === 'failed' && tis.load.tryNumber === 2;
    });
  });

  test('marking a task success and clearing its downstream task finishes the run', async () => {
    const { runs } = await listRuns(h.db, 'trigger_rules');
    const runId = runs[0]!.runId;
    await h.waitForRunEnd('trigger_rules', runId);
    await open(`/dags/trigger_rules/runs/${encodeURIComponent(runId)}`);
    await page.locator('.page-head .badge.st-failed').waitFor();
    await page.click('button[aria-label="Mark load success"]');
    const mark = page.locator('dialog[aria-label="Mark \\"load\\" success"]');
    await mark.locator('button[type="submit"]').click();
    await page.locator('tr[data-task-id="load"][data-state="success"]').waitFor();
    // As in Airflow, a mark does not re-run downstream tasks already decided: summary stays
    // upstream_failed until it is cleared, and then runs.
    assert.equal(await page.locator('tr[data-task-id="summary"]').getAttribute('data-state'), 'upstream_failed');
    await page.click('button[aria-label="Clear summary"]');
    const clear = page.locator('dialog[aria-label="Clear \\"summary\\""]');
    await clear.locator('button[type="submit"]').click();
    await page.locator('tr[data-task-id="summary"][data-state="success"]').waitFor({ timeout: 20_000 });
    await page.locator('.page-head .badge.st-success').waitFor({ timeout: 20_000 });
  });

  test('a backfill created from the form shows its dry run first, then produces its runs', async () => {
    await open('/dags/daily_report');
    await page.click('header button[aria-pressed="false"]:has-text("UTC")');
    await page.click('button:has-text("Backfill…")');
    const dialog = page.locator('dialog[aria-label="New backfill"]');
    await dialog.waitFor();
    await dialog.locator('input[name="fromDate"]').fill('2026-01-01T00:00:00');
    await dialog.locator('input[name="toDate"]').fill('2026-01-03T00:00:00');
    await dialog.locator('input[name="maxActiveRuns"]').fill('2');
    await dialog.getByRole('button', { name: 'Preview runs' }).click();
    const preview = dialog.locator('section[aria-label="Dry run"]');
    await preview.waitFor();
    assert.match(await preview.innerText(), /3 intervals in range: 3 new, 0 re-run, 0 skipped/);
    assert.equal(await preview.locator('tbody tr').count(), 3);
    assert.equal((await listRuns(h.db, 'daily_report')).runs.filter((r) => r.runType === 'backfill').length, 0, 'a dry run creates nothing');
    await screenshot(page, 'backfill-form');

    await dialog.getByRole('button', { name: 'Create backfill (3 runs)' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForURL(/\/dags\/daily_report\/backfills$/);
    const row = page.locator('tr[data-backfill-id]');
    await row.waitFor();
    await page.waitForFunction(() => /3\/3/.test(document.querySelector('tr[data-backfill-id]')?.textContent ?? ''), undefined, { timeout: 30_000 });
    assert.match(await row.innerText(), /completed/);
    const backfillRuns = (await listRuns(h.db, 'daily_report')).runs.filter((r) => r.runType === 'backfill');
    assert.deepEqual(
      backfillRuns.map((r) => r.logicalDate.toISOString()).sort(),
      ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'],
    );
  });

  test('pausing from the UI pauses the DAG', async () => {
    await open('/');
    const toggle = page.locator('button[role="switch"][data-dag-id="daily_report"]');
    assert.equal(await toggle.getAttribute('aria-checked'), 'true');
    await toggle.click();
    await h.waitFor('daily_report to be paused', async () => (await getDag(h.db, 'daily_report'))?.isPaused === true);
    await page.waitForFunction(() => document.querySelector('button[role="switch"][data-dag-id="daily_report"]')?.getAttribute('aria-checked') === 'false');
    await page.click('.segmented button:has-text("Paused")');
    assert.deepEqual(await page.locator('tr[data-dag-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dag-id'))), ['daily_report']);
  });

  test("a running try's log follows new lines live, then stops when the try ends", async () => {
    await h.writeDag(
      'e2e_slow_logger.ts',
      `import { dag } from 'sluice';
const d = dag('e2e_slow_logger', {});
d.task('tick', async (ctx) => {
  for (let i = 1; i <= 60; i++) {
    ctx.log.info({ i }, 'tick');
    await new Promise((r) => setTimeout(r, 50));
  }
});
export default d;
`,
    );
    // Every read of the log by the page: what it asked for and what it got.
    const reads: Promise<{ url: URL; next: number; body: string }>[] = [];
    const onResponse = (response: { url(): string; headers(): Record<string, string>; text(): Promise<string> }) => {
      if (!response.url().includes('/taskInstances/tick/logs/1')) return;
      reads.push(response.text().then((body) => ({ url: new URL(response.url()), next: Number(response.headers()['x-log-next-offset']), body })));
    };
    page.on('response', onResponse);
    try {
      await h.waitForDag('e2e_slow_logger');
      const run = await triggerDagRun(h.db, 'e2e_slow_logger', {});
      await open(`/dags/e2e_slow_logger/runs/${encodeURIComponent(run.runId)}/tasks/tick`);
      await page.locator('.live-pill').waitFor({ timeout: 10_000 });
      const lineCount = () => page.locator('[data-testid="log"] .line').count();
      await page.locator('[data-testid="log"] .line').first().waitFor();
      const early = await lineCount();
      await page.locator('.live-pill').waitFor({ state: 'detached', timeout: 20_000 });
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="log"] .line').length === 60);
      assert.ok(early < 60, `the log showed ${early} lines while the try ran, then all 60`);

      // It appended: each read asked for the text after the previous one's end, so every line
      // came once, and the bodies put together are the whole log.
      const answered = await Promise.all(reads);
      assert.ok(answered.filter((r) => r.body !== '').length >= 2, `the lines came in several reads (${answered.length} reads)`);
      answered.forEach((read, i) => {
        assert.equal(read.url.searchParams.get('offset'), String(i === 0 ? 0 : answered[i - 1]!.next), `read ${i}: ${read.url.search}`);
      });
      const whole = await (await fetch(`${server.url}/api/v1/dags/e2e_slow_logger/dagRuns/${encodeURIComponent(run.runId)}/taskInstances/tick/logs/1`)).text();
      assert.equal(answered.map((r) => r.body).join(''), whole);
      assert.equal(await page.locator('.page-head .badge').innerText(), 'success');
      const scroll = await page.locator('[data-testid="log"]').evaluate((el) => ({ overflow: el.scrollHeight - el.clientHeight, top: el.scrollTop }));
      assert.ok(scroll.overflow > 100, 'the log is taller than its box');
      assert.ok(scroll.overflow - scroll.top < 40, `the log is scrolled to its end (${JSON.stringify(scroll)})`);
    } finally {
      page.off('response', onResponse);
      await h.removeDag('e2e_slow_logger.ts');
    }
  });

  test('an open page whose data did not change is polled with bodiless 304 answers', async () => {
    const statuses: number[] = [];
    const onResponse = (response: { url(): string; status(): number }) => {
      if (response.url().includes('/api/v1/dags/hello_world/grid')) statuses.push(response.status());
    };
    page.on('response', onResponse);
    try {
      await open('/dags/hello_world');
      await page.locator('.grid [data-cell]').first().waitFor();
      await h.waitFor('three polls of the grid', async () => statuses.length >= 3);
    } finally {
      page.off('response', onResponse);
    }
    assert.equal(statuses[0], 200);
    assert.ok(statuses.slice(1).every((s) => s === 304), `grid polls answered ${statuses.join(', ')}`);
  });

  test('the grid is usable by keyboard', async () => {
    await open('/dags/trigger_rules');
    const first = page.locator('.grid [data-cell][tabindex="0"]');
    await first.focus();
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('title') ?? '');
    assert.match(focused, /^load · /);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/tasks\/load$/);
    await page.keyboard.press('?');
    await page.locator('dialog[aria-label="Keyboard shortcuts"]').waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('g');
    await page.keyboard.press('b');
    await page.waitForURL(/\/backfills$/);
  });

  test("the graph draws a task group as a box that collapses into one node with its tasks' states, and expands again", async () => {
    const run = await triggerDagRun(h.db, 'regional_sales', {});
    assert.equal((await h.waitForRunEnd('regional_sales', run.runId)).state, 'success');
    await open('/dags/regional_sales/graph');
    const box = page.locator('svg.graph g.group-box[data-group-id="extract"]');
    await box.waitFor();
    const frame = (await box.locator('rect.group-frame').boundingBox())!;
    for (const region of ['emea', 'americas', 'apac']) {
      const node = page.locator(`svg.graph g.node[data-task-id="extract.${region}"]`);
      await page.locator(`svg.graph g.node[data-task-id="extract.${region}"][data-state="success"]`).waitFor();
      const at = (await node.boundingBox())!;
      const inside = at.x > frame.x && at.y > frame.y && at.x + at.width < frame.x + frame.width && at.y + at.height < frame.y + frame.height;
      assert.ok(inside, `extract.${region} is drawn inside the box of extract`);
      assert.equal(await node.locator('.node-label').textContent(), region, 'inside its box a task is called by its own id');
    }
    assert.match((await box.locator('.group-head title').textContent()) ?? '', /One task per sales region/);
    const edges = page.locator('svg.graph path.edge');
    assert.equal(await edges.count(), 6);

    await box.locator('.group-head').click();
    const groupNode = page.locator('svg.graph g.group-node[data-group-id="extract"]');
    await groupNode.waitFor();
    assert.equal(await page.locator('svg.graph g.node[data-task-id^="extract."]').count(), 0, "the group's tasks are hidden");
    assert.equal(await box.count(), 0);
    assert.equal(await groupNode.getAttribute('data-state'), 'success');
    assert.match((await groupNode.getAttribute('aria-label')) ?? '', /^Group extract, 3 tasks: 3 success\. Expand$/);
    assert.equal(await edges.count(), 2, 'open_day → extract and extract → report, once each');
    await screenshot(page, 'dag-graph-group-collapsed');

    // Kept for the DAG across visits; expanded again from the keyboard.
    await page.reload();
    await groupNode.waitFor();
    await groupNode.focus();
    await page.keyboard.press('Enter');
    await box.waitFor();
    assert.equal(await page.locator('svg.graph g.node[data-task-id^="extract."]').count(), 3);
    assert.equal(await edges.count(), 6);
  });

  test('the grid shows a task group as a header row that folds its tasks into one row of summary cells', async () => {
    await open('/dags/regional_sales');
    const rows = page.locator('.task-names > [data-row]');
    const names = async () => (await rows.allInnerTexts()).map((text) => text.replace(/\s+/g, ' '));
    await page.locator('.grid a.cell[data-state="success"]').first().waitFor();
    assert.deepEqual(await names(), ['open_day', '▾ extract 3', 'emea', 'americas', 'apac', 'report']);
    const fold = page.getByRole('button', { name: 'Fold group extract (3 tasks)' });
    assert.equal(await fold.getAttribute('aria-expanded'), 'true');
    const runs = (await listRuns(h.db, 'regional_sales')).runs.length;
    assert.equal(await page.locator('.grid [data-cell]').count(), 6 * runs);

    await fold.focus();
    await page.keyboard.press('Enter');
    const unfold = page.getByRole('button', { name: 'Unfold group extract (3 tasks)' });
    await unfold.waitFor();
    assert.equal(await unfold.getAttribute('aria-expanded'), 'false');
    assert.deepEqual(await names(), ['open_day', '▸ extract 3', 'report']);
    assert.equal(await page.locator('.grid [data-cell]').count(), 3 * runs);
    const summary = page.locator('.grid a.group-cell[data-group-id="extract"]').last();
    assert.equal(await summary.getAttribute('data-state'), 'success');
    assert.match((await summary.getAttribute('title')) ?? '', /^extract \(group\) · success\n3 success\n/);
    // Arrow keys move through the folded row like any other.
    await page.locator('.grid [data-cell][tabindex="0"]').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-group-id')), 'extract');

    await unfold.focus();
    await page.keyboard.press(' ');
    await fold.waitFor();
    assert.equal(await rows.count(), 6);
  });

  test('with SLUICE_API_TOKEN set, the UI asks for the token once and keeps it for the session', async () => {
    const secured = await startWebserver(
      { services: h.services, redis: h.redis, config: { ...h.config, apiToken: 'e2e-secret' } },
      { host: '127.0.0.1', port: 0 },
    );
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      await tab.goto(`${secured.url}/`);
      await tab.locator('input[name="token"]').fill('wrong');
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await tab.getByText('That token was not accepted').waitFor();
      await tab.locator('input[name="token"]').fill('e2e-secret');
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await tab.locator('tr[data-dag-id="hello_world"]').waitFor();
      await tab.goto(`${secured.url}/dags/hello_world/details`);
      await tab.getByText('Tasks (').waitFor();
      assert.equal(await tab.locator('input[name="token"]').count(), 0, 'not asked again in the same session');
    } finally {
      await context.close();
      await secured.close();
    }
  });

  test('every page, for the README (UPDATE_SCREENSHOTS=1 writes docs/screenshots)', async () => {
    // A few more runs, so the grid has something to show.
    for (const failLoad of [false, true, false, true]) {
      const made = await triggerDagRun(h.db, 'trigger_rules', { conf: { failLoad } });
      await h.waitForRunEnd('trigger_rules', made.runId);
    }
    const { runs } = await listRuns(h.db, 'trigger_rules');
    const failed = runs.find((r) => r.state === 'failed')!;
    const run = `/dags/trigger_rules/runs/${encodeURIComponent(failed.runId)}`;
    const pages: [name: string, path: string, ready: string][] = [
      ['dags', '/', 'tr[data-dag-id="hello_world"]'],
      ['dag-grid', '/dags/trigger_rules', '.grid [data-cell]'],
      ['dag-graph', `/dags/trigger_rules/graph?run=${encodeURIComponent(failed.runId)}`, 'svg.graph g.node[data-state="failed"]'],
      ['dag-details', '/dags/daily_report/details', 'text=Tasks ('],
      ['run', run, 'tr[data-task-id="load"]'],
      ['task-instance', `${run}/tasks/load`, '[data-testid="log"]'],
      ['backfills', '/backfills', 'tr[data-backfill-id]'],
    ];
    for (const [name, pathname, ready] of pages) {
      await open(pathname);
      await page.locator(ready).first().waitFor();
      await screenshot(page, name);
    }
    const dark = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: 'dark' });
    await dark.goto(`${server.url}/dags/trigger_rules`);
    await dark.locator('.grid [data-cell]').first().waitFor();
    await screenshot(dark, 'dag-grid-dark');
    await dark.close();
  });

  test('the pages raised no script errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
