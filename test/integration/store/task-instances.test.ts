/**
 * The task-instance state machine as the store performs it: every transition, driven on a real
 * database from every state, moves only along its declared edges (each one in
 * ALLOWED_TRANSITIONS), leaves a row in a state it may not leave exactly as it was, and writes
 * the try to history when it ends a running one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ALLOWED_TRANSITIONS, TASK_STATES, isAllowedTransition, type TaskState } from '../../../src/core/states.ts';
import {
  TASK_INSTANCE_TRANSITIONS,
  admitScheduled,
  admitScheduledInPool,
  finishClearedTry,
  heartbeatTries,
  claimTries,
  dagsWithRoomToAdmit,
  failUnfittable,
  failWaitingUpstream,
  handBackTry,
  listWaitingInRunningRuns,
  markByHand,
  markRunTasksSuccess,
  failRunningForRunMark,
  skipNotRunningForRunMark,
  resetTaskInstances,
  scheduleDueRetries,
  scheduleWaiting,
  skipForCancelledBackfill,
  skipForRunTimeout,
  skipWaiting,
  type TaskKey,
} from '../../../src/store/task-instances.ts';
import type { Db } from '../../../src/store/db.ts';
import { setPool } from '../../../src/store/pools.ts';
import { completeTriesInStore, scheduleDecided } from '../../../src/store/try-completion.ts';
import { dagSpec } from '../../support/specs.ts';
import { openStoreDb, putTaskInState, seedRunningRun, taskRow, triesOf, type StoreDb } from '../../support/store-db.ts';

type Name = keyof typeof TASK_INSTANCE_TRANSITIONS;

interface Driver {
  /** Sets what the transition needs besides the state (not part of the row compared). */
  prepare?: (db: Db, key: TaskKey) => Promise<void>;
  run: (db: Db, key: TaskKey, tryNumber: number) => Promise<unknown>;
  /** Columns the operation changes in any state, left out when a row is compared (not a transition). */
  alsoChanges?: string[];
}

