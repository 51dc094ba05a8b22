/**
 * The read-side endpoints the web UI needs beyond the contract: recent runs in the DAG list, the
 * grid of runs × task instances, and backfill progress.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DagSpec } from '../../src/core/spec.ts';
import { makeRunId, type DagRunState } from '../../src/core/states.ts';
import type { Db } from '../../src/store/db.ts';
import { insertRun } from '../../src/store/runs.ts';
import type { ApiErrorBody, Backfill, BackfillList, DagList, DagRunList, Grid, PlannedBackfill } from '../../src/api/schemas/index.ts';
import { ApiFixture, client, dagSpec, taskSpec } from '../support/api-fixture.ts';

type ErrorBody = ApiErrorBody;
function assertError(reply: { status: number; body: unknown; text: string }, status: number, message: string): void {
  assert.equal(reply.status, status, `expected ${status}, got ${reply.status}: ${reply.text}`);
  assert.equal((reply.body as ErrorBody).error.message, message);
}

/** Counts the queries `work` makes through the pool the webserver shares with the test. */
async function countQueries<T>(db: Db, work: () => Promise<T>): Promise<{ result: T; queries: number }> {
  const original = db.query;
  let queries = 0;
  db.query = function (this: Db, ...args: unknown[]) {
    queries++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as Db['query'];
  try {
    return { result: await work(), queries };
  } finally {
    db.query = original;
  }
}

const day = (n: number): string => new Date(Date.UTC(2026, 0, n)).toISOString();

/** A scheduled run at `logicalDate` with a task instance for each of `spec`'s tasks; returns its id. */
async function seedRun(db: Db, spec: DagSpec, logicalDate: string, state: DagRunState = 'queued'): Promise<string> {
  const date = new Date(logicalDate);
  const run = await insertRun(
    db,
    {
      dagId: spec.dagId,
      runId: makeRunId('scheduled', date),
      runType: 'scheduled',
      logicalDate: date,
      dataIntervalStart: date,
      dataIntervalEnd: date,
      conf: {},
    },
    spec,
    'test-hash',
  );
  assert.ok(run, `no run seeded at ${logicalDate}`);
  if (state !== 'queued') await db.query('UPDATE dag_runs SET state = $3 WHERE dag_id = $1 AND run_id = $2', [spec.dagId, run.runId, state]);
  return run.runId;
}

describe('REST API for the UI', () => {
  const fx = new ApiFixture();
  let api: ReturnType<typeof client>;

  // A diamond declared out of order, and a task no one depends on declared last.
  const diamond = dagSpec('diamond', ['join', 'right', 'left', 'start', 'lonely'], [
    ['start', 'left'],
    ['start', 'right'],
    ['left', 'join'],
    ['right', 'join'],
  ]);
  // What the diamond used to be: two more tasks, since removed from the DAG file.
  const oldDiamond: DagSpec = {
    ...diamond,
    tasks: [...diamond.tasks, taskSpec('zeta_cleanup', { triggerRule: 'all_done' }), taskSpec('alpha_export')],
  };

  before(async () => {
    await fx.setUp();
    await fx.addDag(dagSpec('daily', ['only']));
    await fx.addDag(dagSpec('idle', ['only']));
    await fx.addDag(diamond);
    await fx.addDag(dagSpec('backfilled', ['only']));
    await fx.addDag(dagSpec('backfilled_too', ['only']));
    api = client((await fx.start()).url);
  });

  after(async () => {
    await fx.tearDown();
  });

  describe('GET /dags recentDagRuns', () => {
    const daily = dagSpec('daily', ['only']);

    before(async () => {
      // Sixteen days seeded out of order, so only an ORDER BY logical_date gets them right.
      for (const n of [3, 16, 1, 9, 2, 15, 4, 5, 14, 6, 7, 13, 8, 10, 12, 11]) await seedRun(fx.db, daily, day(n));
      await fx.db.query(
        `UPDATE dag_runs SET state = 'success', start_date = '2026-01-17T00:00:05Z', end_date = '2026-01-17T00:01:00Z'
         WHERE dag_id = 'daily' AND logical_date = '2026-01-16T00:00:00Z'`,
      );
      await fx.db.query(`UPDATE dag_runs SET state = 'failed' WHERE dag_id = 'daily' AND logical_date = '2026-01-15T00:00:00Z'`);
    });

    it('lists the latest 14 runs of each DAG, newest first, in the summary shape', async () => {
      const reply = await api<DagList>('GET', '/api/v1/dags');
      assert.equal(reply.status, 200, reply.text);
      const dailyDag = reply.body.dags.find((d) => d.dagId === 'daily')!;
      assert.deepEqual(
        dailyDag.recentDagRuns.map((r) => r.logicalDate),
        [16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3].map(day),
      );
      assert.deepEqual(dailyDag.recentDagRuns[0], {
        dagRunId: 'scheduled__2026-01-16T00:00:00.000Z',
        state: 'success',
        runType: 'scheduled',
        logicalDate: '2026-01-16T00:00:00.000Z',
        startDate: '2026-01-17T00:00:05.000Z',
        endDate: '2026-01-17T00:01:00.000Z',
      });
      assert.deepEqual(dailyDag.recentDagRuns[1], {
        dagRunId: 'scheduled__2026-01-15T00:00:00.000Z',
        state: 'failed',
        runType: 'scheduled',
        logicalDate: '2026-01-15T00:00:00.000Z',
        startDate: null,
        endDate: null,
      });
    });

    it('keeps latestDagRun, the full newest run', async () => {
      const reply = await api<DagList>('GET', '/api/v1/dags');
      const dailyDag = reply.body.dags.find((d) => d.dagId === 'daily')!;
      assert.equal(dailyDag.latestDagRun?.dagRunId, 'scheduled__2026-01-16T00:00:00.000Z');
      assert.equal(dailyDag.latestDagRun?.dataIntervalStart, '2026-01-16T00:00:00.000Z');
      assert.deepEqual(dailyDag.latestDagRun?.conf, {});
    });

    it('gives a DAG without runs an empty list and no latest run', async () => {
      const reply = await api<DagList>('GET', '/api/v1/dags?search=idle');
      assert.deepEqual(
        reply.body.dags.map((d) => [d.dagId, d.recentDagRuns, d.latestDagRun]),
        [['idle', [], null]],
      );
    });

    it('costs the same queries for one DAG as for all of them', async () => {
      const one = await countQueries(fx.db, () => api('GET', '/api/v1/dags?search=daily'));
      const all = await countQueries(fx.db, () => api('GET', '/api/v1/dags'));
      assert.equal(all.queries, one.queries);
    });
  });

  describe('GET /dags/:dagId/grid', () => {
    const runs: string[] = [];

    before(async () => {
      // Days 1 and 2 ran the old structure; days 3 to 5 the current one.
      runs.push(await seedRun(fx.db, oldDiamond, day(1), 'success'));
      runs.push(await seedRun(fx.db, oldDiamond, day(2), 'failed'));
      runs.push(await seedRun(fx.db, diamond, day(3), 'success'));
      runs.push(await seedRun(fx.db, diamond, day(4), 'failed'));
      runs.push(await seedRun(fx.db, diamond, day(5), 'running'));
      await fx.db.query(
        `UPDATE task_instances SET state = 'success', try_number = 2, start_date = '2026-01-05T00:00:01Z',
           end_date = '2026-01-05T00:00:04.500Z', duration_ms = 3500
         WHERE dag_id = 'diamond' AND run_id = $1 AND task_id = 'start'`,
        [runs[4]],
      );
    });

    it('orders the current tasks topologically, declaration order breaking ties, removed tasks after by name', async () => {
      const reply = await api<Grid>('GET', '/api/v1/dags/diamond/grid');
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.body.tasks, [
        { taskId: 'start', group: null, upstream: [], downstream: ['left', 'right'], triggerRule: 'all_success' },
        { taskId: 'right', group: null, upstream: ['start'], downstream: ['join'], triggerRule: 'all_success' },
        { taskId: 'left', group: null, upstream: ['start'], downstream: ['join'], triggerRule: 'all_success' },
        { taskId: 'join', group: null, upstream: ['left', 'right'], downstream: [], triggerRule: 'all_success' },
        { taskId: 'lonely', group: null, upstream: [], downstream: [], triggerRule: 'all_success' },
        { taskId: 'alpha_export', group: null, upstream: [], downstream: [], triggerRule: 'all_success' },
        { taskId: 'zeta_cleanup', group: null, upstream: [], downstream: [], triggerRule: 'all_done' },
      ]);
    });

    it('answers 304 without a body to a poll that holds the current ETag, and 200 once a cell changed', async () => {
      const first = await api<Grid>('GET', '/api/v1/dags/diamond/grid');
      const etag = first.headers.get('etag');
      assert.ok(etag, 'the grid answer has an ETag');
      const unchanged = await api('GET', '/api/v1/dags/diamond/grid', { headers: { 'if-none-match': etag } });
      assert.equal(unchanged.status, 304);
      assert.equal(unchanged.text, '');
      await fx.db.query(`UPDATE task_instances SET state = 'running' WHERE dag_id = 'diamond' AND run_id = $1 AND task_id = 'left'`, [runs[4]]);
      try {
        const changed = await api<Grid>('GET', '/api/v1/dags/diamond/grid', { headers: { 'if-none-match': etag } });
        assert.equal(changed.status, 200);
        assert.notEqual(changed.headers.get('etag'), etag);
        assert.equal(changed.body.taskInstances[runs[4]!]!.left!.state, 'running');
      } finally {
        await fx.db.query(`UPDATE task_instances SET state = 'none' WHERE dag_id = 'diamond' AND run_id = $1 AND task_id = 'left'`, [runs[4]]);
      }
    });

    it('answers runs newest first with every task instance of each, keyed by run and task', async () => {
      const reply = await api<Grid>('GET', '/api/v1/dags/diamond/grid');
      assert.equal(reply.body.totalEntries, 5);
      assert.deepEqual(reply.body.dagRuns.map((r) => r.dagRunId), [...runs].reverse());
      assert.deepEqual(reply.body.dagRuns.map((r) => r.state), ['running', 'failed', 'success', 'failed', 'success']);
      assert.equal(reply.body.dagRuns[0]!.dataIntervalEnd, day(5), 'runs are whole contract runs');
      assert.deepEqual(Object.keys(reply.body.taskInstances).sort(), [...runs].sort());
      assert.deepEqual(Object.keys(reply.body.taskInstances[runs[4]!]!).sort(), ['join', 'left', 'lonely', 'right', 'start']);
      assert.deepEqual(
        Object.keys(reply.body.taskInstances[runs[0]!]!).sort(),
        ['alpha_export', 'join', 'left', 'lonely', 'right', 'start', 'zeta_cleanup'],
      );
      assert.deepEqual(reply.body.taskInstances[runs[4]!]!.start, {
        state: 'success',
        tryNumber: 2,
        maxTries: 1,
        startDate: '2026-01-05T00:00:01.000Z',
        endDate: '2026-01-05T00:00:04.500Z',
        durationMs: 3500,
      });
      assert.deepEqual(reply.body.taskInstances[runs[4]!]!.join, {
        state: 'none',
        tryNumber: 0,
        maxTries: 1,
        startDate: null,
        endDate: null,
        durationMs: null,
      });
    });

    it('pages like GET /dagRuns, and lists removed tasks only when a listed run has them', async () => {
      const page = await api<Grid>('GET', '/api/v1/dags/diamond/grid?limit=2&offset=1');
      assert.equal(page.status, 200, page.text);
      assert.equal(page.body.totalEntries, 5);
      assert.deepEqual(page.body.dagRuns.map((r) => r.dagRunId), [runs[3], runs[2]]);
      assert.deepEqual(Object.keys(page.body.taskInstances).sort(), [runs[2], runs[3]].sort());
      assert.deepEqual(page.body.tasks.map((t) => t.taskId), ['start', 'right', 'left', 'join', 'lonely']);

      const dagRuns = await api<DagRunList>('GET', '/api/v1/dags/diamond/dagRuns?limit=2&offset=1');
      assert.deepEqual(page.body.dagRuns, dagRuns.body.dagRuns);
      assert.equal(page.body.totalEntries, dagRuns.body.totalEntries);
    });

    it('filters by run state, the total counting only the matching runs', async () => {
      const failed = await api<Grid>('GET', '/api/v1/dags/diamond/grid?state=failed');
      assert.equal(failed.body.totalEntries, 2);
      assert.deepEqual(failed.body.dagRuns.map((r) => r.dagRunId), [runs[3], runs[1]]);
      assert.deepEqual(failed.body.tasks.map((t) => t.taskId).slice(5), ['alpha_export', 'zeta_cleanup']);

      const paged = await api<Grid>('GET', '/api/v1/dags/diamond/grid?state=success&limit=1&offset=1');
      assert.equal(paged.body.totalEntries, 2);
      assert.deepEqual(paged.body.dagRuns.map((r) => r.dagRunId), [runs[0]]);
    });

    it('answers a page past the end with no runs but the total, and the DAG\'s tasks', async () => {
      const reply = await api<Grid>('GET', '/api/v1/dags/diamond/grid?offset=50');
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.body.dagRuns, []);
      assert.equal(reply.body.totalEntries, 5);
      assert.deepEqual(reply.body.taskInstances, {});
      assert.equal(reply.body.tasks.length, 5);

      const idle = await api<Grid>('GET', '/api/v1/dags/idle/grid');
      assert.deepEqual(idle.body, {
        dagRuns: [],
        totalEntries: 0,
        tasks: [{ taskId: 'only', group: null, upstream: [], downstream: [], triggerRule: 'all_success' }],
        taskInstances: {},
      });
    });

    it('is a 404 for an unknown DAG', async () => {
      assertError(await api('GET', '/api/v1/dags/nope/grid'), 404, 'DAG "nope" not found; GET /api/v1/dags lists the DAGs there are');
    });

    it('rejects a bad limit, offset or state and unknown parameters', async () => {
      const grid = (query: string) => api('GET', `/api/v1/dags/diamond/grid?${query}`);
      assertError(await grid('limit=0'), 400, 'query parameter "limit" must be an integer from 1 to 365, got "0"');
      assertError(await grid('limit=366'), 400, 'query parameter "limit" must be an integer from 1 to 365, got "366"');
      assertError(await grid('offset=-1'), 400, 'query parameter "offset" must be an integer >= 0, got "-1"');
      assertError(
        await grid('state=done'),
        400,
        'query parameter "state" must be one of queued, running, success, failed; got "done"',
      );
      assertError(
        await grid('tasks=a'),
        400,
        'the query string has unknown query parameter "tasks"; allowed: limit, offset, state',
      );
    });

    it('takes three queries for 100 runs × 50 tasks', async () => {
      const taskIds = Array.from({ length: 50 }, (_, i) => `task_${String(i).padStart(2, '0')}`);
      const wide = dagSpec('wide', taskIds, taskIds.slice(1).map((id, i): [string, string] => [taskIds[i]!, id]));
      await fx.addDag(wide);
      for (let n = 0; n < 100; n++) await seedRun(fx.db, wide, new Date(Date.UTC(2025, 0, 1 + n)).toISOString(), 'success');

      // The query count is what keeps the grid fast; timings are not asserted in tests.
      const { result, queries } = await countQueries(fx.db, () => api<Grid>('GET', '/api/v1/dags/wide/grid?limit=100'));
      assert.equal(result.status, 200, result.text);
      assert.equal(queries, 3, 'the DAG, the page of runs with its total, their task instances');
      assert.equal(result.body.dagRuns.length, 100);
      assert.deepEqual(result.body.tasks.map((t) => t.taskId), taskIds);
      const cells = Object.values(result.body.taskInstances).reduce((n, byTask) => n + Object.keys(byTask).length, 0);
      assert.equal(cells, 5000);
    });
  });

  describe('backfill progress', () => {
    const body = { dagId: 'backfilled', fromDate: '2026-02-01T00:00:00Z', toDate: '2026-02-03T00:00:00Z' };
    const setRunState = (runId: string, state: DagRunState) =>
      fx.db.query(`UPDATE dag_runs SET state = $2 WHERE dag_id = 'backfilled' AND run_id = $1`, [runId, state]);
    let backfill: Backfill;

    it('a dry run has progress null: it makes no runs to count', async () => {
      const reply = await api<PlannedBackfill>('POST', '/api/v1/backfills', { json: { ...body, dryRun: true } });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.progress, null);
    });

    it('a new backfill counts all its runs queued', async () => {
      const reply = await api<PlannedBackfill>('POST', '/api/v1/backfills', { json: body });
      assert.equal(reply.status, 201, reply.text);
      backfill = reply.body;
      assert.equal(backfill.dagRunIds.length, 3);
      assert.deepEqual(backfill.progress, { total: 3, queued: 3, running: 0, success: 0, failed: 0 });
    });

    it('GET /backfills/:id counts the runs\' current states', async () => {
      await setRunState(backfill.dagRunIds[0]!, 'success');
      await setRunState(backfill.dagRunIds[1]!, 'running');
      const reply = await api<Backfill>('GET', `/api/v1/backfills/${backfill.id}`);
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.body.progress, { total: 3, queued: 1, running: 1, success: 1, failed: 0 });
    });

    it('GET /backfills counts each listed backfill\'s own runs, in one query', async () => {
      const other = await api<PlannedBackfill>('POST', '/api/v1/backfills', {
        json: { dagId: 'backfilled_too', fromDate: '2026-03-01', toDate: '2026-03-02' },
      });
      assert.equal(other.status, 201, other.text);
      await fx.db.query(`UPDATE dag_runs SET state = 'failed' WHERE run_id = $1`, [other.body.dagRunIds[1]]);

      const { result, queries } = await countQueries(fx.db, () => api<BackfillList>('GET', '/api/v1/backfills'));
      assert.equal(queries, 1);
      assert.deepEqual(
        result.body.backfills.map((b) => [b.dagId, b.progress]),
        [
          ['backfilled_too', { total: 2, queued: 1, running: 0, success: 0, failed: 1 }],
          ['backfilled', { total: 3, queued: 1, running: 1, success: 1, failed: 0 }],
        ],
      );
    });

    it('POST /backfills/:id/cancel answers with the runs it failed counted', async () => {
      const reply = await api<Backfill>('POST', `/api/v1/backfills/${backfill.id}/cancel`);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.isCancelled, true);
      assert.deepEqual(reply.body.progress, { total: 3, queued: 0, running: 1, success: 1, failed: 1 });
    });
  });
});
