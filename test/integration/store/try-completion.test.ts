/**
 * completeTriesInStore (sluice_complete_tries) on a real database: what a batch of ended tries
 * records, the downstream tasks it schedules itself (every upstream succeeded), what it hands back
 * for the caller to decide (the other waiting downstream tasks with their counts), the runs it ends and the tries it admits; a try no longer running is dropped; a value
 * PostgreSQL refuses stores nothing of the batch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RULES_RUN_WHEN_ALL_SUCCEEDED, TRIGGER_RULES, type TriggerRule } from '../../../src/core/trigger-rules.ts';
import { tryKeyString, type TryKey } from '../../../src/store/task-instances.ts';
import { completeTriesInStore, scheduleDecided, type TryEnd } from '../../../src/store/try-completion.ts';
import { readXcom } from '../../../src/store/xcom.ts';
import { setPool } from '../../../src/store/pools.ts';
import { readLog } from '../../../src/store/logs.ts';
import { sweepRunningRuns } from '../../../src/engine/sweep.ts';
import { createLogger } from '../../../src/log.ts';
import type { QueuedTry } from '../../../src/queue/jobs.ts';
import type { TaskQueues } from '../../../src/queue/task-queues.ts';
import { dagSpec } from '../../support/specs.ts';
import { openStoreDb, putTaskInState, seedRunningRun, taskRow, triesOf, type StoreDb } from '../../support/store-db.ts';

// a → b, a → c, b → d, c → d: d is a fan-in of two.
const TASKS = ['a', 'b', 'c', 'd'];
const EDGES: [string, string][] = [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd']];

const end = (run: { dagId: string; runId: string }, taskId: string, state: TryEnd['state'], extra: Partial<TryEnd> = {}): TryEnd => ({
  key: { ...run, taskId, mapIndex: -1, tryNumber: 1 },
  state,
  error: state === 'success' || state === 'skipped' ? null : 'boom',
  nextTryAt: state === 'up_for_retry' ? new Date(Date.now() + 60_000) : null,
  ...extra,
});

describe('completeTriesInStore', () => {
  let s: StoreDb;
  let n = 0;
  /**
   * A fresh DAG (own id, so runs never share counts) with one running run, every task waiting;
   * `rules` gives tasks a trigger rule other than all_success.
   */
  async function freshRun(overrides: Parameters<typeof dagSpec>[3] = {}, rules: Record<string, TriggerRule> = {}) {
    const spec = dagSpec(`dag_${++n}`, TASKS, EDGES, overrides);
    spec.tasks = spec.tasks.map((t) => (rules[t.taskId] ? { ...t, triggerRule: rules[t.taskId]! } : t));
    return seedRunningRun(s.db, spec);
  }

  /**
   * Two fresh runs whose tasks are all in a pool of their own: `mine`, whose b, c and d never run
   * on success (one_failed, so only `other`'s tasks wait in the pool), and `other`.
   */
  async function twoDagsInPool(pool: string, slots: number) {
    const mine = await freshRun({}, { b: 'one_failed', c: 'one_failed', d: 'one_failed' });
    const other = await freshRun();
    await setPool(s.db, pool, slots);
    await s.db.query(`UPDATE task_instances SET pool = $2 WHERE dag_id = ANY ($1)`, [[mine.dagId, other.dagId], pool]);
    return { mine, other };
  }

  before(async () => {
    s = await openStoreDb('try_completion');
  });
  after(() => s.close());

  test('records the tries, their history and XCom, and returns the waiting downstream tasks with the counts they now have', async () => {
    const run = await freshRun();
    await putTaskInState(s.db, { ...run, taskId: 'a' }, 'success');
    await putTaskInState(s.db, { ...run, taskId: 'b' }, 'running');
    const done = await completeTriesInStore(s.db, [end(run, 'b', 'success', { xcomJson: '{"rows":3}' })], []);

    assert.deepEqual([...done.recorded], [tryKeyString({ ...run, taskId: 'b', mapIndex: -1, tryNumber: 1 })]);
    assert.equal((await taskRow(s.db, { ...run, taskId: 'b' })).state, 'success');
    assert.deepEqual((await triesOf(s.db, { ...run, taskId: 'b' })).map((t) => [t.try_number, t.state]), [[1, 'success']]);
    assert.deepEqual(await readXcom(s.db, run.dagId, run.runId, 'b'), { found: true, value: { rows: 3 } });
    assert.deepEqual(done.waiting, [
      { ...run, taskId: 'd', triggerRule: 'all_success', counts: { total: 2, success: 1, failed: 0, upstreamFailed: 0, skipped: 0 } },
    ]);
    assert.deepEqual(done.endedRuns, []);
  });

  test('a try that is no longer running is dropped: not recorded, nothing written for it', async () => {
    const run = await freshRun();
    await putTaskInState(s.db, { ...run, taskId: 'a' }, 'failed');
    const done = await completeTriesInStore(s.db, [end(run, 'a', 'success', { xcomJson: '1' })], []);
    assert.equal(done.recorded.size, 0);
    assert.equal((await taskRow(s.db, { ...run, taskId: 'a' })).state, 'failed');
    assert.equal((await readXcom(s.db, run.dagId, run.runId, 'a')).found, false);
    assert.deepEqual(done.waiting, []);
  });

  test('a retry decides nothing downstream; a failure is counted there; an XCom goes only with success', async () => {
    const run = await freshRun();
    await putTaskInState(s.db, { ...run, taskId: 'a' }, 'success');
    await putTaskInState(s.db, { ...run, taskId: 'b' }, 'running');
    await putTaskInState(s.db, { ...run, taskId: 'c' }, 'running');
    const retry = await completeTriesInStore(s.db, [end(run, 'b', 'up_for_retry', { xcomJson: '"x"' })], []);
    assert.equal(retry.recorded.size, 1);
    assert.deepEqual(retry.waiting, []);
    assert.equal((await readXcom(s.db, run.dagId, run.runId, 'b')).found, false);

    const failed = await completeTriesInStore(s.db, [end(run, 'c', 'failed')], []);
    assert.deepEqual(failed.waiting.map((w) => [w.taskId, w.counts.failed, w.counts.success]), [['d', 1, 0]]);
  });

  test('the last leaf ends the run; a batch admits what the slots it freed allow', async () => {
    const run = await freshRun();
    for (const id of ['a', 'b', 'c']) await putTaskInState(s.db, { ...run, taskId: id }, 'success');
    await putTaskInState(s.db, { ...run, taskId: 'd' }, 'running');
    const done = await completeTriesInStore(s.db, [end(run, 'd', 'success')], []);
    assert.deepEqual(done.endedRuns, [{ ...run, state: 'success' }]);

    // maxActiveTasks 1: b holds the slot, c is scheduled; b's end lets c in.
    const limited = await freshRun({ maxActiveTasks: 1 });
    await putTaskInState(s.db, { ...limited, taskId: 'a' }, 'success');
    await putTaskInState(s.db, { ...limited, taskId: 'b' }, 'running');
    await putTaskInState(s.db, { ...limited, taskId: 'c' }, 'scheduled');
    const admitted = await completeTriesInStore(s.db, [end(limited, 'b', 'success')], []);
    assert.deepEqual(
      admitted.queued.map((q) => [q.taskId, q.tryNumber]),
      [['c', 1]],
    );
    assert.equal((await taskRow(s.db, { ...limited, taskId: 'c' })).state, 'queued');
  });

  test("a run's end admits the DAG's other runs' tasks itself; with runs queued, it leaves the DAG to the caller, which starts them", async () => {
    const spec = dagSpec(`dag_${++n}`, TASKS, EDGES, { maxActiveTasks: 1 });
    const first = await seedRunningRun(s.db, spec, 'manual__1');
    const second = await seedRunningRun(s.db, spec, 'manual__2', new Date('2026-01-02T00:00:00Z'));
    for (const id of ['a', 'b', 'c']) await putTaskInState(s.db, { ...first, taskId: id }, 'success');
    await putTaskInState(s.db, { ...first, taskId: 'd' }, 'running');
    await putTaskInState(s.db, { ...second, taskId: 'a' }, 'scheduled');
    const done = await completeTriesInStore(s.db, [end(first, 'd', 'success')], []);
    assert.deepEqual(done.endedRuns, [{ ...first, state: 'success' }]);
    assert.deepEqual(done.runsToStart, [], 'no run of the DAG is queued');
    assert.deepEqual(done.queued.map((q) => [q.runId, q.taskId]), [[second.runId, 'a']], "the freed slot goes to the other run's task");

    for (const id of ['b', 'c']) await putTaskInState(s.db, { ...second, taskId: id }, 'success');
    await putTaskInState(s.db, { ...second, taskId: 'a' }, 'success');
    await putTaskInState(s.db, { ...second, taskId: 'd' }, 'running');
    await seedRunningRun(s.db, spec, 'manual__3', new Date('2026-01-03T00:00:00Z'));
    await s.db.query(`UPDATE dag_runs SET state = 'queued' WHERE dag_id = $1 AND run_id = 'manual__3'`, [spec.dagId]);
    const last = await completeTriesInStore(s.db, [end(second, 'd', 'success')], []);
    assert.deepEqual(last.runsToStart, [spec.dagId]);
    assert.deepEqual(last.queued, [], 'the caller admits, once it has started the queued run');
  });

  test("hands a full pool's freed slot to the next task in line, whatever its DAG, without the pool's lock", async () => {
    // mine's d is never scheduled (one_failed, and nothing fails). A pool of one slot, their own.
    const mine = await freshRun({}, { d: 'one_failed' });
    const other = await freshRun();
    await setPool(s.db, 'handed', 1);
    await s.db.query(`UPDATE task_instances SET pool = 'handed' WHERE dag_id = ANY ($1)`, [[mine.dagId, other.dagId]]);
    await putTaskInState(s.db, { ...other, taskId: 'a' }, 'scheduled');
    await putTaskInState(s.db, { ...mine, taskId: 'a' }, 'running');
    const holder = await s.db.connect();
    try {
      // Another transaction admitting in the pool holds its lock: the hand-over needs none.
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtext('sluice.pool.handed'))`);
      const done = await completeTriesInStore(s.db, [end(mine, 'a', 'success')], []);
      // mine's b and c became ready too, but other's a was in line first (its run is as old,
      // its DAG's name sorts first): the one slot went to it, and the pool is full again.
      const first = [mine.dagId, other.dagId].sort()[0] === other.dagId ? other : mine;
      assert.equal(done.queued.length, 1, 'one slot freed, one try queued');
      assert.equal(done.queued[0]!.dagId, first.dagId);
      assert.deepEqual([...done.othersWaiting], [], 'no room left to ask for');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
  });

  test('a pool made smaller than what it holds gets nothing handed on until it is back within its size', async () => {
    const { mine, other } = await twoDagsInPool('shrunk', 2);
    await putTaskInState(s.db, { ...mine, taskId: 'a' }, 'success');
    for (const id of ['b', 'c']) await putTaskInState(s.db, { ...mine, taskId: id }, 'running');
    await putTaskInState(s.db, { ...other, taskId: 'a' }, 'scheduled');
    await setPool(s.db, 'shrunk', 1);
    const over = await completeTriesInStore(s.db, [end(mine, 'b', 'success')], []);
    assert.deepEqual(over.queued, [], 'one of two ended: the pool of one is full');
    const within = await completeTriesInStore(s.db, [end(mine, 'c', 'success')], []);
    assert.deepEqual(within.queued.map((q) => `${q.dagId}.${q.taskId}`), [`${other.dagId}.a`]);
  });

  test("room beyond the freed slots goes to other DAGs' tasks at once, or, with the pool's lock taken, the pool is named for the caller without waiting", async () => {
    const { mine, other } = await twoDagsInPool('hinted', 10);
    await putTaskInState(s.db, { ...mine, taskId: 'a' }, 'running');
    const alone = await completeTriesInStore(s.db, [end(mine, 'a', 'success')], []);
    assert.deepEqual([alone.queued, [...alone.othersWaiting]], [[], []], 'no other DAG waits: nothing to hand over or ask for');

    for (const id of ['a', 'b', 'c', 'd']) await putTaskInState(s.db, { ...other, taskId: id }, 'scheduled');
    for (const id of ['b', 'c']) await putTaskInState(s.db, { ...mine, taskId: id }, 'running');
    const holder = await s.db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtext('sluice.pool.hinted'))`);
      const busy = await completeTriesInStore(s.db, [end(mine, 'b', 'success')], []);
      assert.deepEqual(busy.queued.map((q) => q.taskId), ['a'], 'the freed slot is handed over, in line');
      assert.deepEqual([...busy.othersWaiting], ['hinted'], 'the room left is named, not waited for');
      for (const id of ['b', 'c', 'd']) assert.equal((await taskRow(s.db, { ...other, taskId: id })).state, 'scheduled');
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const free = await completeTriesInStore(s.db, [end(mine, 'c', 'success')], []);
    assert.deepEqual(free.queued.map((q) => q.taskId).sort(), ['b', 'c', 'd'], 'the freed slot and the room left');
    assert.deepEqual([...free.othersWaiting], []);
  });

  test('two tries of a fan-in ending in one batch are both counted, and the log lines go in with them', async () => {
    const run = await freshRun();
    await putTaskInState(s.db, { ...run, taskId: 'a' }, 'success');
    for (const id of ['b', 'c']) await putTaskInState(s.db, { ...run, taskId: id }, 'running');
    const key = (taskId: string): TryKey => ({ ...run, taskId, mapIndex: -1, tryNumber: 1 });
    const done = await completeTriesInStore(
      s.db,
      [end(run, 'b', 'success'), end(run, 'c', 'skipped')],
      [{ ...key('b'), chunk: '{"msg":"from b"}\n' }],
    );
    assert.equal(done.recorded.size, 2);
    assert.deepEqual(done.waiting.map((w) => [w.taskId, w.counts.success, w.counts.skipped]), [['d', 1, 1]]);
    assert.match(await readLog(s.db, run.dagId, run.runId, 'b', 1), /from b/);
  });

  test('a value PostgreSQL refuses fails the whole batch: nothing of it is stored', async () => {
    const run = await freshRun();
    await putTaskInState(s.db, { ...run, taskId: 'a' }, 'success');
    for (const id of ['b', 'c']) await putTaskInState(s.db, { ...run, taskId: id }, 'running');
    await assert.rejects(
      completeTriesInStore(s.db, [end(run, 'b', 'success', { xcomJson: '{"ok":1}' }), end(run, 'c', 'success', { xcomJson: '"\\u0000"' })], []),
      /unsupported Unicode escape sequence|invalid input syntax for type json/,
    );
    for (const id of ['b', 'c']) assert.equal((await taskRow(s.db, { ...run, taskId: id })).state, 'running');
    assert.equal((await readXcom(s.db, run.dagId, run.runId, 'b')).found, false);
    assert.equal((await taskRow(s.db, { ...run, taskId: 'd' })).upstream_success, 0);
  });

  test('a task whose upstreams all succeeded is scheduled and admitted by the completion itself, under the rules that run then', async () => {
    for (const rule of TRIGGER_RULES) {
      const run = await freshRun({}, { d: rule });
      await putTaskInState(s.db, { ...run, taskId: 'a' }, 'success');
      await putTaskInState(s.db, { ...run, taskId: 'b' }, 'success');
      await putTaskInState(s.db, { ...run, taskId: 'c' }, 'running');
      const done = await completeTriesInStore(s.db, [end(run, 'c', 'success')], []);
      const d = await taskRow(s.db, { ...run, taskId: 'd' });
      if (RULES_RUN_WHEN_ALL_SUCCEEDED.includes(rule)) {
        assert.equal(d.state, 'queued', rule);
        assert.deepEqual(done.queued.map((q) => [q.taskId, q.tryNumber]), [['d', 1]], rule);
        assert.deepEqual(done.waiting, [], rule);
      } else {
        // Judged by the caller (evaluateTriggerRule: a skip), on the counts handed back.
        assert.equal(d.state, 'none', rule);
        assert.deepEqual(done.waiting.map((w) => [w.taskId, w.triggerRule, w.counts.success, w.counts.total]), [['d', rule, 2, 2]], rule);
      }
    }
  });

  test('scheduleDecided schedules a task judged on the counts it still has, and admits it', async () => {
    // d runs on one success: after b, the caller's verdict, not the completion's own.
    const run = await freshRun({}, { d: 'one_success' });
    await putTaskInState(s.db, { ...run, taskId: 'a' }, 'success');
    for (const id of ['b', 'c']) await putTaskInState(s.db, { ...run, taskId: id }, 'running');
    const done = await completeTriesInStore(s.db, [end(run, 'b', 'success')], []);
    assert.deepEqual(done.waiting.map((w) => [w.taskId, w.counts.success, w.counts.total]), [['d', 1, 2]]);
    assert.equal((await taskRow(s.db, { ...run, taskId: 'd' })).state, 'none');
    const queued = await scheduleDecided(s.db, done.waiting);
    assert.deepEqual(queued.map((q) => [q.taskId, q.tryNumber, q.pool]), [['d', 1, 'default_pool']]);
    assert.equal((await taskRow(s.db, { ...run, taskId: 'd' })).state, 'queued');
  });

  test('scheduleDecided leaves waiting a task whose counts moved since they were read (its mover decides it)', async () => {
    const run = await freshRun();
    await putTaskInState(s.db, { ...run, taskId: 'a' }, 'success');
    for (const id of ['b', 'c']) await putTaskInState(s.db, { ...run, taskId: id }, 'running');
    const first = await completeTriesInStore(s.db, [end(run, 'b', 'success')], []);
    // c ends before b's verdict on d is applied: d's counts are no longer the ones it was judged on.
    const second = await completeTriesInStore(s.db, [end(run, 'c', 'failed')], []);
    const stale = first.waiting.map((w) => ({ ...w, counts: { ...w.counts, success: 1 } }));
    assert.deepEqual(await scheduleDecided(s.db, stale), []);
    assert.equal((await taskRow(s.db, { ...run, taskId: 'd' })).state, 'none');
    assert.deepEqual(second.waiting.map((w) => [w.taskId, w.counts.success, w.counts.failed]), [['d', 1, 1]]);
  });

  test('a crash between the completion and its decision step: the scheduler\'s sweep decides and sends what was left', async () => {
    const run = await freshRun({}, { d: 'one_success' });
    await putTaskInState(s.db, { ...run, taskId: 'a' }, 'success');
    for (const id of ['b', 'c']) await putTaskInState(s.db, { ...run, taskId: id }, 'running');
    // Step one only: the process died before scheduleDecided.
    const done = await completeTriesInStore(s.db, [end(run, 'b', 'success')], []);
    assert.deepEqual(done.waiting.map((w) => w.taskId), ['d']);
    assert.equal((await taskRow(s.db, { ...run, taskId: 'd' })).state, 'none');

    const sent: QueuedTry[] = [];
    const queues = { enqueue: async (tries: QueuedTry[]) => void sent.push(...tries) } as unknown as TaskQueues;
    await sweepRunningRuns({ db: s.db, queues, log: createLogger('silent', 'sweep-test') });
    assert.equal((await taskRow(s.db, { ...run, taskId: 'd' })).state, 'queued');
    assert.deepEqual(sent.filter((q) => q.dagId === run.dagId && q.runId === run.runId).map((q) => q.taskId), ['d']);
  });
});
