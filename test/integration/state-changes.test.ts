/**
 * What a state change leaves behind when it ends a try or finishes a task without running it:
 * the defects of the state machine's scattered statements (a mark with no guard, running tries
 * ended with no history, heartbeat_at left set, each "finish without running" place resetting
 * different columns), checked through the engine paths users reach.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import type { QueuedTry } from '../../src/queue/jobs.ts';
import type { TaskQueues } from '../../src/queue/task-queues.ts';
import { markTaskInstance } from '../../src/engine/actions.ts';
import { cancelBackfill, createBackfill } from '../../src/engine/backfill.ts';
import { failTimedOutRuns } from '../../src/engine/run-lifecycle.ts';
import type { Services } from '../../src/engine/services.ts';
import { failTasksThatCannotFit } from '../../src/engine/sweep.ts';
import { resolveWaitingTasks } from '../../src/engine/task-scheduling.ts';
import { withTransaction } from '../../src/store/db.ts';
import { dagSpec } from '../support/specs.ts';
import { openStoreDb, putTaskInState, seedRunningRun, taskRow, triesOf, type StoreDb } from '../support/store-db.ts';

let store: StoreDb;
let services: Services;
const sent: QueuedTry[] = [];
let dagNumber = 0;

before(async () => {
  store = await openStoreDb('state_changes');
  const queues = { enqueue: async (tries: QueuedTry[]) => void sent.push(...tries) } as unknown as TaskQueues;
  services = { db: store.db, queues, log: createLogger('silent', 'test') };
});
after(async () => store.close());
beforeEach(() => {
  sent.length = 0;
});

/** A fresh DAG a → b with one running run. */
async function chain(overrides: Parameters<typeof dagSpec>[3] = {}) {
  const spec = dagSpec(`d${++dagNumber}`, ['a', 'b'], [['a', 'b']], overrides);
  const run = await seedRunningRun(store.db, spec);
  return { spec, a: { ...run, taskId: 'a' }, b: { ...run, taskId: 'b' } };
}

/** The columns every way of finishing a task without running it must leave the same. */
function finishedWithoutRunning(row: Record<string, unknown>) {
  return {
    started: row.start_date instanceof Date,
    ended: row.end_date instanceof Date,
    duration_ms: row.duration_ms,
    next_try_at: row.next_try_at,
    worker_id: row.worker_id,
    heartbeat_at: row.heartbeat_at,
  };
}
const FINISHED_WITHOUT_RUNNING = { started: true, ended: true, duration_ms: 0, next_try_at: null, worker_id: null, heartbeat_at: null };

describe('marking a task instance by hand', () => {
  test('a mark to the state the task is already in changes nothing (the mark is guarded)', async () => {
    const { a } = await chain();
    await markTaskInstance(services, { dagId: a.dagId, runId: a.runId, taskId: 'a', mapIndex: -1 }, 'success');
    const marked = await taskRow(store.db, a);
    await markTaskInstance(services, { dagId: a.dagId, runId: a.runId, taskId: 'a', mapIndex: -1 }, 'success');
    assert.deepEqual(await taskRow(store.db, a), marked);
  });

  test('a running try marked failed is in task_tries with its end, duration and state, and stops heart-beating', async () => {
    const { a } = await chain();
    await putTaskInState(store.db, a, 'running');
    await markTaskInstance(services, { dagId: a.dagId, runId: a.runId, taskId: 'a', mapIndex: -1 }, 'failed');
    const row = await taskRow(store.db, a);
    assert.equal(row.state, 'failed');
    assert.equal(row.heartbeat_at, null);
    assert.equal(row.worker_id, null);
    const tries = await triesOf(store.db, a);
    assert.equal(tries.length, 1, 'the try marked while running is in history');
    assert.equal(tries[0]!.try_number, 1);
    assert.equal(tries[0]!.state, 'failed');
    assert.equal(tries[0]!.hostname, 'host-1');
    assert.ok(tries[0]!.end_date instanceof Date);
    assert.ok((tries[0]!.duration_ms as number) >= 2000, `duration ${String(tries[0]!.duration_ms)} covers the 2 s it ran`);
    assert.equal(row.duration_ms, tries[0]!.duration_ms);
  });

  test('a waiting task marked success finishes like any task finished without running', async () => {
    const { b } = await chain();
    await markTaskInstance(services, { dagId: b.dagId, runId: b.runId, taskId: 'b', mapIndex: -1 }, 'success');
    assert.deepEqual(finishedWithoutRunning(await taskRow(store.db, b)), FINISHED_WITHOUT_RUNNING);
    assert.deepEqual(await triesOf(store.db, b), [], 'no try ran, so none is in history');
  });
});

