/**
 * Task groups end to end: a DAG file with nested groups is parsed, its tasks carry their group and
 * its groups their tooltips through the API (the grid's rows their group too), a run goes through the groups' edges in order, and a
 * grouped task's dotted id works in the task-instance routes and in XCom between tasks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Webserver } from '../../src/api/server.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import type { DagDetail, Grid, TaskInstance } from '../../src/api/schemas/index.ts';
import { Harness } from '../support/harness.ts';

const GROUPED = `
import { dag, chain } from 'sluice';
const d = dag('grouped', { defaultArgs: { retries: 1 } });
const start = d.task('start', async () => 'go');
const extract = d.group('extract', { tooltip: 'from the shop', defaultArgs: { retries: 3 } });
const orders = extract.task('orders', async (ctx) => (await ctx.xcom('start')) + ':orders');
const mongo = extract.group('mongo');
const users = mongo.task('users', async () => 'users');
const load = d.task('load', async (ctx) => [await ctx.xcom('extract.orders'), await ctx.xcom('extract.mongo.users')].join(','));
chain(start, extract, load);
export default d;
`;

describe('task groups: ids, edges and the API', () => {
  const h = new Harness({ dags: { 'grouped.ts': GROUPED } });
  let web: Webserver;
  let base: string;

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('grouped');
    web = await h.startWebserver();
    base = `${web.url}/api/v1`;
  });
  after(async () => {
    await h.tearDown();
  });

  test('the API gives each task its group, and the DAG its groups with their tooltips', async () => {
    const reply = (await (await fetch(`${base}/dags/grouped`)).json()) as DagDetail;
    assert.deepEqual(
      reply.tasks.map((t) => [t.taskId, t.group, t.upstream, t.retries]),
      [
        ['start', null, [], 1],
        ['extract.orders', 'extract', ['start'], 3],
        ['extract.mongo.users', 'extract.mongo', ['start'], 3],
        ['load', null, ['extract.mongo.users', 'extract.orders'], 1],
      ],
    );
    assert.deepEqual(reply.groups, [
      { groupId: 'extract', tooltip: 'from the shop' },
      { groupId: 'extract.mongo', tooltip: '' },
    ]);
  });

  test('the grid gives each row its group, as the DAG does', async () => {
    const grid = (await (await fetch(`${base}/dags/grouped/grid`)).json()) as Grid;
    assert.deepEqual(
      grid.tasks.map((t) => [t.taskId, t.group]),
      [
        ['start', null],
        ['extract.orders', 'extract'],
        ['extract.mongo.users', 'extract.mongo'],
        ['load', null],
      ],
    );
  });

  test('a run follows the groups\' edges, and a grouped task is addressed by its dotted id', async () => {
    const run = await triggerDagRun(h.db, 'grouped', {});
    assert.equal((await h.waitForRunEnd('grouped', run.runId)).state, 'success');
    const runPath = `${base}/dags/grouped/dagRuns/${encodeURIComponent(run.runId)}`;
    const xcom = (await (await fetch(`${runPath}/taskInstances/load/xcom`)).json()) as { value: unknown };
    assert.equal(xcom.value, 'go:orders,users');
    const ti = (await (await fetch(`${runPath}/taskInstances/extract.mongo.users`)).json()) as TaskInstance;
    assert.equal(ti.taskId, 'extract.mongo.users');
    assert.equal(ti.state, 'success');
    const log = await fetch(`${runPath}/taskInstances/extract.orders/logs/1`);
    assert.equal(log.status, 200);
  });
});
