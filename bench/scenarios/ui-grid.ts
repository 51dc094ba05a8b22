/**
 * Scenario 5: the web UI's grid of 100 runs × 50 tasks (5,000 cells) in Chromium. The store is
 * seeded directly (no scheduler, no workers); the webserver runs in the bench process and
 * Debian's Chromium loads the page through playwright-core. Measures the first render, a live
 * update (50 task instances of one run cleared in the database), the main thread while the page
 * idles on its one-second polling, the page's JS heap, and the grid API answer itself.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { specHash, type DagSpec } from '../../src/core/spec.ts';
import { makeRunId, type DagRunState, type TaskState } from '../../src/core/states.ts';
import { chain, dag } from '../../src/sdk/dag.ts';
import { upsertDag } from '../../src/store/dags.ts';
import { withTransaction, type Db } from '../../src/store/db.ts';
import { insertRun } from '../../src/store/runs.ts';
import { resetTaskInstances } from '../../src/store/task-instances.ts';
import {
  GC_EVENTS,
  launchChromium,
  pageMemory,
  profilePage,
  SCRIPT_EVENTS,
  traceMainThread,
  type MainThreadTask,
  type PageMemory,
  type PageTrace,
} from '../lib/browser.ts';
import { withEnvironment } from '../lib/env.ts';
import { atMost, type ResultRow } from '../lib/report.ts';
import type { Scenario, ScenarioContext } from '../lib/scenario.ts';
import { mib, ms, percentile } from '../lib/stats.ts';
import { startBenchWebserver } from '../lib/webserver.ts';

const DAG_ID = 'bench_ui_grid';
const NAME = '5. UI grid 100 runs × 50 tasks';
const RUNS = 100;
const TASKS = 50;
const CELLS = RUNS * TASKS;
const FIRST_RENDER_LOADS = 7;
/** Finished runs (0 is the oldest, the grid's left column) cleared one per live-update repetition. */
const CLEARED_RUNS = [10, 22, 31, 44, 53, 67, 76];
const IDLE_MS = 10_000;
const API_REQUESTS = 20;
const HOUR_MS = 3_600_000;
/** Hourly runs up to the last full hour but one, so that every start and end is in the past and run durations look live. */
const FIRST_LOGICAL_DATE = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - (RUNS + 1) * HOUR_MS;

// ---------------------------------------------------------------------------------------------
// The DAG and its history

/**
 * 50 tasks: three ingest chains of five, a merge, a fan-out of 24 transforms, a join, three
 * checks, publish, three exports and a final task, 13 levels deep. Built with the SDK, as a DAG
 * file would be, and stored as the scheduler stores a parsed DAG.
 */
function gridDagSpec(): DagSpec {
  const d = dag(DAG_ID, {
    schedule: '@hourly',
    startDate: '2026-01-01',
    catchup: false,
    description: 'bench: 50 tasks in chains and fan-outs, for the UI grid',
    defaultArgs: { retries: 1 },
  });
  const noop = async () => undefined;
  const task = (id: string) => d.task(id, noop);
  const start = task('start');
  const merge = task('merge');
  for (const source of ['orders', 'customers', 'events']) {
    chain(start, ...[1, 2, 3, 4, 5].map((step) => task(`ingest_${source}_${step}`)), merge);
  }
  const transforms = Array.from({ length: 24 }, (_, i) => task(`transform_${String(i + 1).padStart(2, '0')}`));
  const join = task('join');
  const checks = ['schema', 'row_counts', 'freshness'].map((c) => task(`check_${c}`));
  // A skipped check or export does not stop what follows.
  const publish = d.task('publish', { triggerRule: 'none_failed' }, noop);
  const exports = ['warehouse', 'search', 'api'].map((e) => task(`export_${e}`));
  const done = d.task('done', { triggerRule: 'none_failed' }, noop);
  chain(merge, transforms, join, checks, publish, exports, done);
  const spec = d.toSpec();
  if (spec.tasks.length !== TASKS) throw new Error(`the grid DAG has ${spec.tasks.length} tasks, expected ${TASKS}`);
  return spec;
}

interface Cell {
  state: TaskState;
  tryNumber: number;
  start: Date | null;
  end: Date | null;
}

/** A fixed pseudo-random number in [0, 1) for a run and a task: the history is the same every time. */
function noise(run: number, task: number): number {
  let x = (run * 7919 + task * 104_729 + 12_345) >>> 0;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return (x >>> 0) / 2 ** 32;
}

