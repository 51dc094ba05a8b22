/**
 * The scheduler's safety net, run every loop. The fast path (a worker deciding what its finished
 * try made ready) does the everyday work; this catches whatever a crash, a lost message or a race
 * left behind, so no run can stay stuck.
 */
import { completeFinishedBackfills } from '../store/backfills.ts';
import { withTransaction } from '../store/db.ts';
import { evaluateTriggerRule } from '../core/trigger-rules.ts';
import { runsWithNothingUnfinished } from '../store/runs.ts';
import {
  admitScheduledInPool,
  dagsWithRoomToAdmit,
  failUnfittable,
  listQueuedTriesOlderThan,
  listWaitingInRunningRuns,
  poolsWithScheduledTasks,
  scheduleDueRetries,
} from '../store/task-instances.ts';
import { finishClear } from './actions.ts';
import { completeTry } from './complete-try.ts';
import { afterTaskStateChange, failTimedOutRuns, requireVersion, startAndJudgeRuns, startQueuedRuns } from './run-lifecycle.ts';
import { forEachIsolated } from './isolate.ts';
import { dispatch, type Services } from './services.ts';
import { admitScheduledTasks, resolveWaitingTasks } from './task-scheduling.ts';

/** How many DAGs' runs one transaction starts: 500 new runs in a few round trips, each short. */
const START_CHUNK = 50;

/**
 * Starts queued runs that have room, for every DAG that has some: START_CHUNK DAGs at a time, each
 * chunk one transaction of a few statements however many DAGs (startAndJudgeRuns), then the pools
 * where their first tasks wait are admitted, each in a statement of its own that holds no other
 * lock (sluice_admit_pool: across DAGs, in priority order). Each DAG used to take a transaction
 * of seven statements, the scheduler's main cost when 500 DAGs started a run each. A chunk that
 * fails is started again DAG by DAG, each on its own (forEachIsolated), so one broken DAG cannot
 * hold up the others. A DAG that another transaction is admitting at that moment is skipped by the
 * pool's admission (it takes DAGs' locks without waiting) and admitted by admitWaitingTasks, later
 * in the same loop.
 */
export async function startRuns(services: Services): Promise<void> {
  const { rows } = await services.db.query<{ dag_id: string }>(`SELECT DISTINCT dag_id FROM dag_runs WHERE state = 'queued' ORDER BY dag_id`);
  for (let i = 0; i < rows.length; i += START_CHUNK) {
    const chunk = rows.slice(i, i + START_CHUNK).map((r) => r.dag_id);
    let started: { dagId: string; runId: string }[];
    try {
      started = await withTransaction(services.db, (tx) => startAndJudgeRuns(tx, chunk));
    } catch (err) {
      services.log.warn({ err, dags: chunk.length }, 'could not start the runs of several DAGs together; starting them one DAG at a time');
      await forEachIsolated(
        chunk.map((dagId) => ({ dagId })),
        async ({ dagId }) => dispatch(services, await withTransaction(services.db, (tx) => startQueuedRuns(tx, dagId))),
        services.log,
        (r) => r,
      );
      continue;
    }
    if (started.length > 0) await admitInPoolsOf(services, [...new Set(started.map((r) => r.dagId))]);
  }
}

/** Admits the scheduled tasks in the pools where these DAGs have some (see startRuns). */
async function admitInPoolsOf(services: Services, dagIds: string[]): Promise<void> {
  for (const pool of await poolsWithScheduledTasks(services.db, dagIds)) {
    try {
      await dispatch(services, await admitScheduledInPool(services.db, pool, []));
    } catch (err) {
      services.log.warn({ err, pool }, "could not admit new runs' first tasks; the scheduler's next step will");
    }
  }
}

/**
 * Re-judges the waiting tasks of running runs and ends the runs that are done: what the fast path
 * missed. Finding them is two reads over all running runs (their waiting tasks, judged here by
 * the trigger rules, and the runs with nothing unfinished); only the runs where that finds
 * something get a transaction, which judges again under its guards. Opening one for every running
 * run on every loop cost more than the work itself with hundreds of runs in flight.
 */
export async function sweepRunningRuns(services: Services): Promise<void> {
  await forEachIsolated(
    await runsToSweep(services),
    async (run) => {
      const tries = await withTransaction(services.db, async (tx) => {
        const resolved = await resolveWaitingTasks(tx, run.dagId, run.runId);
        if (resolved.skipped.length || resolved.upstreamFailed.length || resolved.scheduled.length) {
          services.log.debug({ dagId: run.dagId, runId: run.runId, ...resolved }, 'sweep decided waiting tasks');
        }
        return afterTaskStateChange(tx, run.dagId, run.runId, []);
      });
      await dispatch(services, tries);
    },
    services.log,
    (r) => ({ dagId: r.dagId, runId: r.runId }),
  );
  await withTransaction(services.db, (tx) => failTimedOutRuns(tx)).then((timedOut) => {
    for (const r of timedOut) services.log.warn(r, 'run failed: it exceeded its dagrunTimeout');
  });
}

