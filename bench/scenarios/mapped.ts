/**
 * Scenario 7: a task mapped over 10,000 items, against a plain fan-out of the same width in the
 * same cluster. The mapped DAG is source → mapped (expand: source) → end; the plain one is
 * start → 10,000 declared no-op tasks → end. Measures the expansion (the source's end → the last
 * of the 10,000 instances queued), the instances' rate against the plain middle's, the grid
 * API's answer for the mapped run, and in Chromium the grid page (the mapped task one summary
 * cell) and the task's page listing its 10,000 instances.
 */
import type { Browser, Page } from 'playwright-core';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { launchChromium } from '../lib/browser.ts';
import { setPool } from '../../src/store/pools.ts';
import { withEnvironment, type BenchEnvironment } from '../lib/env.ts';
import { startCluster } from '../lib/processes.ts';
import { atLeast, atMost, type ResultRow } from '../lib/report.ts';
import { outcomeRow, waitForDags, waitForRunEnd } from '../lib/runs.ts';
import { stopClusterAndReport, type Scenario, type ScenarioContext } from '../lib/scenario.ts';
import { ms, percentile, perSecond, rate, seconds } from '../lib/stats.ts';
import { startBenchWebserver } from '../lib/webserver.ts';

const WIDTH = 10_000;
const NAME = `7. mapped task over ${WIDTH.toLocaleString('en-US')} items`;
const MAPPED = 'bench_mapped';
const PLAIN = 'bench_mapped_plain';
const EXPANSION_TARGET_MS = 1000;
const RATE_RATIO_TARGET = 0.8;
const GRID_TARGET_MS = 1000;
const GRID_REQUESTS = 5;
const PAGE_TARGET_MS = 1000;
/** Page loads measured, after one to warm up (the server's first bundle, Postgres' first plans). */
const PAGE_LOADS = 5;

/**
 * In every page, before the UI's script: `__mappedCell` resolves with performance.now() (since
 * the navigation started) when the grid's cell for the 10,000 instances is in the DOM, and
 * `__listRows` when the list of instances shows its first page; seen by a MutationObserver, whose
 * callback runs in the task that changed the DOM, so no polling adds work to the page.
 */
const PAGE_PROBE = `(() => {
  const when = (ready) => new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (!ready()) return;
      observer.disconnect();
      resolve(performance.now());
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  });
  window.__mappedCell = when(() => document.querySelector('.grid a.cell.mapped-cell[data-mapped-count="${WIDTH}"]') !== null);
  window.__listRows = when(() => document.querySelectorAll('table.mapped-table tbody tr').length === 100 && /of ${WIDTH.toLocaleString('en-US')}/.test(document.querySelector('.pager')?.textContent ?? ''));
})()`;

const mappedSource = `import { dag } from 'sluice';
const d = dag('${MAPPED}', { maxActiveTasks: ${WIDTH}, description: 'bench: one task mapped over ${WIDTH} items' });
const source = d.task('source', async () => Array.from({ length: ${WIDTH} }, (_, i) => i));
const mapped = d.task('mapped', { expand: source, maxMapLength: ${WIDTH} }, async () => undefined);
mapped.then(d.task('end', async () => undefined));
export default d;
`;

const plainSource = `import { dag, chain } from 'sluice';
const d = dag('${PLAIN}', { maxActiveTasks: ${WIDTH}, description: 'bench: 1 → ${WIDTH} → 1 declared no-op tasks' });
const middle = Array.from({ length: ${WIDTH} }, (_, i) => d.task('m' + String(i).padStart(5, '0'), async () => undefined));
chain(d.task('start', async () => undefined), middle, d.task('end', async () => undefined));
export default d;
`;

interface Window {
  firstStart: number;
  lastEnd: number;
  count: number;
}