/** How far each task is from the start: its level in the graph. */
function levels(spec: DagSpec): Map<string, number> {
  const level = new Map<string, number>();
  for (const t of spec.tasks) level.set(t.taskId, Math.max(-1, ...t.upstream.map((u) => level.get(u)!)) + 1);
  return level;
}

/**
 * What run `r` (0: the oldest) shows. Most runs succeeded; every eleventh lost a transform (the
 * tasks after it are upstream_failed), run 40 lost an ingest step early; exports and checks are
 * skipped now and then; one transform needed a second try in every fifth run. The two newest runs
 * are still going: running, queued and up_for_retry instances, the rest not started.
 */
function runCells(spec: DagSpec, r: number): Map<string, Cell> {
  const level = levels(spec);
  const runStart = FIRST_LOGICAL_DATE + (r + 1) * HOUR_MS + 5_000;
  const failing = r === 40 ? 'ingest_events_3' : r % 11 === 5 ? `transform_${String((r % 24) + 1).padStart(2, '0')}` : undefined;
  const skipped = new Set([...(r % 4 === 0 ? ['export_api'] : []), ...(r % 6 === 1 ? ['check_freshness'] : [])]);
  const inProgressLevel = r === RUNS - 2 ? 9 : r === RUNS - 1 ? 3 : Infinity;
  const cells = new Map<string, Cell>();
  spec.tasks.forEach((t, i) => {
    const lvl = level.get(t.taskId)!;
    const start = new Date(runStart + lvl * 45_000 + Math.round(noise(r, i) * 10_000));
    const end = new Date(start.getTime() + 2_000 + Math.round(noise(i, r) * 28_000));
    const ran = (state: TaskState, tryNumber = 1): Cell => ({ state, tryNumber, start, end });
    const upstreamStates = t.upstream.map((u) => cells.get(u)!.state);
    if (lvl > inProgressLevel) cells.set(t.taskId, { state: 'none', tryNumber: 0, start: null, end: null });
    else if (lvl === inProgressLevel) {
      const state = (['running', 'up_for_retry', 'queued'] as const)[i % 3]!;
      cells.set(t.taskId, { state, tryNumber: 1, start: state === 'queued' ? null : start, end: state === 'up_for_retry' ? end : null });
    } else if (upstreamStates.some((s) => s === 'failed' || s === 'upstream_failed')) {
      cells.set(t.taskId, { state: 'upstream_failed', tryNumber: 0, start: null, end: null });
    } else if (t.taskId === failing) cells.set(t.taskId, ran('failed', 2));
    else if (skipped.has(t.taskId)) cells.set(t.taskId, ran('skipped'));
    else cells.set(t.taskId, ran('success', r % 5 === 2 && t.taskId === 'transform_07' ? 2 : 1));
  });
  return cells;
}

function runOutcome(cells: Map<string, Cell>, r: number): { state: DagRunState; start: Date; end: Date | null } {
  const start = new Date(FIRST_LOGICAL_DATE + (r + 1) * HOUR_MS + 2_000);
  const done = cells.get('done')!.state;
  if (done !== 'success' && done !== 'skipped' && done !== 'upstream_failed') return { state: 'running', start, end: null };
  const lastEnd = Math.max(...[...cells.values()].map((c) => c.end?.getTime() ?? 0));
  return { state: done === 'upstream_failed' ? 'failed' : 'success', start, end: new Date(lastEnd + 1_000) };
}

const logicalDate = (r: number) => new Date(FIRST_LOGICAL_DATE + r * HOUR_MS);
const runIdOf = (r: number) => makeRunId('scheduled', logicalDate(r));