/** Running runs with a waiting task whose trigger rule is decided, or with nothing unfinished. */
async function runsToSweep(services: Services): Promise<{ dagId: string; runId: string }[]> {
  const due = new Map<string, { dagId: string; runId: string }>();
  for (const task of await listWaitingInRunningRuns(services.db)) {
    if (evaluateTriggerRule(task.triggerRule, task.upstream) === 'wait') continue;
    due.set(`${task.dagId}\u0001${task.runId}`, { dagId: task.dagId, runId: task.runId });
  }
  for (const run of await runsWithNothingUnfinished(services.db)) due.set(`${run.dagId}\u0001${run.runId}`, run);
  return [...due.values()];
}

/**
 * Retries whose delay has passed become scheduled again, and every DAG's free slots are handed
 * out: DAG by DAG, each admission a statement of its own (committed at once, so admission's locks
 * are held for the server's time only), and only for DAGs with a task waiting in a pool that
 * has room (with 500 DAGs waiting for one full pool, every loop took its lock 500 times to find
 * no room).
 */
export async function admitWaitingTasks(services: Services): Promise<void> {
  await scheduleDueRetries(services.db);
  await forEachIsolated(
    (await dagsWithRoomToAdmit(services.db)).map((dagId) => ({ dagId })),
    async ({ dagId }) => dispatch(services, await admitScheduledTasks(services.db, dagId)),
    services.log,
    (r) => r,
  );
}

/**
 * A running try whose worker stopped heart-beating is a failed try (retried if tries remain): the
 * worker was killed, lost its machine, or is stuck in code that never yields. One that a clear
 * was waiting for is reset instead.
 */
export async function failLostTries(services: Services, heartbeatTimeoutMs: number): Promise<number> {
  const { rows } = await services.db.query<{
    dag_id: string;
    run_id: string;
    task_id: string;
    map_index: number;
    try_number: number;
    max_tries: number;
    hostname: string | null;
    start_date: Date | null;
    version_hash: string;
    clearing: boolean;
  }>(
    `SELECT ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number, ti.max_tries, ti.hostname, ti.start_date, r.version_hash,
       ti.clear_requested_retries IS NOT NULL AS clearing
     FROM task_instances ti JOIN dag_runs r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id
     WHERE ti.state = 'running' AND ti.heartbeat_at < clock_timestamp() - $1 * interval '1 millisecond'`,
    [heartbeatTimeoutMs],
  );
  await forEachIsolated(rows, async (ti) => {
    const key = { dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id, mapIndex: ti.map_index, tryNumber: ti.try_number };
    // Cleared while running: with its worker gone, so is its code, and the clear goes through.
    if (ti.clearing && (await finishClear(services, key))) return;
    const spec = await requireVersion(services.db, ti.dag_id, ti.version_hash);
    const task = spec.tasks.find((t) => t.taskId === ti.task_id);
    if (!task) return;
    const error =
      `the worker running this try (${ti.hostname ?? 'unknown host'}) stopped sending heartbeats for ` +
      `${Math.round(heartbeatTimeoutMs / 1000)}s: it died, or the task blocked its event loop`;
    const { outcome } = await completeTry(services, {
      key,
      maxTries: ti.max_tries,
      task,
      result: { kind: 'failed', error, retryable: true },
      startDate: ti.start_date ?? undefined,
    });
    if (outcome) services.log.warn({ dagId: key.dagId, runId: key.runId, taskId: key.taskId, mapIndex: key.mapIndex, try: key.tryNumber, state: outcome.state }, error);
  }, services.log, (ti) => ({ dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id }));
  return rows.length;
}

/**
 * Postgres says these tries are queued, so Redis must hold their messages; any it lost (a flush,
 * a restart without persistence, a crash between commit and send) are sent again.
 */
export async function resendLostMessages(services: Services, olderThanMs: number): Promise<number> {
  const queued = await listQueuedTriesOlderThan(services.db, olderThanMs);
  const missing = await services.queues.missing(queued, olderThanMs);
  if (missing.length) {
    services.log.warn({ tries: missing.length }, 're-sending try messages that Redis lost');
    await services.queues.enqueue(missing);
  }
  return missing.length;
}

/** A backfill is complete once none of its runs is queued or running. */
export async function completeBackfills(services: Services): Promise<void> {
  await completeFinishedBackfills(services.db);
}

/**
 * A task that needs more slots than its pool has could never run: it fails with the reason
 * instead of waiting in `scheduled` forever. (It is a setting to fix, so no retries.)
 */
export async function failTasksThatCannotFit(services: Services): Promise<void> {
  const { rows } = await services.db.query<{
    dag_id: string;
    run_id: string;
    task_id: string;
    map_index: number;
    pool: string;
    pool_slots: number;
    slots: number;
  }>(
    `SELECT ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.pool, ti.pool_slots, p.slots
     FROM task_instances ti JOIN pools p ON p.pool = ti.pool
     WHERE ti.state = 'scheduled' AND ti.pool_slots > p.slots`,
  );
  await forEachIsolated(
    rows,
    async (ti) => {
      const error =
        `the task needs ${ti.pool_slots} slots of pool "${ti.pool}", which has only ${ti.slots}; ` +
        'lower its poolSlots or give the pool more slots';
      const tries = await withTransaction(services.db, async (tx) => {
        const key = { dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id, mapIndex: ti.map_index };
        const downstream = await failUnfittable(tx, key, error);
        return downstream ? afterTaskStateChange(tx, ti.dag_id, ti.run_id, downstream) : [];
      });
      services.log.warn({ dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id }, error);
      await dispatch(services, tries);
    },
    services.log,
    (ti) => ({ dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id }),
  );
}