const DRIVERS: Record<Name, Driver> = {
  claimTries: { run: (db, k, n) => claimTries(db, [{ ...k, mapIndex: -1, tryNumber: n }], 'worker-2', 'host-2') },
  completeTries: {
    run: (db, k, n) => completeTriesInStore(db, [{ key: { ...k, mapIndex: -1, tryNumber: n }, state: 'success', error: null, nextTryAt: null }], []),
  },
  scheduleAllSucceeded: {
    // t gets an upstream u, running in another pool (so u's slot is not handed to t), whose
    // success the completion counts; no room in the DAG, so that the admission it ends with
    // leaves t where its verdict put it.
    prepare: async (db, k) => {
      await db.query('UPDATE dags SET max_active_tasks = 0 WHERE dag_id = $1', [k.dagId]);
      await db.query(
        `INSERT INTO task_instances (dag_id, run_id, run_logical_date, task_id, max_tries, pool, pool_slots, queue, priority_weight,
           trigger_rule, downstream, upstream_total, state, try_number, start_date, heartbeat_at)
         VALUES ($1, $2, now(), 'u', 1, 'elsewhere', 1, 'default', 1, 'all_success', ARRAY[$3], 0, 'running', 1, now(), now())`,
        [k.dagId, k.runId, k.taskId],
      );
      await db.query('UPDATE task_instances SET upstream_total = 1 WHERE dag_id = $1 AND run_id = $2 AND task_id = $3', [k.dagId, k.runId, k.taskId]);
    },
    run: (db, k) => completeTriesInStore(db, [{ key: { ...k, taskId: 'u', mapIndex: -1, tryNumber: 1 }, state: 'success', error: null, nextTryAt: null }], []),
    // u's end is counted on t whatever t's state (the counts trigger's job, tested with it).
    alsoChanges: ['upstream_success'],
  },
  scheduleDecided: {
    // No room in the DAG, so that the admission it ends with leaves the row where scheduling put it.
    prepare: async (db, k) => {
      await db.query('UPDATE dags SET max_active_tasks = 0 WHERE dag_id = $1', [k.dagId]);
    },
    run: (db, k) => scheduleDecided(db, [{ ...k, triggerRule: 'all_success', counts: { total: 0, success: 0, failed: 0, upstreamFailed: 0, skipped: 0 } }]),
  },
  handBackTry: { run: (db, k, n) => handBackTry(db, { ...k, mapIndex: -1, tryNumber: n }) },
  scheduleWaiting: { run: (db, k) => scheduleWaiting(db, k.dagId, k.runId, [k.taskId]) },
  skipWaiting: { run: (db, k) => skipWaiting(db, k.dagId, k.runId, [k.taskId]) },
  failWaitingUpstream: { run: (db, k) => failWaitingUpstream(db, k.dagId, k.runId, [k.taskId]) },
  admitScheduled: { run: (db, k) => admitScheduled(db, k.dagId) },
  scheduleDueRetries: {
    prepare: async (db, k) => {
      await db.query(`UPDATE task_instances SET next_try_at = clock_timestamp() - interval '1 second' WHERE dag_id = $1`, [k.dagId]);
    },
    run: (db) => scheduleDueRetries(db),
  },
  failUnfittable: { run: (db, k) => failUnfittable(db, { ...k, mapIndex: -1 }, 'it cannot fit') },
  skipForRunTimeout: { run: (db, k) => skipForRunTimeout(db, k.dagId, k.runId) },
  skipForCancelledBackfill: {
    prepare: async (db, k) => {
      const { rows } = await db.query<{ id: number }>(
        `INSERT INTO backfills (dag_id, from_date, to_date, reprocess_behavior, max_active_runs, is_cancelled)
         VALUES ($1, now(), now(), 'none', 1, true) RETURNING id`,
        [k.dagId],
      );
      await db.query(`UPDATE dag_runs SET state = 'queued', backfill_id = $2 WHERE dag_id = $1`, [k.dagId, rows[0]!.id]);
    },
    run: async (db, k) => {
      const { rows } = await db.query<{ backfill_id: number }>('SELECT backfill_id FROM dag_runs WHERE dag_id = $1', [k.dagId]);
      return skipForCancelledBackfill(db, rows[0]!.backfill_id);
    },
  },
  markRunTasksSuccess: { run: (db, k) => markRunTasksSuccess(db, k.dagId, k.runId) },
  failRunningForRunMark: { run: (db, k) => failRunningForRunMark(db, k.dagId, k.runId) },
  skipNotRunningForRunMark: { run: (db, k) => skipNotRunningForRunMark(db, k.dagId, k.runId) },
  markSuccess: { run: (db, k) => markByHand(db, { ...k, mapIndex: -1 }, 'success') },
  markFailed: { run: (db, k) => markByHand(db, { ...k, mapIndex: -1 }, 'failed') },
  // A running try is only asked to stop; its worker resets it once its code is gone.
  resetTaskInstances: {
    run: async (db, k, n) => {
      await resetTaskInstances(db, k.dagId, k.runId, [{ taskId: k.taskId, retries: 0 }]);
      await finishClearedTry(db, { ...k, mapIndex: -1, tryNumber: n });
    },
  },
};

/** Transitions after which a running try has ended (it is not handed back or still running). */
const ENDS_A_RUNNING_TRY = (name: Name) => name !== 'handBackTry' && name !== 'claimTries';

let store: StoreDb;
let dags = 0;

before(async () => {
  store = await openStoreDb('task_instances');
});
after(async () => store.close());