/** The DAG, its 100 runs and their 5,000 task instances, in one transaction. Returns the task states counted. */
async function seed(db: Db, spec: DagSpec): Promise<Map<string, number>> {
  const versionHash = specHash(spec);
  const counts = new Map<string, number>();
  await withTransaction(db, async (tx) => {
    await upsertDag(tx, spec, versionHash, 'ui_grid.ts');
    const cols = { run: [] as string[], task: [] as string[], state: [] as string[], tries: [] as number[], start: [] as (Date | null)[], end: [] as (Date | null)[] };
    const runs = { id: [] as string[], state: [] as string[], start: [] as Date[], end: [] as (Date | null)[] };
    for (let r = 0; r < RUNS; r++) {
      const runId = runIdOf(r);
      const created = await insertRun(
        tx,
        { dagId: DAG_ID, runId, runType: 'scheduled', logicalDate: logicalDate(r), dataIntervalStart: logicalDate(r), dataIntervalEnd: logicalDate(r + 1), conf: {} },
        spec,
        versionHash,
      );
      if (!created) throw new Error(`run ${runId} already existed`);
      const cells = runCells(spec, r);
      for (const [taskId, c] of cells) {
        cols.run.push(runId);
        cols.task.push(taskId);
        cols.state.push(c.state);
        cols.tries.push(c.tryNumber);
        cols.start.push(c.start);
        cols.end.push(c.end);
        counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
      }
      const outcome = runOutcome(cells, r);
      runs.id.push(runId);
      runs.state.push(outcome.state);
      runs.start.push(outcome.start);
      runs.end.push(outcome.end);
    }
    await tx.query(
      `UPDATE task_instances ti SET state = c.state, try_number = c.tries, start_date = c.start_date, end_date = c.end_date,
         duration_ms = (extract(epoch FROM c.end_date - c.start_date) * 1000)::int,
         queued_at = CASE WHEN c.tries > 0 THEN COALESCE(c.start_date, now()) - interval '2 seconds' END,
         hostname = CASE WHEN c.start_date IS NOT NULL THEN 'bench-worker' END
       FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[], $7::timestamptz[])
         AS c(run_id, task_id, state, tries, start_date, end_date)
       WHERE ti.dag_id = $1 AND ti.run_id = c.run_id AND ti.task_id = c.task_id`,
      [DAG_ID, cols.run, cols.task, cols.state, cols.tries, cols.start, cols.end],
    );
    await tx.query(
      `UPDATE dag_runs r SET state = x.state, start_date = x.start_date, end_date = x.end_date, queued_at = x.start_date - interval '1 second'
       FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[]) AS x(run_id, state, start_date, end_date)
       WHERE r.dag_id = $1 AND r.run_id = x.run_id`,
      [DAG_ID, runs.id, runs.state, runs.start, runs.end],
    );
  });
  return counts;
}

/**
 * Clears every task instance of run `r` and queues the run again, as clearing a whole run does
 * (src/engine/actions.ts clearTaskInstances, without waking a scheduler). Returns Date.now()
 * after the commit.
 */
async function clearRun(db: Db, spec: DagSpec, r: number): Promise<number> {
  await withTransaction(db, async (tx) => {
    const { reset: cleared } = await resetTaskInstances(tx, DAG_ID, runIdOf(r), spec.tasks.map((t) => ({ taskId: t.taskId, retries: t.retries })));
    if (cleared.length !== TASKS) throw new Error(`clearing run ${r} reset ${cleared.length} task instances, expected ${TASKS}`);
    await tx.query(`UPDATE dag_runs SET state = 'queued', end_date = NULL, queued_at = clock_timestamp() WHERE dag_id = $1 AND run_id = $2`, [
      DAG_ID,
      runIdOf(r),
    ]);
  });
  return Date.now();
}

// ---------------------------------------------------------------------------------------------
// In the page. The bench's TypeScript has no DOM types, so what runs in the page is JavaScript text.

/**
 * Installed before the UI's own script in every page: `__bench.cells` resolves (in
 * performance.now() time, i.e. since the navigation started) when all cells are in the DOM, seen
 * by a MutationObserver, whose callback runs right after the DOM changed, in the same task; and
 * every long task is kept. The bench awaits the promises: no polling adds tasks to the page.
 */
const PAGE_PROBE = `(() => {
  const probe = { longTasks: [] };
  window.__bench = probe;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  probe.cells = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (document.querySelectorAll('.grid .cell[data-cell]').length < ${CELLS}) return;
      const cellsAt = performance.now();
      console.timeStamp('bench:cells');
      observer.disconnect();
      const grid = performance.getEntriesByType('resource').filter((e) => e.name.includes('/grid')).at(-1);
      resolve({ cellsAt, gridAnswerAt: grid ? grid.responseEnd : -1 });
    });
    observer.observe(document, { childList: true, subtree: true });
  });
})()`;

/**
 * `__update` resolves with Date.now() when each of column `col`'s 50 cells shows state "none",
 * and writes a trace marker then. Only the one column's cells are read, each by its position.
 */
