/** The exact state strings (README, "Scheduling and runs"): stored in the database and shown to users. */

export const DAG_RUN_STATES = ['queued', 'running', 'success', 'failed'] as const;
export type DagRunState = (typeof DAG_RUN_STATES)[number];

/** Runs that hold a place among their DAG's (or backfill's) maxActiveRuns: not ended yet. */
export const ACTIVE_RUN_STATES = ['queued', 'running'] as const satisfies readonly DagRunState[];
/** Runs that have ended; only a clear, a mark or a backfill's reprocess opens them again. */
export const FINISHED_RUN_STATES = ['success', 'failed'] as const satisfies readonly DagRunState[];

export const TASK_STATES = [
  'none',
  'scheduled',
  'queued',
  'running',
  'success',
  'failed',
  'up_for_retry',
  'up_for_reschedule',
  'upstream_failed',
  'skipped',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** States a task instance does not leave on its own: only a clear or a mark changes them. */
export const FINISHED_TASK_STATES = ['success', 'failed', 'upstream_failed', 'skipped'] as const satisfies readonly TaskState[];
export type FinishedTaskState = (typeof FINISHED_TASK_STATES)[number];

export const UNFINISHED_TASK_STATES = TASK_STATES.filter(
  (s): s is Exclude<TaskState, FinishedTaskState> => !(FINISHED_TASK_STATES as readonly TaskState[]).includes(s),
);
export type UnfinishedTaskState = (typeof UNFINISHED_TASK_STATES)[number];

/**
 * Task instances whose try is on its way or running: they hold slots (the DAG's maxActiveTasks,
 * their pool's), and their try's log may still grow.
 */
export const OCCUPYING_TASK_STATES = ['queued', 'running'] as const satisfies readonly TaskState[];

/** The leaf (no downstream) states a run may end with and still succeed. */
export const SUCCESSFUL_LEAF_STATES = ['success', 'skipped'] as const satisfies readonly FinishedTaskState[];

export function isFinished(state: TaskState): state is FinishedTaskState {
  return (FINISHED_TASK_STATES as readonly TaskState[]).includes(state);
}

/**
 * ALLOWED_TRANSITIONS: every edge of the task-instance and the run state machines.
 *
 * Every statement that changes a state is a named transition in src/store (task-instances.ts,
 * runs.ts, backfills.ts, and the SQL functions of src/store/functions); each declares the states
 * it may leave and the states it may enter, and a test checks each declared edge is listed here.
 *
 * Task instance (a row of task_instances):
 *   none            → scheduled, skipped, upstream_failed   its trigger rule decided (resolve)
 *   scheduled       → queued                                 it got a slot and a new try number (admit)
 *   queued          → running                                a worker claimed the try (claim)
 *   running         → success, failed, skipped, up_for_retry the try ended (sluice_complete_tries)
 *   running         → up_for_reschedule                      a sensor's "not yet": the try pauses,
 *                                                            its slots freed (sluice_complete_tries)
 *   running         → queued                                 a stopping worker handed the try back
 *   up_for_retry    → scheduled                              its retry delay passed
 *   up_for_reschedule → scheduled                            its next check is due (the same try
 *                                                            number: admission does not count it)
 *   scheduled       → failed                                 its pool can never fit it
 *   unfinished      → skipped                                its run timed out, or its backfill was
 *                                                            cancelled (only 'none' then)
 *   any but X       → X (success or failed)                  marked by hand
 *   any             → none                                   cleared (also 'none' itself: its
 *                                                            retries are renewed)
 * Run (a row of dag_runs; created 'queued'):
 *   queued          → running                                room under maxActiveRuns (start)
 *   running         → success, failed                        every task finished (finalize)
 *   running         → failed                                 past its dagrunTimeout
 *   queued          → failed                                 its backfill was cancelled
 *   success, failed → queued                                 a task was cleared, or a backfill
 *                                                            re-runs it (reprocess)
 *   success, failed → running                                a task was marked by hand
 *   queued, running, failed → success                        the run was marked success by hand
 *   queued, running, success → failed                        the run was marked failed by hand
 *
 * Inputs:  none; a constant.
 * Outputs: `from → the states it may go to`, per machine.
 * Guards:  a transition's SQL is `WHERE state IN (<its from states>)`, so a row in any other
 *          state is left unchanged; one that ends a running try writes the try to task_tries.
 */
export const ALLOWED_TRANSITIONS = {
  taskInstance: {
    none: ['scheduled', 'skipped', 'upstream_failed', 'success', 'failed', 'none'],
    scheduled: ['queued', 'failed', 'skipped', 'success', 'none'],
    queued: ['running', 'skipped', 'success', 'failed', 'none'],
    running: ['success', 'failed', 'skipped', 'up_for_retry', 'up_for_reschedule', 'queued', 'none'],
    up_for_retry: ['scheduled', 'skipped', 'success', 'failed', 'none'],
    up_for_reschedule: ['scheduled', 'skipped', 'success', 'failed', 'none'],
    success: ['failed', 'none'],
    failed: ['success', 'none'],
    upstream_failed: ['success', 'failed', 'none'],
    skipped: ['success', 'failed', 'none'],
  },
  run: {
    queued: ['running', 'failed', 'success'],
    running: ['success', 'failed'],
    success: ['queued', 'running', 'failed'],
    failed: ['queued', 'running', 'success'],
  },
} as const satisfies {
  taskInstance: Record<TaskState, readonly TaskState[]>;
  run: Record<DagRunState, readonly DagRunState[]>;
};

export type StateMachine = keyof typeof ALLOWED_TRANSITIONS;

/** Whether `from → to` is an edge of the machine. */
export function isAllowedTransition(machine: StateMachine, from: string, to: string): boolean {
  const edges = (ALLOWED_TRANSITIONS[machine] as Record<string, readonly string[]>)[from];
  return edges !== undefined && edges.includes(to);
}

/**
 * What a store transition declares: the states it may leave (its SQL guard) and may enter. The
 * test of ALLOWED_TRANSITIONS checks every pair is an edge.
 */
export interface Transition<S extends string> {
  from: readonly S[];
  to: readonly S[];
}

/** The task states other than `state`: what a mark to `state` may leave. */
export function taskStatesExcept(state: TaskState): TaskState[] {
  return TASK_STATES.filter((s) => s !== state);
}

/**
 * The run-end rule: a run whose task instances are all finished succeeds when every leaf task
 * succeeded or was skipped, and fails otherwise; null while any task instance is unfinished.
 * The database applies the same rule in `sluice_finalize_run` (src/store/functions), which gets
 * its state lists from the constants above.
 */
export function runOutcome(tasks: Iterable<{ state: TaskState; isLeaf: boolean }>): 'success' | 'failed' | null {
  let failed = false;
  for (const { state, isLeaf } of tasks) {
    if (!isFinished(state)) return null;
    if (isLeaf && !(SUCCESSFUL_LEAF_STATES as readonly TaskState[]).includes(state)) failed = true;
  }
  return failed ? 'failed' : 'success';
}

/**
 * A list of states as SQL literals, for `state IN (…)`: `'queued', 'running'`. The states are
 * fixed identifiers (checked here), so the list can be written into SQL text.
 */
export function sqlList(states: readonly string[]): string {
  if (states.length === 0) throw new Error('sqlList needs at least one state: `IN ()` is not valid SQL');
  for (const s of states) {
    if (!/^[a-z_]+$/.test(s)) throw new Error(`"${s}" is not a state name (lower-case letters and "_"), so it is not written into SQL`);
  }
  return states.map((s) => `'${s}'`).join(', ');
}

/**
 * The state lists SQL files may name as `{{NAME}}` placeholders (src/store/functions/README.md);
 * each is replaced by `sqlList` of the list when the file is applied.
 */
export const SQL_STATE_LISTS = {
  ACTIVE_RUN_STATES,
  FINISHED_RUN_STATES,
  FINISHED_TASK_STATES,
  UNFINISHED_TASK_STATES,
  OCCUPYING_TASK_STATES,
  SUCCESSFUL_LEAF_STATES,
} as const satisfies Record<string, readonly string[]>;

/** `asset_triggered`: made when every asset of a DAG's asset schedule had an event (README, "Assets"). */
export const RUN_TYPES = ['scheduled', 'manual', 'backfill', 'asset_triggered'] as const;
export type RunType = (typeof RUN_TYPES)[number];

/** One run per (DAG, logical date) makes this id unique within a DAG. */
export function makeRunId(runType: RunType, logicalDate: Date): string {
  return `${runType}__${logicalDate.toISOString()}`;
}
