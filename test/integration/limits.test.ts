import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../support/harness.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { setPool } from '../../src/store/pools.ts';
import { listTries } from '../../src/store/task-instance-reads.ts';

/** Six tasks that each sleep 150ms, so the test can see how many ran at once. */
const sleepers = (id: string, dagOptions: object, taskOptions: (i: number) => object = () => ({})) => `
import { dag } from 'sluice';
const d = dag('${id}', ${JSON.stringify(dagOptions)});
const options = ${JSON.stringify(Array.from({ length: 6 }, (_, i) => taskOptions(i)))};
options.forEach((o, i) => d.task('t' + i, o, async () => { await new Promise((r) => setTimeout(r, 150)); }));
export default d;
`;

/** Tasks in the one-slot pool 'shared_one', each sleeping its ms, with a priority weight. */
const sharing = (id: string, tasks: [string, number, number][]) => `
import { dag } from 'sluice';
const d = dag('${id}', {});
for (const [task, ms, weight] of ${JSON.stringify(tasks)}) {
  d.task(task, { pool: 'shared_one', priorityWeight: weight }, async () => { await new Promise((r) => setTimeout(r, ms)); });
}
export default d;
`;

const XCOM = `
import { dag } from 'sluice';
const d = dag('bad_xcom', {});
d.task('bigint', { retries: 2, retryDelay: '10ms' }, async () => 10n);
d.task('circular', async () => { const a: Record<string, unknown> = {}; a.self = a; return a; });
d.task('fine', async () => ({ nested: [1, 'two', null, { three: true }] }));
export default d;
`;

const TIMEOUT = `
import { dag } from 'sluice';
const d = dag('run_timeout', { dagrunTimeout: '400ms' });
d.task('slow', async () => { await new Promise((r) => setTimeout(r, 3000)); }).then(d.task('never', async () => 1));
export default d;
`;