const watchColumn = (col: number) => `(() => {
  const cleared = () => {
    for (let row = 0; row < ${TASKS}; row++) {
      const cell = document.querySelector('.grid [data-cell="' + row + ':${col}"]');
      if (!cell || cell.getAttribute('data-state') !== 'none') return false;
    }
    return true;
  };
  window.__update = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (!cleared()) return;
      console.timeStamp('bench:updated');
      observer.disconnect();
      resolve(Date.now());
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });
})()`;

/** What the `col`-th cell of each row shows. */
const columnStates = (col: number) =>
  `Array.from({ length: ${TASKS} }, (_, row) => document.querySelector('.grid [data-cell="' + row + ':${col}"]')?.getAttribute('data-state'))`;

/** Evaluates `expression` in the page and awaits the promise it gives, failing after `timeoutMs`. */
async function inPage<T>(page: Page, expression: string, what: string, timeoutMs = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([page.evaluate(expression) as Promise<T>, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens the grid in `page` (whose context has PAGE_PROBE) and waits until its cells are in the DOM. */
async function loadGrid(page: Page, url: string): Promise<{ cellsAt: number; gridAnswerAt: number }> {
  // The probe is in place at DOMContentLoaded; the cells come later, after two API calls.
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return inPage(page, 'window.__bench.cells', `the grid's ${CELLS} cells`);
}

// ---------------------------------------------------------------------------------------------
// Measurements

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const p50max = (values: number[], digits = 0) => `${ms(percentile(values, 50), digits)} / ${ms(Math.max(...values), digits)}`;
const longestOf = (tasks: MainThreadTask[]) => tasks.reduce((a, b) => (b.duration > a.duration ? b : a));

/**
 * What tasks spent their time on, by the trace's own event names: script (JavaScript, with the
 * garbage collections it triggered), GC outside script, style and layout, paint (pre-paint, paint,
 * layerize, commit to the compositor), and the rest (task overhead, parsing, events not named here).
 */
function byKind(tasks: MainThreadTask[]): string {
  const total = (names: string[]) => sum(tasks.map((t) => sum(names.map((n) => t.inside.get(n) ?? 0))));
  const script = total(SCRIPT_EVENTS);
  const gcInScript = sum(tasks.map((t) => t.gcInScript));
  const gcOutside = total(GC_EVENTS) - gcInScript;
  const styleLayout = total(['UpdateLayoutTree', 'Layout']);
  const paint = total(['PrePaint', 'Paint', 'Layerize', 'Commit']);
  const rest = sum(tasks.map((t) => t.duration)) - script - gcOutside - styleLayout - paint;
  const f = (v: number) => v.toFixed(0);
  return `script ${f(script)} (GC ${f(gcInScript)} of it), GC ${f(gcOutside)}, style+layout ${f(styleLayout)}, paint ${f(paint)}, rest ${f(Math.max(0, rest))}`;
}

/** The largest events inside tasks (a nested event counts in each one around it too), for the progress lines. */
function heaviest(tasks: MainThreadTask[]): string {
  const total = new Map<string, number>();
  for (const t of tasks) for (const [name, d] of t.inside) total.set(name, (total.get(name) ?? 0) + d);
  const top = [...total].filter(([n]) => !n.startsWith('V8.')).sort((a, b) => b[1] - a[1]).slice(0, 5);
  return top.map(([n, d]) => `${n} ${d.toFixed(1)}`).join(', ') || 'nothing traced inside';
}

interface RenderWork {
  /** Main-thread busy time (wall): the tasks from the grid answer's arrival to the end of the frame that paints the change. */
  busyMs: number;
  /** The main thread's CPU time in those tasks (less than busyMs when the OS ran something else). */
  cpuMs: number;
  longest: MainThreadTask;
  tasks: MainThreadTask[];
  /** From the task that changed the DOM (the marker) to the end of the painted frame. */
  domToPaintedMs: number;
}

/**
 * The work of one render, from a trace: every main-thread task from the moment the renderer
 * received the grid answer that carried the change to the end of the first frame painted after
 * the DOM showed it (`marker`, written by the page's MutationObserver in the task that changed
 * the DOM): parsing and comparing the answer, Preact's render, the DOM changes, style, layout and
 * paint. Idle time in between does not count; other work in the window (a timer) would.
 */
function renderWork(trace: PageTrace, marker: string): RenderWork {
  const mark = trace.marks(marker)[0];
  const markTask = mark === undefined ? undefined : trace.taskAt(mark);
  if (mark === undefined || !markTask) throw new Error(`no main-thread task holds the trace marker ${marker}`);
  const answer = trace.responseBefore('/grid', mark) ?? markTask.start;
  const frame = trace.paintAfter(markTask.start);
  if (!frame) throw new Error(`no frame was painted after ${marker}`);
  const tasks = trace.tasksBetween(answer, frame.end);
  return {
    busyMs: sum(tasks.map((t) => t.duration)),
    cpuMs: sum(tasks.map((t) => t.cpu)),
    longest: longestOf(tasks),
    tasks,
    domToPaintedMs: frame.end - mark,
  };
}

interface FirstRender {
  cellsMs: number[];
  answerMs: number[];
  /** One more load, traced. */
  traced: RenderWork & { cellsAt: number };
}

/**
 * (a) Navigation to the grid until its 5,000 cells are in the DOM, each time in a new tab of one
 * browser context (as a user opening it again: assets revalidated by ETag), after a warm-up load.
 * Then one more load, traced, for where its time goes.
 */
async function measureFirstRender(browser: Browser, url: string, ctx: ScenarioContext): Promise<FirstRender> {
  const context = await browser.newContext();
  await context.addInitScript({ content: PAGE_PROBE });
  const cellsMs: number[] = [];
  const answerMs: number[] = [];
  try {
    for (let i = 0; i <= FIRST_RENDER_LOADS; i++) {
      const page = await context.newPage();
      try {
        const { cellsAt, gridAnswerAt } = await loadGrid(page, url);
        if (i === 0) continue; // warm-up: the server's first bundle, Postgres' first plans
        cellsMs.push(cellsAt);
        answerMs.push(gridAnswerAt);
        ctx.progress(`${NAME}: load ${i}: all cells in the DOM ${cellsAt.toFixed(0)} ms after navigation (grid answer at ${gridAnswerAt.toFixed(0)} ms)`);
      } finally {
        await page.close();
      }
    }
    const page = await context.newPage();
    const { result, trace } = await traceMainThread(browser, page, 'bench:cells', async () => {
      const loaded = await loadGrid(page, url);
      await sleep(500); // the frame that paints the cells
      return loaded;
    });
    const traced = { ...renderWork(trace, 'bench:cells'), cellsAt: result.cellsAt };
    ctx.progress(
      `${NAME}: traced load: cells in the DOM at ${result.cellsAt.toFixed(0)} ms, painted at ${(result.cellsAt + traced.domToPaintedMs).toFixed(0)} ms; ` +
        `grid answer → painted: ${wallCpu(traced)} busy in ${traced.tasks.length} task(s); ${heaviest(traced.tasks)}`,
    );
    return { cellsMs, answerMs, traced };
  } finally {
    await context.close();
  }
}

interface UpdateRender extends RenderWork {
  /** From the commit of the change to the DOM showing all 50 cells. */
  latencyMs: number;
}

/**
 * (b) Clears one run's 50 task instances in the database, at a different point of the poll
 * interval each time, and traces the page until the frame after its DOM shows all 50 as "none".
 */
async function measureUpdate(browser: Browser, page: Page, db: Db, spec: DagSpec, r: number, phaseMs: number): Promise<UpdateRender> {
  const before = await inPage<string[]>(page, columnStates(r), `column ${r}`);
  if (before.length !== TASKS || before.includes('none')) throw new Error(`column ${r} does not show finished run ${r}: ${before.join(', ')}`);
  await page.evaluate(watchColumn(r));
  const { result: latencyMs, trace } = await traceMainThread(browser, page, 'bench:updated', async () => {
    await page.waitForResponse((res) => res.url().includes('/grid'), { timeout: 10_000 }); // a poll just ended
    await sleep(phaseMs);
    const changedAt = await clearRun(db, spec, r);
    const shownAt = await inPage<number>(page, 'window.__update', `the cleared run ${r} on the page`, 15_000);
    await sleep(500); // the frame that paints it
    return shownAt - changedAt;
  });
  return { latencyMs, ...renderWork(trace, 'bench:updated') };
}

interface Idle {
  longest: MainThreadTask;
  busyMs: number;
  all: MainThreadTask[];
  longTasks: { start: number; duration: number }[];
}

/** (c) The page's main thread over 10 s of the open grid polling with nothing changing. */
async function measureIdle(browser: Browser, page: Page): Promise<Idle> {
  const { result: longTasks, trace } = await traceMainThread(browser, page, 'bench:idle', async () => {
    const from = await page.evaluate<number>(`console.timeStamp('bench:idle'), performance.now()`);
    await sleep(IDLE_MS);
    const all = await page.evaluate<Idle['longTasks']>('window.__bench.longTasks');
    return all.filter((t) => t.start >= from);
  });
  const from = trace.marks('bench:idle')[0]!;
  const tasks = trace.tasksBetween(from, from + IDLE_MS);
  return { longest: longestOf(tasks), busyMs: sum(tasks.map((t) => t.duration)), all: tasks, longTasks };
}

interface ApiTiming {
  wireBytes: number;
  contentEncoding: string;
  ms: number[];
}

/** (e) The grid answer as the UI asks for it, with and without gzip: bytes on the wire, and request → last byte. */
async function measureApi(baseUrl: string, acceptEncoding: 'identity' | 'gzip'): Promise<ApiTiming> {
  const url = `${baseUrl}/api/v1/dags/${DAG_ID}/grid?limit=${RUNS}`;
  const once = () =>
    new Promise<{ ms: number; bytes: number; encoding: string }>((resolve, reject) => {
      const t0 = performance.now();
      const req = http.get(url, { headers: { accept: 'application/json', 'accept-encoding': acceptEncoding } }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`GET ${url} answered ${res.statusCode}`));
          else resolve({ ms: performance.now() - t0, bytes, encoding: res.headers['content-encoding'] ?? 'identity' });
        });
      });
      req.on('error', reject);
    });
  for (let i = 0; i < 3; i++) await once();
  const answers = [];
  for (let i = 0; i < API_REQUESTS; i++) answers.push(await once());
  return { wireBytes: answers[0]!.bytes, contentEncoding: answers[0]!.encoding, ms: answers.map((a) => a.ms) };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const wallCpu = (w: RenderWork | MainThreadTask) =>
  'busyMs' in w ? `${ms(w.busyMs, 0)} (CPU ${ms(w.cpuMs, 0)})` : `${ms(w.duration, 1)} (CPU ${ms(w.cpu, 1)})`;