describe('task instance transitions', () => {
  test('every edge the store declares is in ALLOWED_TRANSITIONS', () => {
    for (const [name, t] of Object.entries(TASK_INSTANCE_TRANSITIONS)) {
      assert.ok(t.from.length > 0 && t.to.length > 0, name);
      for (const from of t.from) {
        for (const to of t.to) {
          if (from === to && name !== 'resetTaskInstances') continue;
          assert.ok(isAllowedTransition('taskInstance', from, to), `${name}: ${from} → ${to} is not in ALLOWED_TRANSITIONS`);
        }
      }
    }
  });

  test('every edge of ALLOWED_TRANSITIONS is taken by some store transition', () => {
    const declared = new Set(
      Object.values(TASK_INSTANCE_TRANSITIONS).flatMap((t) => t.from.flatMap((f) => t.to.map((to) => `${f}→${to}`))),
    );
    for (const [from, tos] of Object.entries(ALLOWED_TRANSITIONS.taskInstance)) {
      for (const to of tos) assert.ok(declared.has(`${from}→${to}`), `${from} → ${to} is allowed but nothing takes it`);
    }
  });

  for (const name of Object.keys(DRIVERS) as Name[]) {
    const declared = TASK_INSTANCE_TRANSITIONS[name];
    test(`${name}: from every state, only its declared edges; a state it may not leave is left unchanged`, async () => {
      for (const from of TASK_STATES) {
        const spec = dagSpec(`ti${++dags}`, ['t']);
        const { dagId, runId } = await seedRunningRun(store.db, spec);
        const key = { dagId, runId, taskId: 't' };
        await putTaskInState(store.db, key, from);
        await DRIVERS[name].prepare?.(store.db, key);
        const before = await taskRow(store.db, key);
        await DRIVERS[name].run(store.db, key, before.try_number as number);
        const afterRow = await taskRow(store.db, key);
        const to = afterRow.state as TaskState;
        const where = `${name} from ${from}`;
        if (!(declared.from as readonly TaskState[]).includes(from)) {
          const compared = (row: Record<string, unknown>) =>
            Object.fromEntries(Object.entries(row).filter(([column]) => !DRIVERS[name].alsoChanges?.includes(column)));
          assert.deepEqual(compared(afterRow), compared(before), `${where}: the guard leaves the row unchanged`);
          continue;
        }
        assert.ok((declared.to as readonly TaskState[]).includes(to), `${where}: went to ${to}, not one of ${declared.to.join(', ')}`);
        if (to !== from) assert.ok(isAllowedTransition('taskInstance', from, to), `${where} → ${to}`);
        assert.equal(afterRow.heartbeat_at === null, to !== 'running', `${where}: heartbeat_at is set exactly while running`);
        const history = await triesOf(store.db, key);
        // A sensor paused between checks is in the middle of its try: a mark or a run timeout ends it.
        // (A clear resets it without a history row, as it does a try between retries.)
        if ((from === 'running' || (from === 'up_for_reschedule' && (to === 'success' || to === 'failed' || to === 'skipped'))) && ENDS_A_RUNNING_TRY(name)) {
          assert.equal(history.length, 1, `${where}: the running try is in task_tries`);
          assert.equal(history[0]!.try_number, before.try_number);
          assert.ok(history[0]!.end_date instanceof Date && typeof history[0]!.duration_ms === 'number', `${where}: with its end`);
        } else {
          assert.deepEqual(history, [], `${where}: no try ended`);
        }
      }
    });
  }
});

describe('waiting tasks the sweep judges', () => {
  test('listWaitingInRunningRuns reads the waiting task instances of running runs only, with their counts', async () => {
    const running = await seedRunningRun(store.db, dagSpec(`wait${++dags}`, ['a', 'b', 'c'], [['a', 'c'], ['b', 'c']]));
    await store.db.query(`UPDATE task_instances SET state = 'success' WHERE dag_id = $1 AND task_id = 'a'`, [running.dagId]);
    await store.db.query(`UPDATE task_instances SET state = 'running' WHERE dag_id = $1 AND task_id = 'b'`, [running.dagId]);
    const ended = await seedRunningRun(store.db, dagSpec(`wait${++dags}`, ['a']));
    await store.db.query(`UPDATE dag_runs SET state = 'failed' WHERE dag_id = $1`, [ended.dagId]);
    const listed = (await listWaitingInRunningRuns(store.db)).filter((t) => t.dagId.startsWith('wait'));
    assert.deepEqual(listed, [
      {
        ...running,
        taskId: 'c',
        triggerRule: 'all_success',
        downstream: [],
        upstream: { total: 2, success: 1, failed: 0, upstreamFailed: 0, skipped: 0 },
      },
    ]);
  });
});