/** The first start and last end of a run's tries of `taskIds` (a mapped task's instances, or the plain middle). */
async function middleWindow(env: BenchEnvironment, dagId: string, runId: string, where: string): Promise<Window> {
  const { rows } = await env.db.query<{ first: number; last: number; n: number }>(
    `SELECT extract(epoch FROM min(start_date)) * 1000 AS first, extract(epoch FROM max(end_date)) * 1000 AS last, count(*)::int AS n
     FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND ${where}`,
    [dagId, runId],
  );
  const r = rows[0]!;
  return { firstStart: Number(r.first), lastEnd: Number(r.last), count: r.n };
}

/** The source's end → the last instance queued: the expansion, admission and the queue's commit. */
async function expansionMs(env: BenchEnvironment, runId: string): Promise<{ ms: number; instances: number }> {
  const { rows } = await env.db.query<{ ms: number; n: number }>(
    `SELECT extract(epoch FROM max(m.queued_at) - s.end_date) * 1000 AS ms, count(*)::int AS n
     FROM task_instances m JOIN task_instances s ON s.dag_id = m.dag_id AND s.run_id = m.run_id AND s.task_id = 'source'
     WHERE m.dag_id = $1 AND m.run_id = $2 AND m.task_id = 'mapped' GROUP BY s.end_date`,
    [MAPPED, runId],
  );
  return { ms: Number(rows[0]!.ms), instances: rows[0]!.n };
}

async function gridTimes(env: BenchEnvironment): Promise<number[]> {
  const web = await startBenchWebserver(env);
  try {
    const times: number[] = [];
    for (let i = 0; i < GRID_REQUESTS; i++) {
      const t0 = performance.now();
      const reply = await fetch(`${web.url}/api/v1/dags/${MAPPED}/grid`);
      await reply.arrayBuffer();
      if (!reply.ok) throw new Error(`the grid answered ${reply.status}`);
      times.push(performance.now() - t0);
    }
    return times;
  } finally {
    await web.close();
  }
}

/** Loads `path` in a new tab of one context PAGE_LOADS + 1 times; the times (ms after navigation) at which `probe` resolved, the warm-up left out. */
async function pageTimes(browser: Browser, url: string, probe: '__mappedCell' | '__listRows', ctx: ScenarioContext, what: string): Promise<number[]> {
  const context = await browser.newContext();
  await context.addInitScript({ content: PAGE_PROBE });
  const times: number[] = [];
  try {
    for (let i = 0; i <= PAGE_LOADS; i++) {
      const page = await context.newPage();
      try {
        const shownAt = await shown(page, url, probe, what);
        if (i === 0) continue;
        times.push(shownAt);
        ctx.progress(`${NAME}: ${what}, load ${i}: ${shownAt.toFixed(0)} ms after navigation`);
      } finally {
        await page.close();
      }
    }
    return times;
  } finally {
    await context.close();
  }
}