interface BrowserResults {
  first: FirstRender;
  updates: UpdateRender[];
  idle: Idle;
  loaded: PageMemory;
  after: PageMemory;
}

async function measureInBrowser(browser: Browser, url: string, db: Db, spec: DagSpec, ctx: ScenarioContext): Promise<BrowserResults> {
  const first = await measureFirstRender(browser, url, ctx);
  const context = await browser.newContext();
  try {
    await context.addInitScript({ content: PAGE_PROBE });
    const page = await context.newPage();
    await loadGrid(page, url);
    await sleep(2_000);
    const loaded = await pageMemory(page);
    const updates: UpdateRender[] = [];
    for (const [i, r] of CLEARED_RUNS.entries()) {
      const phase = Math.round((i * 1000) / CLEARED_RUNS.length);
      const u = await profilePage(page, `ui-grid-update-${i + 1}`, () => measureUpdate(browser, page, db, spec, r, phase));
      updates.push(u);
      ctx.progress(
        `${NAME}: update ${i + 1} (run ${r}, ${phase} ms after a poll): in the DOM ${u.latencyMs.toFixed(0)} ms after the commit; ` +
          `render work ${wallCpu(u)} in ${u.tasks.length} task(s), longest ${wallCpu(u.longest)}; ${heaviest(u.tasks)}`,
      );
    }
    await sleep(2_000);
    const idle = await profilePage(page, 'ui-grid-idle', () => measureIdle(browser, page));
    const longest = [...idle.all].sort((a, b) => b.duration - a.duration).slice(0, 5);
    ctx.progress(
      `${NAME}: idle ${IDLE_MS / 1000} s: ${idle.all.length} main-thread tasks, busy ${ms(idle.busyMs, 0)}, ` +
        `${idle.all.filter((t) => t.inside.has('Paint')).length} frames painted; longest: ${longest.map((t) => `${wallCpu(t)} [${heaviest([t])}]`).join('; ')}`,
    );
    const after = await pageMemory(page);
    return { first, updates, idle, loaded, after };
  } finally {
    await context.close();
  }
}

