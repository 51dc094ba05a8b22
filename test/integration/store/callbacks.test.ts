/**
 * Callbacks in the store (src/store/callbacks.ts, ti_record_callbacks.sql, run_record_callbacks.sql)
 * on a real database, without processes: the triggers record exactly the declared events, with
 * what happened, and nothing for rows without callbacks; each transition of a callback row moves
 * only from the states its guard names, and a worker that lost its claim changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { TaskCallbackKind } from '../../../src/core/spec.ts';
import {
  claimCallback,
  extendCallbackLeases,
  finishCallback,
  listRunCallbacks,
  releaseExpiredCallbackLeases,
  takeCallbacksToSend,
  type CallbackRecord,
} from '../../../src/store/callbacks.ts';
import { finalizeRun, timeoutRun } from '../../../src/store/runs.ts';
import { markByHand } from '../../../src/store/task-instances.ts';
import { dagSpec, taskSpec } from '../../support/specs.ts';
import { openStoreDb, putTaskInState, seedRunningRun, type StoreDb } from '../../support/store-db.ts';

const spec = (dagId: string, kinds: { a?: TaskCallbackKind[]; run?: ('success' | 'failure')[] }) => {
  const s = dagSpec(dagId, ['a', 'b'], [['a', 'b']], kinds.run ? { callbacks: kinds.run } : {});
  s.tasks[0] = taskSpec('a', { ...s.tasks[0], ...(kinds.a ? { callbacks: kinds.a } : {}) });
  return s;
};

describe('callbacks in the store', () => {
  let store: StoreDb;
  let n = 0;
  let dagId: string;
  before(async () => {
    store = await openStoreDb('callbacks');
  });
  after(() => store.close());
  beforeEach(() => {
    dagId = `d${++n}`;
  });

  const list = async (runId = 'manual__1'): Promise<CallbackRecord[]> => (await listRunCallbacks(store.db, dagId, runId, 100, 0)).callbacks;
  const set = (taskId: string, state: string, error: string | null = null) =>
    store.db.query(`UPDATE task_instances SET state = $3, error = $4 WHERE dag_id = $1 AND task_id = $2`, [dagId, taskId, state, error]);

  test('a run made from a spec keeps which events have callbacks on its rows, NULL where none', async () => {
    await seedRunningRun(store.db, spec(dagId, { a: ['failure', 'retry'], run: ['success'] }));
    const { rows } = await store.db.query(
      `SELECT task_id, callbacks FROM task_instances WHERE dag_id = $1 ORDER BY task_id`,
      [dagId],
    );
    assert.deepEqual(rows, [{ task_id: 'a', callbacks: ['failure', 'retry'] }, { task_id: 'b', callbacks: null }]);
    const run = await store.db.query(`SELECT callbacks FROM dag_runs WHERE dag_id = $1`, [dagId]);
    assert.deepEqual(run.rows[0].callbacks, ['success']);
  });

  test('records the declared task events only, with the try, state and error, whatever changes the state', async () => {
    await seedRunningRun(store.db, spec(dagId, { a: ['failure', 'retry'] }));
    await putTaskInState(store.db, { dagId, runId: 'manual__1', taskId: 'a' }, 'running');
    await set('a', 'up_for_retry', 'first try failed');
    await set('a', 'up_for_retry', 'first try failed'); // no change of state: nothing
    await set('a', 'running');
    await set('a', 'success'); // not declared
    await markByHand(store.db, { dagId, runId: 'manual__1', taskId: 'a', mapIndex: -1 }, 'failed');
    await set('b', 'failed', 'no callbacks'); // b has none
    const events = (await list()).map((c) => [c.event, c.taskId, c.mapIndex, c.tryNumber, c.eventState, c.eventError, c.state, c.tries]);
    assert.deepEqual(events, [
      ['task_retry', 'a', -1, 1, 'up_for_retry', 'first try failed', 'pending', 0],
      ['task_failure', 'a', -1, 1, 'failed', 'marked failed by a user', 'pending', 0],
    ]);
  });

  test('a mapped task whose expansion fails records task_failure; its instances keep the events of their task', async () => {
    await seedRunningRun(store.db, spec(dagId, { a: ['failure', 'success'] }));
    // Over a source that returned nothing: the expansion (ti_expand_mapped.sql) fails the task.
    await store.db.query(`UPDATE task_instances SET expand = '{"source": "b"}', max_map_length = 10 WHERE dag_id = $1 AND task_id = 'a'`, [dagId]);
    await store.db.query(`UPDATE task_instances SET state = 'scheduled' WHERE dag_id = $1 AND task_id = 'a'`, [dagId]);
    const [failure] = await list();
    assert.deepEqual([failure?.event, failure?.taskId, failure?.eventState], ['task_failure', 'a', 'failed']);
    assert.match(failure!.eventError ?? '', /cannot expand: task "b" returned nothing/);

    // Over three items: each instance is a row with the task's events, and records its own.
    await seedRunningRun(store.db, spec(dagId, { a: ['success'] }), 'manual__2', new Date('2026-01-02T00:00:00Z'));
    await store.db.query(
      `UPDATE task_instances SET expand = '{"items": [1, 2, 3]}', max_map_length = 10 WHERE dag_id = $1 AND run_id = 'manual__2' AND task_id = 'a'`,
      [dagId],
    );
    await store.db.query(`UPDATE task_instances SET state = 'scheduled' WHERE dag_id = $1 AND run_id = 'manual__2' AND task_id = 'a'`, [dagId]);
    await store.db.query(`UPDATE task_instances SET state = 'success' WHERE dag_id = $1 AND run_id = 'manual__2' AND task_id = 'a'`, [dagId]);
    assert.deepEqual((await list('manual__2')).map((c) => [c.event, c.mapIndex]).sort(), [['task_success', 0], ['task_success', 1], ['task_success', 2]]);
  });

  test('a statement that changes many rows records each row that declares the event', async () => {
    await seedRunningRun(store.db, spec(dagId, { a: ['success'] }));
    await store.db.query(
      `UPDATE task_instances SET callbacks = '{success}', map_index = 0 WHERE dag_id = $1 AND task_id = 'b'`,
      [dagId],
    );
    await store.db.query(`UPDATE task_instances SET state = 'success' WHERE dag_id = $1`, [dagId]);
    assert.deepEqual((await list()).map((c) => [c.event, c.taskId, c.mapIndex]).sort(), [
      ['task_success', 'a', -1],
      ['task_success', 'b', 0],
    ]);
  });

  test('run events: success, a failure naming the task that failed, and a timeout saying so', async () => {
    await seedRunningRun(store.db, spec(dagId, { run: ['success', 'failure'] }));
    await set('a', 'failed', 'boom');
    await set('b', 'upstream_failed');
    assert.equal(await finalizeRun(store.db, dagId, 'manual__1'), 'failed');
    await seedRunningRun(store.db, spec(dagId, { run: ['success', 'failure'] }), 'manual__2', new Date('2026-01-02T00:00:00Z'));
    assert.equal(await timeoutRun(store.db, dagId, 'manual__2'), true);
    await seedRunningRun(store.db, spec(dagId, { run: ['failure'] }), 'manual__3', new Date('2026-01-03T00:00:00Z'));
    await store.db.query(`UPDATE task_instances SET state = 'success' WHERE dag_id = $1 AND run_id = 'manual__3'`, [dagId]);
    assert.equal(await finalizeRun(store.db, dagId, 'manual__3'), 'success'); // success not declared

    const failed = await list('manual__1');
    assert.deepEqual(failed.map((c) => [c.event, c.taskId, c.tryNumber, c.eventState, c.eventError]), [
      ['dag_failure', null, null, 'failed', 'task "a" failed: boom'],
    ]);
    assert.equal((await list('manual__2'))[0]?.eventError, 'the run passed its dagrunTimeout; its unfinished tasks were skipped');
    assert.deepEqual(await list('manual__3'), []);
  });

  test('a callback row moves only along its guarded edges; a worker that lost its claim changes nothing', async () => {
    await seedRunningRun(store.db, spec(dagId, { a: ['success'] }));
    await set('a', 'success');
    const [recorded] = await list();
    const id = recorded!.id;

    // Sent once, not again before the resend delay.
    assert.ok((await takeCallbacksToSend(store.db, 60_000)).includes(id));
    assert.ok(!(await takeCallbacksToSend(store.db, 60_000)).includes(id));

    const claimed = await claimCallback(store.db, id, 'w1', 60_000);
    assert.deepEqual([claimed?.state, claimed?.tries, claimed?.dagId, claimed?.versionHash], ['running', 1, dagId, 'v1']);
    assert.equal(await claimCallback(store.db, id, 'w2', 60_000), undefined, 'a running callback cannot be claimed again');
    assert.deepEqual(await extendCallbackLeases(store.db, 'w2', [id], 60_000), new Set(), 'only its holder extends a lease');
    assert.deepEqual(await extendCallbackLeases(store.db, 'w1', [id], 60_000), new Set([id]));
    assert.equal(await finishCallback(store.db, { id, workerId: 'w2', tries: 1 }, { ok: true }, '', 0), undefined);

    // A failed try: pending again, after the delay, not before.
    assert.equal(await finishCallback(store.db, { id, workerId: 'w1', tries: 1 }, { ok: false, error: 'e1' }, 'line 1\n', 60_000), 'pending');
    assert.equal(await claimCallback(store.db, id, 'w1', 60_000), undefined, 'its retry is not due yet');
    await store.db.query(`UPDATE callbacks SET next_try_at = now() WHERE id = $1`, [id]);

    // Try 2's worker dies: its lease expires and the try counts as failed.
    await claimCallback(store.db, id, 'w-dead', 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await releaseExpiredCallbackLeases(store.db), 1);
    let [row] = await list();
    assert.deepEqual([row!.state, row!.tries], ['pending', 2]);
    assert.match(row!.error ?? '', /^try 2: the worker running it \(w-dead\) stopped answering/);
    // The dead worker's late outcome is refused.
    assert.equal(await finishCallback(store.db, { id, workerId: 'w-dead', tries: 2 }, { ok: true }, '', 0), undefined);

    // Try 3, the last, fails: failed for good, with its end and every try's log.
    await claimCallback(store.db, id, 'w1', 60_000);
    assert.equal(await finishCallback(store.db, { id, workerId: 'w1', tries: 3 }, { ok: false, error: 'e3' }, 'line 3\n', 0), 'failed');
    [row] = await list();
    assert.deepEqual([row!.state, row!.tries, row!.error], ['failed', 3, 'e3']);
    assert.ok(row!.endDate);
    const { rows } = await store.db.query<{ log: string }>('SELECT log FROM callbacks WHERE id = $1', [id]);
    assert.match(rows[0]!.log, /^line 1\n.*w-dead.*\nline 3\n$/s);
    assert.equal(await claimCallback(store.db, id, 'w1', 60_000), undefined, 'a failed callback stays failed');
    assert.ok(!(await takeCallbacksToSend(store.db, 0)).includes(id));
  });

  test('a lease that expires on the last try fails the callback instead of making it pending forever', async () => {
    await seedRunningRun(store.db, spec(dagId, { a: ['success'] }));
    await set('a', 'success');
    const [recorded] = await list();
    await store.db.query(`UPDATE callbacks SET tries = 2 WHERE id = $1`, [recorded!.id]);
    await claimCallback(store.db, recorded!.id, 'w-dead', 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await releaseExpiredCallbackLeases(store.db), 1);
    const [row] = await list();
    assert.deepEqual([row!.state, row!.tries], ['failed', 3]);
    assert.ok(row!.endDate);
  });
});
