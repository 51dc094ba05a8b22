/**
 * Where a task becomes ready. Two steps, both inside the caller's transaction:
 *
 * 1. `resolveWaitingTasks`: a waiting task (`none`) whose trigger rule is decided becomes
 *    `scheduled` (may run), `skipped` or `upstream_failed`. The upstream counts it is judged on
 *    are kept by a database trigger, so this never scans upstream tasks. Skips and upstream
 *    failures cascade downstream in the same call.
 * 2. `admitScheduledTasks`: `scheduled` tasks take a slot (the DAG's maxActiveTasks, their pool's
 *    slots) in priority order and become `queued` with a new try number; the caller sends their
 *    messages after commit. Admission is serialised per DAG and per pool with advisory locks, so
 *    concurrent deciders (workers on the fast path, schedulers) never over-commit a limit. It is
 *    one SQL function (src/store/functions/sluice_admit_scheduled.sql) because it runs after every try.
 *
 * The state changes themselves are src/store/task-instances.ts's guarded transitions; this module
 * decides. Waiting rows are read without locking: in normal progress the counts only grow and
 * every verdict on them is final, and each state change is guarded by `state = 'none'`. A try's
 * end updates its downstream counts through the trigger, which row-locks them until commit, so
 * of two upstream tasks ending at once the second always sees the first.
 *
 * Workers call both as soon as a try ends (the fast path); the scheduler's sweep calls them for
 * every active run as a safety net.
 */
import { evaluateTriggerRule } from '../core/trigger-rules.ts';
import type { QueuedTry } from '../queue/jobs.ts';
import type { Queryable } from '../store/db.ts';
import {
  admitScheduled,
  failWaitingUpstream,
  listWaiting,
  listWaitingOfRuns,
  scheduleWaiting,
  scheduleWaitingOfRuns,
  skipWaiting,
  type TaskKey,
} from '../store/task-instances.ts';

export interface ResolveResult {
  scheduled: string[];
  skipped: string[];
  upstreamFailed: string[];
}

/** Judges the waiting tasks of one run (all of them, or only `taskIds` and what their outcome cascades to). */
export async function resolveWaitingTasks(
  tx: Queryable,
  dagId: string,
  runId: string,
  taskIds?: string[],
): Promise<ResolveResult> {
  const result: ResolveResult = { scheduled: [], skipped: [], upstreamFailed: [] };
  let only = taskIds;
  for (;;) {
    if (only && only.length === 0) break;
    const decided = { run: [] as string[], skip: [] as string[], upstream_failed: [] as string[] };
    const cascade: string[] = [];
    for (const task of await listWaiting(tx, dagId, runId, only)) {
      const decision = evaluateTriggerRule(task.triggerRule, task.upstream);
      if (decision === 'wait') continue;
      decided[decision].push(task.taskId);
      if (decision !== 'run') cascade.push(...task.downstream);
    }
    if (decided.run.length) {
      for (const task of await scheduleWaiting(tx, dagId, runId, decided.run)) {
        // A mapped task that expanded into a skip or a failure decides its downstream in turn.
        if (task.state === 'scheduled') result.scheduled.push(task.taskId);
        else cascade.push(...task.downstream);
      }
    }
    if (decided.skip.length) result.skipped.push(...(await skipWaiting(tx, dagId, runId, decided.skip)));
    if (decided.upstream_failed.length) {
      result.upstreamFailed.push(...(await failWaitingUpstream(tx, dagId, runId, decided.upstream_failed)));
    }
    // A full pass already saw every waiting task; only a cascade can have changed a verdict.
    if (cascade.length === 0) break;
    only = [...new Set(cascade)];
  }
  return result;
}

/**
 * resolveWaitingTasks for runs just started, however many, in two statements: their waiting
 * tasks are read together, and those that may run (a run's first tasks) scheduled together. A
 * run where a verdict skips or fails a task (only a cleared run started again can have finished
 * upstreams) is judged again by resolveWaitingTasks, which cascades. Returns the runs (by
 * runKey) where a task was scheduled.
 */
export async function resolveStartedRuns(tx: Queryable, runs: { dagId: string; runId: string }[]): Promise<Set<string>> {
  const toRun: TaskKey[] = [];
  const cascading = new Map<string, { dagId: string; runId: string }>();
  for (const task of await listWaitingOfRuns(tx, runs)) {
    const decision = evaluateTriggerRule(task.triggerRule, task.upstream);
    if (decision === 'run') toRun.push(task);
    else if (decision !== 'wait') cascading.set(runKey(task), task);
  }
  const moved = await scheduleWaitingOfRuns(tx, toRun.filter((t) => !cascading.has(runKey(t))));
  const scheduledIn = new Set(moved.filter((t) => t.state === 'scheduled').map(runKey));
  // A run whose first mapped task expanded into a skip or a failure is judged again, to cascade.
  for (const task of moved) if (task.state !== 'scheduled') cascading.set(runKey(task), task);
  for (const run of cascading.values()) {
    if ((await resolveWaitingTasks(tx, run.dagId, run.runId)).scheduled.length > 0) scheduledIn.add(runKey(run));
  }
  return scheduledIn;
}

/** A run's key in the sets and maps of this module and its callers. */
export const runKey = (run: { dagId: string; runId: string }): string => `${run.dagId}\u0001${run.runId}`;

/**
 * Gives free slots to this DAG's scheduled tasks; returns the tries to send once committed.
 * The decision is `sluice_admit_scheduled` (src/store/functions): one round trip on the fast path.
 */
export async function admitScheduledTasks(tx: Queryable, dagId: string): Promise<QueuedTry[]> {
  return admitScheduled(tx, dagId);
}
