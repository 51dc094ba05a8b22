/**
 * What the UI reads of mapped tasks, through a real scheduler, worker and webserver: the grid's
 * one cell per mapped task and run summing up its instances (most pressing state, counts by
 * state, earliest start to latest end, highest try), unmapped cells as they were, the task
 * instance list filtered to one task and paged, and a grid of a 10,000-instance run answered fast.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Webserver } from '../../src/api/server.ts';
import type { DagDetail, Grid, TaskInstanceList } from '../../src/api/schemas/index.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { Harness } from '../support/harness.ts';

const DAG = `
import { dag, FailTask } from 'sluice';
const d = dag('mapped_ui');
const items = d.task('items', async () => ['a', 'b', 'c', 'd']);
const parts = d.task('parts', { expand: items }, async (ctx) => {
  if (ctx.mapItem === 'b') throw new FailTask('b is broken');
  return ctx.mapIndex;
});
parts.then(d.task('after', { triggerRule: 'all_done' }, async () => 'ran'));
export default d;
`;

describe('mapped tasks in the UI API', () => {
  let h: Harness;
  let web: Webserver;
  let base: string;
  let runId: string;

  before(async () => {
    h = new Harness();
    await h.setUp();
    await h.writeDag('mapped_ui.ts', DAG);
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('mapped_ui');
    web = await h.startWebserver();
    base = `${web.url}/api/v1`;
    runId = (await triggerDagRun(h.db, 'mapped_ui', {})).runId;
    // The leaf 'after' runs whatever parts did, so the run succeeds beside a failed instance.
    assert.equal((await h.waitForRunEnd('mapped_ui', runId, 60_000)).state, 'success');
  });
  after(() => h.tearDown());

  const getJson = async <T>(path: string): Promise<T> => {
    const reply = await fetch(`${base}${path}`);
    assert.equal(reply.status, 200, `${path}: ${await reply.clone().text()}`);
    return (await reply.json()) as T;
  };

  test("the grid gives a mapped task one cell per run that sums up its instances; other cells keep their shape", async () => {
    const grid = await getJson<Grid>('/dags/mapped_ui/grid');
    assert.deepEqual(
      grid.tasks.map((t) => t.taskId),
      ['items', 'parts', 'after'],
      'one row per task, a mapped one too',
    );
    const cells = grid.taskInstances[runId]!;
    const parts = cells.parts!;
    assert.equal(parts.state, 'failed', 'the most pressing of its instances');
    assert.deepEqual(parts.mapped, { count: 4, states: { success: 3, failed: 1 } });
    assert.equal(parts.tryNumber, 1);
    assert.ok(parts.startDate && parts.endDate);

    const { taskInstances } = await getJson<TaskInstanceList>(`/dags/mapped_ui/dagRuns/${encodeURIComponent(runId)}/taskInstances?taskId=parts`);
    const starts = taskInstances.map((ti) => Date.parse(ti.startDate!));
    const ends = taskInstances.map((ti) => Date.parse(ti.endDate!));
    assert.equal(parts.startDate, new Date(Math.min(...starts)).toISOString(), 'the earliest start');
    assert.equal(parts.endDate, new Date(Math.max(...ends)).toISOString(), 'the latest end');
    assert.equal(parts.durationMs, Math.max(...ends) - Math.min(...starts));

    for (const taskId of ['items', 'after']) {
      assert.equal(cells[taskId]!.state, 'success');
      assert.ok(!('mapped' in cells[taskId]!), `${taskId} is not mapped: its cell has no summary`);
    }
  });

  test('a DAG\'s tasks say which are mapped (declared with expand), run or not', async () => {
    const dag = await getJson<DagDetail>('/dags/mapped_ui');
    assert.deepEqual(Object.fromEntries(dag.tasks.map((t) => [t.taskId, t.mapped])), { items: false, parts: true, after: false });
  });

  test("the list of a run's task instances keeps one task's with ?taskId, and pages them", async () => {
    const path = `/dags/mapped_ui/dagRuns/${encodeURIComponent(runId)}/taskInstances`;
    const all = await getJson<TaskInstanceList>(path);
    assert.equal(all.totalEntries, 6);
    const parts = await getJson<TaskInstanceList>(`${path}?taskId=parts`);
    assert.equal(parts.totalEntries, 4);
    assert.deepEqual(
      parts.taskInstances.map((ti) => [ti.taskId, ti.mapIndex, ti.state]),
      [
        ['parts', 0, 'success'],
        ['parts', 1, 'failed'],
        ['parts', 2, 'success'],
        ['parts', 3, 'success'],
      ],
    );
    const page = await getJson<TaskInstanceList>(`${path}?taskId=parts&limit=2&offset=2`);
    assert.deepEqual(
      page.taskInstances.map((ti) => ti.mapIndex),
      [2, 3],
    );
    assert.equal(page.totalEntries, 4);
    // Paged in SQL: a page past the end still counts them all.
    assert.deepEqual(await getJson<TaskInstanceList>(`${path}?taskId=parts&offset=10`), { taskInstances: [], totalEntries: 4 });
    assert.deepEqual((await getJson<TaskInstanceList>(`${path}?limit=1&offset=5`)).totalEntries, 6);
    const none = await getJson<TaskInstanceList>(`${path}?taskId=nope`);
    assert.deepEqual(none, { taskInstances: [], totalEntries: 0 });
  });

  test('the grid of a run with 10,000 mapped instances answers in well under a second, counts exact', async () => {
    // Copies of a finished instance as task 'wide' (one the DAG no longer has: its row stays, by name).
    await h.db.query(
      `INSERT INTO task_instances
       SELECT r.* FROM task_instances t, generate_series(0, 9999) g,
         LATERAL jsonb_populate_record(t, jsonb_build_object('task_id', 'wide', 'map_index', g,
           'state', CASE WHEN g % 1000 = 7 THEN 'failed' WHEN g % 10 = 0 THEN 'running' ELSE 'success' END,
           'end_date', CASE WHEN g % 10 = 0 THEN NULL ELSE t.end_date END)) r
       WHERE t.dag_id = 'mapped_ui' AND t.run_id = $1 AND t.task_id = 'parts' AND t.map_index = 0`,
      [runId],
    );
    await getJson<Grid>('/dags/mapped_ui/grid'); // warm: the first request compiles what it uses
    const t0 = performance.now();
    const grid = await getJson<Grid>('/dags/mapped_ui/grid');
    const elapsed = performance.now() - t0;
    const wide = grid.taskInstances[runId]!.wide!;
    assert.deepEqual(wide.mapped, { count: 10_000, states: { failed: 10, running: 1_000, success: 8_990 } });
    assert.equal(wide.state, 'failed');
    assert.equal(wide.endDate, null, 'no end while 1,000 instances run');
    assert.equal(wide.durationMs, null);
    assert.equal(grid.tasks.filter((t) => t.taskId === 'wide').length, 1, 'one row');
    assert.ok(elapsed < 500, `the grid took ${elapsed.toFixed(0)} ms`);
  });
});
