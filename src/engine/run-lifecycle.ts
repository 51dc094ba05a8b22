/**
 * A run's life: queued → running when there is room (the DAG's maxActiveRuns, or its backfill's),
 * and running → success/failed once none of its tasks can do anything more.
 */
import type { DagSpec } from '../core/spec.ts';
import type { QueuedTry } from '../queue/jobs.ts';
import { getDagVersion } from '../store/dags.ts';
import type { Queryable } from '../store/db.ts';
import { finalizeRun, runsPastTimeout, startRuns, timeoutRun } from '../store/runs.ts';
import { traces } from '../tracing/traces.ts';
import { admitScheduledTasks, resolveStartedRuns, resolveWaitingTasks, runKey } from './task-scheduling.ts';

/**
 * Starts the queued runs of these DAGs that have room (store/runs.ts startRuns says which), judges
 * their first tasks, and ends a started run with nothing left to do (a cleared run whose tasks had
 * all finished), in the caller's transaction; returns the runs started. Admission is the
 * caller's (startQueuedRuns, or the scheduler's after its commit).
 */
export async function startAndJudgeRuns(tx: Queryable, dagIds: string[]): Promise<{ dagId: string; runId: string }[]> {
  const started = await startRuns(tx, dagIds);
  const scheduledIn = await resolveStartedRuns(tx, started);
  // A run with a task just scheduled is not over.
  for (const run of started) if (!scheduledIn.has(runKey(run))) await finalizeRunIfDone(tx, run.dagId, run.runId);
  return started;
}

/**
 * Starts the queued runs of one DAG that have room (startAndJudgeRuns), and admits the DAG's
 * scheduled tasks (also when no run started: a run that ended freed its slots for the DAG's other
 * runs); returns the tries to send. Scheduled runs of a paused DAG wait; runs someone asked for
 * start anyway.
 */
export async function startQueuedRuns(tx: Queryable, dagId: string): Promise<QueuedTry[]> {
  await startAndJudgeRuns(tx, [dagId]);
  return admitScheduledTasks(tx, dagId);
}

export async function requireVersion(db: Queryable, dagId: string, versionHash: string): Promise<DagSpec> {
  const spec = await getDagVersion(db, dagId, versionHash);
  if (!spec) throw new Error(`DAG ${dagId} has no stored version ${versionHash}; run "sluice db migrate" and restart the scheduler`);
  return spec;
}

/**
 * Ends a running run whose tasks are all finished: success when every leaf task succeeded or was
 * skipped, failed otherwise. Returns the new state, or null when the run goes on.
 */
export async function finalizeRunIfDone(tx: Queryable, dagId: string, runId: string): Promise<'success' | 'failed' | null> {
  const state = await finalizeRun(tx, dagId, runId);
  // Told before the caller commits: the traces read the run back once it has (tracing/run-ends.ts).
  if (state !== null && traces.on) traces.runEnded({ dagId, runId });
  return state;
}

/** Fails runs that outlived their dagrunTimeout; their unfinished tasks are skipped (as Airflow does). */
export async function failTimedOutRuns(tx: Queryable): Promise<{ dagId: string; runId: string }[]> {
  const timedOut: { dagId: string; runId: string }[] = [];
  for (const run of await runsPastTimeout(tx)) {
    if (!(await timeoutRun(tx, run.dagId, run.runId))) continue;
    timedOut.push(run);
    if (traces.on) traces.runEnded(run);
  }
  return timedOut;
}
/**
 * After a task instance reached a final state (or was cleared or marked): judge the tasks it may
 * have decided, end the run if that was the last thing to do (then start the next queued runs),
 * and give freed slots to waiting tasks. Returns the tries to send after commit.
 */
export async function afterTaskStateChange(
  tx: Queryable,
  dagId: string,
  runId: string,
  downstream: string[],
): Promise<QueuedTry[]> {
  const ended = await resolveAndFinalize(tx, dagId, runId, downstream);
  return ended ? startQueuedRuns(tx, dagId) : admitScheduledTasks(tx, dagId);
}

/** Judges the given waiting tasks of a run, then ends the run if nothing is left; true if it ended. */
export async function resolveAndFinalize(tx: Queryable, dagId: string, runId: string, downstream: string[]): Promise<boolean> {
  await resolveWaitingTasks(tx, dagId, runId, downstream);
  return (await finalizeRunIfDone(tx, dagId, runId)) !== null;
}