function browserRows(b: BrowserResults): ResultRow[] {
  const { first, updates, idle } = b;
  const rows: ResultRow[] = [];
  const row = (metric: string, value: string, extra: Partial<ResultRow> = {}) => rows.push({ scenario: NAME, metric, value, ...extra });
  row(`first render: navigation → ${CELLS.toLocaleString('en-US')} cells in the DOM, p50 / max (${FIRST_RENDER_LOADS} loads)`, p50max(first.cellsMs), {
    measured: Math.max(...first.cellsMs),
    target: atMost(1000, 'ms'),
  });
  row('first render: navigation → grid answer received, p50 / max', p50max(first.answerMs));
  row('first render: grid answer → cells in the DOM, p50 / max', p50max(first.cellsMs.map((c, i) => c - first.answerMs[i]!)));
  const painted = first.traced.cellsAt + first.traced.domToPaintedMs;
  row(
    'first render, 1 traced load: cells painted at; main thread from grid answer to that paint (ms)',
    `${ms(painted, 0)}; ${wallCpu(first.traced)}: ${byKind(first.traced.tasks)}`,
  );
  row(`live update: ${TASKS} cells of a run changed in the DB → in the DOM, p50 / max (1 s polling)`, p50max(updates.map((u) => u.latencyMs)));
  const busy = updates.map((u) => u.busyMs);
  const cpu = updates.map((u) => u.cpuMs);
  row(`live update: render work, main thread grid answer → frame painted, p50 / max (CPU p50 / max)`, `${p50max(busy)} (${p50max(cpu)})`, {
    measured: Math.max(...busy),
    target: atMost(100, 'ms'),
  });
  row('live update: longest single main-thread task in that work, p50 / max', p50max(updates.map((u) => u.longest.duration)));
  const slowest = updates.reduce((a, b) => (b.busyMs > a.busyMs ? b : a));
  row('live update: the slowest one by kind (ms)', byKind(slowest.tasks));
  row(`idle polling ${IDLE_MS / 1000} s: longest main-thread task`, `${wallCpu(idle.longest)}: ${byKind([idle.longest])}`, {
    measured: idle.longest.duration,
    target: atMost(50, 'ms'),
  });
  row(
    `idle polling ${IDLE_MS / 1000} s: main thread busy; long tasks (PerformanceObserver)`,
    `${((idle.busyMs / IDLE_MS) * 100).toFixed(1)}% (${ms(idle.busyMs, 0)} in ${idle.all.length} tasks); ${idle.longTasks.length} long task(s)`,
  );
  row(
    'page JS heap used after GC: grid loaded / after updates and idling; DOM nodes',
    `${mib(b.loaded.jsHeapUsedBytes)} / ${mib(b.after.jsHeapUsedBytes)}; ${b.loaded.domNodes.toLocaleString('en-US')} nodes`,
  );
  return rows;
}