describe('a run past its dagrunTimeout', () => {
  test('its running try is in task_tries as skipped, with its end and duration, and stops heart-beating', async () => {
    const { a, b } = await chain({ dagrunTimeoutMs: 1000 });
    await putTaskInState(store.db, a, 'running');
    await store.db.query(`UPDATE dag_runs SET start_date = clock_timestamp() - interval '1 minute' WHERE dag_id = $1`, [a.dagId]);
    const timedOut = await withTransaction(store.db, (tx) => failTimedOutRuns(tx));
    assert.deepEqual(timedOut, [{ dagId: a.dagId, runId: a.runId }]);
    const row = await taskRow(store.db, a);
    assert.equal(row.state, 'skipped');
    assert.equal(row.heartbeat_at, null, 'heartbeat_at is cleared');
    assert.equal(row.worker_id, null);
    const tries = await triesOf(store.db, a);
    assert.equal(tries.length, 1, 'the try the timeout ended is in history');
    assert.equal(tries[0]!.state, 'skipped');
    assert.equal(tries[0]!.error, 'the run exceeded its dagrunTimeout');
    assert.ok((tries[0]!.duration_ms as number) >= 2000);
    assert.deepEqual(finishedWithoutRunning(await taskRow(store.db, b)), FINISHED_WITHOUT_RUNNING);
  });

  test('a task waiting for its retry is skipped and no longer due', async () => {
    const { a } = await chain({ dagrunTimeoutMs: 1000 });
    await putTaskInState(store.db, a, 'up_for_retry');
    await store.db.query(`UPDATE dag_runs SET start_date = clock_timestamp() - interval '1 minute' WHERE dag_id = $1`, [a.dagId]);
    await withTransaction(store.db, (tx) => failTimedOutRuns(tx));
    const row = await taskRow(store.db, a);
    assert.equal(row.state, 'skipped');
    assert.deepEqual(finishedWithoutRunning(row), FINISHED_WITHOUT_RUNNING);
  });
});

describe('every way of finishing a task without running it resets the same columns', () => {
  test('skipped by its trigger rule', async () => {
    const { a, b } = await chain();
    await putTaskInState(store.db, a, 'skipped');
    await withTransaction(store.db, (tx) => resolveWaitingTasks(tx, b.dagId, b.runId));
    const row = await taskRow(store.db, b);
    assert.equal(row.state, 'skipped');
    assert.deepEqual(finishedWithoutRunning(row), FINISHED_WITHOUT_RUNNING);
  });

  test('failed because its pool can never fit it', async () => {
    const { a } = await chain();
    await store.db.query(`INSERT INTO pools (pool, slots) VALUES ('tiny', 1) ON CONFLICT DO NOTHING`);
    await store.db.query(`UPDATE task_instances SET pool = 'tiny', pool_slots = 2 WHERE dag_id = $1 AND task_id = 'a'`, [a.dagId]);
    await putTaskInState(store.db, a, 'scheduled');
    await failTasksThatCannotFit(services);
    const row = await taskRow(store.db, a);
    assert.equal(row.state, 'failed');
    assert.match(String(row.error), /needs 2 slots of pool "tiny"/);
    assert.deepEqual(finishedWithoutRunning(row), FINISHED_WITHOUT_RUNNING);
  });

  test('skipped because its backfill was cancelled', async () => {
    const spec = dagSpec(`d${++dagNumber}`, ['a']);
    await seedRunningRun(store.db, spec, 'manual__other');
    const day = (n: number) => new Date(Date.UTC(2025, 0, n));
    const backfill = await createBackfill(store.db, {
      dagId: spec.dagId, fromDate: day(1), toDate: day(1), reprocessBehavior: 'none', maxActiveRuns: 1, runBackwards: false, dryRun: false,
    });
    await cancelBackfill(store.db, backfill.id!);
    const row = await taskRow(store.db, { dagId: spec.dagId, runId: backfill.dagRunIds[0]!, taskId: 'a' });
    assert.equal(row.state, 'skipped');
    assert.deepEqual(finishedWithoutRunning(row), FINISHED_WITHOUT_RUNNING);
  });
});