describe("the scheduler's admission", () => {
  test('dagsWithRoomToAdmit names the DAGs with a task scheduled in a pool that has free slots, and only those', async () => {
    const full = await seedRunningRun(store.db, dagSpec(`room${++dags}`, ['a', 'b']));
    const open = await seedRunningRun(store.db, dagSpec(`room${++dags}`, ['a', 'b']));
    await setPool(store.db, 'room_full', 1);
    await setPool(store.db, 'room_open', 2);
    await store.db.query(`UPDATE task_instances SET pool = 'room_full' WHERE dag_id = $1`, [full.dagId]);
    await store.db.query(`UPDATE task_instances SET pool = 'room_open' WHERE dag_id = $1`, [open.dagId]);
    for (const run of [full, open]) {
      await putTaskInState(store.db, { ...run, taskId: 'a' }, 'running');
      await putTaskInState(store.db, { ...run, taskId: 'b' }, 'scheduled');
    }
    const named = (await dagsWithRoomToAdmit(store.db)).filter((d) => d.startsWith('room'));
    assert.deepEqual(named, [open.dagId], "room_full's one slot is taken; room_open has one left");
    await putTaskInState(store.db, { ...full, taskId: 'a' }, 'success');
    assert.deepEqual((await dagsWithRoomToAdmit(store.db)).filter((d) => d.startsWith('room')).sort(), [full.dagId, open.dagId].sort());
  });

  test("admitScheduledInPool gives a pool's room across DAGs in priority order (weight, then oldest run), within each DAG's maxActiveTasks, and never to a run that stopped", async () => {
    await setPool(store.db, 'ordered', 3);
    const spec = (id: string, maxActiveTasks = 16) => dagSpec(id, ['a', 'b'], [], { maxActiveTasks });
    const older = await seedRunningRun(store.db, spec(`order${++dags}`), 'manual__1', new Date('2026-01-01T00:00:00Z'));
    const newer = await seedRunningRun(store.db, spec(`order${++dags}`), 'manual__1', new Date('2026-02-01T00:00:00Z'));
    const capped = await seedRunningRun(store.db, spec(`order${++dags}`, 1), 'manual__1', new Date('2025-12-01T00:00:00Z'));
    const stopped = await seedRunningRun(store.db, spec(`order${++dags}`), 'manual__1', new Date('2025-01-01T00:00:00Z'));
    const runs = [older, newer, capped, stopped];
    await store.db.query(`UPDATE task_instances SET pool = 'ordered', state = 'scheduled' WHERE dag_id = ANY ($1)`, [runs.map((r) => r.dagId)]);
    // newer's b outweighs everything; then the oldest runs first; capped may run one task; stopped none.
    await store.db.query(`UPDATE task_instances SET priority_weight = 10 WHERE dag_id = $1 AND task_id = 'b'`, [newer.dagId]);
    await store.db.query(`UPDATE dag_runs SET state = 'failed' WHERE dag_id = $1`, [stopped.dagId]);
    const admitted = await admitScheduledInPool(store.db, 'ordered', []);
    assert.deepEqual(admitted.map((t) => `${t.dagId}.${t.taskId}`).sort(), [`${newer.dagId}.b`, `${capped.dagId}.a`, `${older.dagId}.a`].sort());
    assert.deepEqual(await admitScheduledInPool(store.db, 'ordered', []), [], 'the pool is full');
  });

  test('clearing a running try asks it to stop: it stays running, its heartbeat is refused, its end is dropped, and finishClearedTry resets it', async () => {
    const { dagId, runId } = await seedRunningRun(store.db, dagSpec(`clear${++dags}`, ['t']));
    const key = { dagId, runId, taskId: 't' };
    await putTaskInState(store.db, key, 'running');
    const tryKey = { ...key, mapIndex: -1, tryNumber: 1 };
    assert.deepEqual(await resetTaskInstances(store.db, dagId, runId, [{ taskId: 't', retries: 2 }]), { reset: [], stopping: ['t'] });
    assert.equal((await taskRow(store.db, key)).state, 'running', 'still running until its code has stopped');
    assert.equal((await heartbeatTries(store.db, 'worker-1', [tryKey])).size, 0, 'the heartbeat tells its worker to stop it');
    const { recorded } = await completeTriesInStore(store.db, [{ key: tryKey, state: 'failed', error: 'stopped', nextTryAt: null }], []);
    assert.equal(recorded.size, 0, 'its end is dropped: the clear decides what comes next');
    assert.equal(await finishClearedTry(store.db, tryKey), true);
    const row = await taskRow(store.db, key);
    assert.deepEqual([row.state, row.max_tries, row.clear_requested_retries, row.worker_id], ['none', 4, null, null]);
    const history = await triesOf(store.db, key);
    assert.deepEqual(history.map((t) => [t.try_number, t.state, t.error]), [[1, 'failed', 'the try was cleared while running']]);
    assert.equal(await finishClearedTry(store.db, tryKey), false, 'once only');
  });
});