export const uiGridScenario: Scenario = {
  id: 'ui-grid',
  title: `The web UI's grid of ${RUNS} runs × ${TASKS} tasks in Chromium`,
  run: (ctx) =>
    withEnvironment('ui-grid', async (env) => {
      const spec = gridDagSpec();
      const states = await seed(env.db, spec);
      ctx.progress(`${NAME}: seeded ${RUNS} runs, ${CELLS} task instances (${[...states].map(([s, n]) => `${s} ${n}`).join(', ')})`);
      const server = await startBenchWebserver(env);
      try {
        const identity = await measureApi(server.url, 'identity');
        const gzip = await measureApi(server.url, 'gzip');
        if (gzip.contentEncoding !== 'gzip') throw new Error(`the grid API answered Accept-Encoding: gzip with Content-Encoding ${gzip.contentEncoding}`);
        const browser = await launchChromium();
        let results: BrowserResults;
        try {
          results = await measureInBrowser(browser, `${server.url}/dags/${DAG_ID}/grid?runs=${RUNS}`, env.db, spec, ctx);
        } finally {
          await browser.close();
        }
        return [
          ...browserRows(results),
          {
            scenario: NAME,
            metric: `grid API answer ${RUNS} × ${TASKS}, identity: size; request → last byte p50 / max`,
            value: `${kib(identity.wireBytes)}; ${p50max(identity.ms, 1)}`,
          },
          {
            scenario: NAME,
            metric: `grid API answer ${RUNS} × ${TASKS}, gzip: size; request → last byte p50 / max`,
            value: `${kib(gzip.wireBytes)} (${((gzip.wireBytes / identity.wireBytes) * 100).toFixed(0)}%); ${p50max(gzip.ms, 1)}`,
          },
        ];
      } finally {
        await server.close();
      }
    }),
};
