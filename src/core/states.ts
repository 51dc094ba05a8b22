/** The exact state strings (README, "Scheduling and runs"): stored in the database and shown to users. */

export const DAG_RUN_STATES = ['queued', 'running', 'success', 'failed'] as const;
export type DagRunState = (typeof DAG_RUN_STATES)[number];

export const TASK_STATES = [
  'none',
  'scheduled',
  'queued',
  'running',
  'success',
  'failed',
  'up_for_retry',
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

export function isFinished(state: TaskState): state is FinishedTaskState {
  return (FINISHED_TASK_STATES as readonly TaskState[]).includes(state);
}

export const RUN_TYPES = ['scheduled', 'manual', 'backfill'] as const;
export type RunType = (typeof RUN_TYPES)[number];

/** One run per (DAG, logical date) makes this id unique within a DAG. */
export function makeRunId(runType: RunType, logicalDate: Date): string {
  return `${runType}__${logicalDate.toISOString()}`;
}