describe("a sensor's reschedule", () => {
  test('pauses the try with its slot free, and resumes it as the same try with its first start; its end resets the count', async () => {
    const spec = dagSpec(`ti${++dags}`, ['t']);
    const { dagId, runId } = await seedRunningRun(store.db, spec);
    const key = { dagId, runId, taskId: 't' };
    await putTaskInState(store.db, key, 'running');
    const firstStart = (await taskRow(store.db, key)).start_date as Date;
    const at = (s: number) => new Date(Date.now() + s * 1000);
    await completeTriesInStore(store.db, [{ key: { ...key, mapIndex: -1, tryNumber: 1 }, state: 'up_for_reschedule', error: null, nextTryAt: at(-1) }], []);
    let row = await taskRow(store.db, key);
    assert.deepEqual([row.state, row.try_number, row.reschedule_count, row.worker_id], ['up_for_reschedule', 1, 1, null]);
    assert.deepEqual(await triesOf(store.db, key), [], 'a pause is not the end of the try');

    assert.equal(await scheduleDueRetries(store.db), 1, 'its next check is due');
    await admitScheduled(store.db, dagId);
    row = await taskRow(store.db, key);
    assert.deepEqual([row.state, row.try_number], ['queued', 1], 'admitted as the same try');
    const claimed = await claimTries(store.db, [{ ...key, mapIndex: -1, tryNumber: 1 }], 'worker-2', 'host-2');
    const claim = [...claimed.values()][0]!;
    assert.equal(claim.rescheduleCount, 1);
    assert.equal(claim.startDate.getTime(), firstStart.getTime(), "the try's start is its first check");

    await completeTriesInStore(store.db, [{ key: { ...key, mapIndex: -1, tryNumber: 1 }, state: 'success', error: null, nextTryAt: null }], []);
    row = await taskRow(store.db, key);
    assert.deepEqual([row.state, row.try_number, row.reschedule_count], ['success', 1, 0]);
    const history = await triesOf(store.db, key);
    assert.equal(history.length, 1);
    assert.equal((history[0]!.start_date as Date).getTime(), firstStart.getTime(), 'the history has the whole try, from its first check');

    // A clear (say of a sensor marked success while it waited) starts the count anew.
    await store.db.query('UPDATE task_instances SET reschedule_count = 3 WHERE dag_id = $1', [dagId]);
    await resetTaskInstances(store.db, dagId, runId, [{ taskId: 't', retries: 0 }]);
    row = await taskRow(store.db, key);
    assert.deepEqual([row.state, row.reschedule_count], ['none', 0]);
  });
});