async function shown(page: Page, url: string, probe: string, what: string): Promise<number> {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after 30 s waiting for ${what}`)), 30_000);
  });
  try {
    return await Promise.race([page.evaluate(`window.${probe}`) as Promise<number>, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The grid page of the DAG (its one run: the mapped task's one summary cell) and the mapped task's page of instances. */
async function pageRenderTimes(env: BenchEnvironment, runId: string, ctx: ScenarioContext): Promise<{ grid: number[]; list: number[] }> {
  const web = await startBenchWebserver(env);
  const browser = await launchChromium();
  try {
    const grid = await pageTimes(browser, `${web.url}/dags/${MAPPED}`, '__mappedCell', ctx, 'grid page');
    const list = await pageTimes(browser, `${web.url}/dags/${MAPPED}/runs/${encodeURIComponent(runId)}/tasks/mapped`, '__listRows', ctx, 'list of instances');
    return { grid, list };
  } finally {
    await browser.close();
    await web.close();
  }
}

async function run(env: BenchEnvironment, ctx: ScenarioContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  await env.writeDag('mapped.ts', mappedSource);
  await env.writeDag('mapped_plain.ts', plainSource);
  // Room for every instance at once: only the engine limits the rate, as in the fan-out scenario.
  await setPool(env.db, 'default_pool', WIDTH * 2);
  const cluster = await startCluster(env, ctx.concurrency, {}, 2);
  try {
    await waitForDags(env.db, [MAPPED, PLAIN], 120_000);
    ctx.progress(`${NAME}: the plain fan-out of ${WIDTH}`);
    const plainRun = await triggerDagRun(env.db, PLAIN, {});
    await waitForRunEnd(env.db, PLAIN, plainRun.runId, 300_000);
    rows.push(await outcomeRow(env.db, `${NAME}: plain`, PLAIN, [plainRun.runId], WIDTH + 2));
    const plain = await middleWindow(env, PLAIN, plainRun.runId, "task_id NOT IN ('start', 'end')");

    ctx.progress(`${NAME}: the mapped run`);
    const mappedRun = await triggerDagRun(env.db, MAPPED, {});
    const ended = await waitForRunEnd(env.db, MAPPED, mappedRun.runId, 300_000);
    rows.push(await outcomeRow(env.db, `${NAME}: mapped`, MAPPED, [mappedRun.runId], WIDTH + 2));
    const mapped = await middleWindow(env, MAPPED, mappedRun.runId, "task_id = 'mapped'");
    const expansion = await expansionMs(env, mappedRun.runId);

    ctx.progress(`${NAME}: the grid API for the mapped run`);
    const grid = await gridTimes(env);
    ctx.progress(`${NAME}: the grid page and the list of instances in Chromium`);
    const pages = await pageRenderTimes(env, mappedRun.runId, ctx);

    const plainRate = perSecond(plain.count, plain.lastEnd - plain.firstStart);
    const mappedRate = perSecond(mapped.count, mapped.lastEnd - mapped.firstStart);
    rows.unshift(
      {
        scenario: NAME,
        metric: `expansion: source end → last of its ${expansion.instances.toLocaleString('en-US')} instances queued`,
        value: ms(expansion.ms),
        measured: expansion.ms,
        target: atMost(EXPANSION_TARGET_MS, 'ms'),
      },
      {
        scenario: NAME,
        metric: `instances/s, first start → last end (run ${ended.state}); the plain fan-out of ${WIDTH.toLocaleString('en-US')} in the same cluster`,
        value: `${rate(mappedRate)} (${seconds(mapped.lastEnd - mapped.firstStart)}); plain ${rate(plainRate)} (${seconds(plain.lastEnd - plain.firstStart)})`,
      },
      {
        scenario: NAME,
        metric: 'mapped ÷ plain fan-out rate (same cluster, runner processes)',
        value: `${(mappedRate / plainRate).toFixed(2)}×`,
        measured: mappedRate / plainRate,
        target: atLeast(RATE_RATIO_TARGET, '×'),
      },
      {
        scenario: NAME,
        metric: `grid API answer for the run (${GRID_REQUESTS} requests, median; max)`,
        value: `${ms(percentile(grid, 50))}; ${ms(Math.max(...grid))}`,
        measured: percentile(grid, 50),
        target: atMost(GRID_TARGET_MS, 'ms'),
      },
      {
        scenario: NAME,
        metric: `grid page in Chromium: navigation → the mapped task's summary cell in the DOM (${PAGE_LOADS} loads, median; max)`,
        value: `${ms(percentile(pages.grid, 50))}; ${ms(Math.max(...pages.grid))}`,
        measured: percentile(pages.grid, 50),
        target: atMost(PAGE_TARGET_MS, 'ms'),
      },
      {
        scenario: NAME,
        metric: `the task's page in Chromium: navigation → the first 100 of its ${WIDTH.toLocaleString('en-US')} instances listed (${PAGE_LOADS} loads, median; max)`,
        value: `${ms(percentile(pages.list, 50))}; ${ms(Math.max(...pages.list))}`,
      },
    );
  } finally {
    rows.push(...(await stopClusterAndReport(cluster, NAME, ctx)));
  }
  return rows;
}

export const mappedScenario: Scenario = {
  id: 'mapped',
  title: `a task mapped over ${WIDTH.toLocaleString('en-US')} items, against a plain fan-out of the same width`,
  run: (ctx) => withEnvironment('mapped', (env) => run(env, ctx)),
};