describe('limits: maxActiveTasks, pools, priority, dagrunTimeout, XCom that cannot be stored', () => {
  const h = new Harness({
    dags: {
      'active.ts': sleepers('max_active', { maxActiveTasks: 2 }),
      'pool.ts': sleepers('pooled', {}, (i) => ({ pool: 'tiny', poolSlots: i === 0 ? 2 : 1 })),
      'priority.ts': sleepers('prioritised', { maxActiveTasks: 1 }, (i) => ({ priorityWeight: i * 10 })),
      'share_low.ts': sharing('share_low', [['hold', 1000, 1], ['l1', 100, 1], ['l2', 100, 1]]),
      'share_high.ts': sharing('share_high', [['h1', 100, 50], ['h2', 100, 50]]),
      'too_big.ts': sleepers('too_big', {}, (i) => ({ pool: 'single', poolSlots: i === 0 ? 2 : 1 })),
      'xcom.ts': XCOM,
      'timeout.ts': TIMEOUT,
    },
  });

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker({ concurrency: 16 });
    for (const id of ['max_active', 'pooled', 'prioritised', 'bad_xcom', 'run_timeout', 'too_big', 'share_low', 'share_high']) {
      await h.waitForDag(id);
    }
  });
  after(() => h.tearDown());

  test('maxActiveTasks caps the tasks of a DAG running at once', async () => {
    const run = await triggerDagRun(h.db, 'max_active', {});
    assert.equal((await h.waitForRunEnd('max_active', run.runId)).state, 'success');
    assert.equal(await h.maxConcurrentTries('max_active'), 2);
  });

  test('a pool caps slots across tasks, counting poolSlots', async () => {
    await setPool(h.db, 'tiny', 2);
    const run = await triggerDagRun(h.db, 'pooled', {});
    assert.equal((await h.waitForRunEnd('pooled', run.runId)).state, 'success');
    assert.equal(await h.maxConcurrentTries('pooled'), 2);
    const { rows } = await h.db.query<{ task_id: string; s: Date; e: Date }>(
      `SELECT task_id, start_date AS s, end_date AS e FROM task_tries WHERE dag_id = 'pooled' ORDER BY start_date`,
    );
    const big = rows.find((r) => r.task_id === 't0')!;
    for (const r of rows.filter((x) => x.task_id !== 't0')) {
      assert.ok(r.e <= big.s || r.s >= big.e, `${r.task_id} overlapped t0, which takes both slots`);
    }
  });

  test('a task needing more slots than its pool has fails with the reason instead of waiting forever', async () => {
    await setPool(h.db, 'single', 1);
    const run = await triggerDagRun(h.db, 'too_big', {});
    assert.equal((await h.waitForRunEnd('too_big', run.runId)).state, 'failed');
    const tis = await h.taskInstances('too_big', run.runId);
    assert.equal(tis.t0!.state, 'failed');
    assert.match(tis.t0!.error ?? '', /needs 2 slots of pool "single", which has only 1/);
    assert.equal(tis.t1!.state, 'success');
  });

  test('with one slot, higher priorityWeight runs first', async () => {
    const run = await triggerDagRun(h.db, 'prioritised', {});
    assert.equal((await h.waitForRunEnd('prioritised', run.runId)).state, 'success');
    const { rows } = await h.db.query<{ task_id: string }>(
      `SELECT task_id FROM task_tries WHERE dag_id = 'prioritised' ORDER BY start_date`,
    );
    assert.deepEqual(rows.map((r) => r.task_id), ['t5', 't4', 't3', 't2', 't1', 't0']);
  });

  test("a pool's freed slot goes to the higher priorityWeight whatever its DAG, before an older run's tasks", async () => {
    await setPool(h.db, 'shared_one', 1);
    const low = await triggerDagRun(h.db, 'share_low', {});
    await h.waitFor('hold to run in the one slot', async () => (await h.taskStates('share_low', low.runId)).hold === 'running');
    const high = await triggerDagRun(h.db, 'share_high', {});
    await h.waitFor("share_high's tasks to wait for the slot", async () =>
      Object.values(await h.taskStates('share_high', high.runId)).every((state) => state === 'scheduled'),
    );
    assert.equal((await h.waitForRunEnd('share_low', low.runId)).state, 'success');
    assert.equal((await h.waitForRunEnd('share_high', high.runId)).state, 'success');
    const { rows } = await h.db.query<{ task_id: string }>(
      `SELECT task_id FROM task_tries WHERE dag_id IN ('share_low', 'share_high') ORDER BY start_date`,
    );
    assert.deepEqual(rows.map((r) => r.task_id), ['hold', 'h1', 'h2', 'l1', 'l2']);
  });

  test('a return value that cannot be stored as XCom fails the task with a clear error, without retries', async () => {
    const run = await triggerDagRun(h.db, 'bad_xcom', {});
    await h.waitForRunEnd('bad_xcom', run.runId);
    const tis = await h.taskInstances('bad_xcom', run.runId);
    assert.equal(tis.bigint!.state, 'failed');
    assert.equal(tis.bigint!.tryNumber, 1);
    assert.match(tis.bigint!.error ?? '', /could not be stored as XCom: it is a BigInt/);
    assert.equal(tis.circular!.state, 'failed');
    assert.match(tis.circular!.error ?? '', /could not be stored as XCom: it cannot be turned into JSON/);
    assert.equal(tis.fine!.state, 'success');
  });

  test('dagrunTimeout fails the run and skips what had not finished', async () => {
    const run = await triggerDagRun(h.db, 'run_timeout', {});
    const ended = await h.waitForRunEnd('run_timeout', run.runId);
    assert.equal(ended.state, 'failed');
    assert.ok(ended.endDate!.getTime() - ended.startDate!.getTime() < 2500, 'the run was not cut short');
    assert.deepEqual(await h.taskStates('run_timeout', run.runId), { never: 'skipped', slow: 'skipped' });
    assert.deepEqual(await listTries(h.db, 'run_timeout', run.runId, 'never'), []);
  });
});
