/**
 * How long each task took in a DAG's latest runs (the UI's task-duration chart): one statement
 * that pages the runs by logical date (dag_runs_by_date) and reads their tries by primary key.
 */
import { mostPressingState } from '../core/state-attention.ts';
import type { DagRunState, RunType, TaskState } from '../core/states.ts';
import type { Queryable } from './db.ts';

export interface DurationRunRecord {
  runId: string;
  runType: RunType;
  state: DagRunState;
  logicalDate: Date;
  startDate: Date | null;
  endDate: Date | null;
}

/**
 * A task's time in a run. An unmapped task has one per try: its finished tries (from history,
 * an up-for-retry one as failed) and its running one. A mapped task has one for all its
 * instances (their latest tries): from the first start to the last end (null while one runs),
 * in the most pressing of their states, as the grid sums them up.
 */
export interface DurationPointRecord {
  runId: string;
  taskId: string;
  tryNumber: number;
  state: TaskState;
  startDate: Date | null;
  endDate: Date | null;
  durationMs: number | null;
  /** null for an unmapped task's try; how many instances of a mapped task the point sums up. */
  instances: number | null;
}

type Row = {
  run_id: string;
  run_type: RunType;
  run_state: DagRunState;
  logical_date: Date;
  run_start: Date | null;
  run_end: Date | null;
  task_id: string | null;
  try_number: number;
  state: TaskState;
  start_date: Date | null;
  end_date: Date | null;
  duration_ms: number | null;
  instances: number | null;
};

/** The `limit` newest runs by logical date (newest first) and every point of theirs. */
export async function listTaskDurations(
  db: Queryable,
  dagId: string,
  limit: number,
): Promise<{ runs: DurationRunRecord[]; points: DurationPointRecord[] }> {
  // `run_id = ANY (ARRAY(…))`, not `IN (…)`: the runs' ids then bound each index scan (the
  // primary keys lead with dag_id, run_id), where a semi-join may read every try of the DAG.
  // A run without a started try still comes out once (LEFT JOIN, task_id null): it is on the axis.
  const { rows } = await db.query<Row>(
    `WITH runs AS (
       SELECT run_id, run_type, state, logical_date, start_date, end_date FROM dag_runs
       WHERE dag_id = $1 ORDER BY logical_date DESC LIMIT $2
     ), points AS (
       SELECT run_id, task_id, try_number, state, start_date, end_date, duration_ms, NULL::int AS instances
       FROM task_tries WHERE dag_id = $1 AND run_id = ANY (ARRAY(SELECT run_id FROM runs)) AND map_index = -1
       UNION ALL
       SELECT run_id, task_id, try_number, state, start_date, NULL, NULL, NULL
       FROM task_instances WHERE dag_id = $1 AND run_id = ANY (ARRAY(SELECT run_id FROM runs)) AND map_index = -1 AND state = 'running'
       UNION ALL
       -- A mapped task's instances by state (a few rows, not 10,000), folded into one below.
       SELECT run_id, task_id, max(try_number), state, min(start_date),
         CASE WHEN bool_and(end_date IS NOT NULL) THEN max(end_date) END, NULL, count(*)::int
       FROM task_instances WHERE dag_id = $1 AND run_id = ANY (ARRAY(SELECT run_id FROM runs)) AND map_index >= 0 AND start_date IS NOT NULL
       GROUP BY run_id, task_id, state
     )
     SELECT r.run_id, r.run_type, r.state AS run_state, r.logical_date, r.start_date AS run_start, r.end_date AS run_end,
       p.task_id, p.try_number, p.state, p.start_date, p.end_date, p.duration_ms, p.instances
     FROM runs r LEFT JOIN points p USING (run_id)
     ORDER BY r.logical_date DESC, p.task_id, p.try_number`,
    [dagId, limit],
  );
  const runs = new Map<string, DurationRunRecord>();
  const points: DurationPointRecord[] = [];
  const mapped = new Map<string, DurationPointRecord[]>();
  for (const r of rows) {
    if (!runs.has(r.run_id)) {
      runs.set(r.run_id, { runId: r.run_id, runType: r.run_type, state: r.run_state, logicalDate: r.logical_date, startDate: r.run_start, endDate: r.run_end });
    }
    if (r.task_id === null) continue;
    const point = {
      runId: r.run_id,
      taskId: r.task_id,
      tryNumber: r.try_number,
      state: r.state,
      startDate: r.start_date,
      endDate: r.end_date,
      durationMs: r.duration_ms,
      instances: r.instances,
    };
    if (r.instances === null) points.push(point);
    else {
      const key = JSON.stringify([r.run_id, r.task_id]);
      mapped.set(key, [...(mapped.get(key) ?? []), point]);
    }
  }
  return { runs: [...runs.values()], points: [...points, ...[...mapped.values()].map(foldMapped)] };
}

/** A mapped task's points of one run (one per state) as one: the span of them all, the most pressing state. */
function foldMapped(byState: DurationPointRecord[]): DurationPointRecord {
  const first = byState[0]!;
  const time = (d: Date | null) => d?.getTime() ?? NaN;
  const start = Math.min(...byState.map((p) => time(p.startDate)));
  const ends = byState.map((p) => time(p.endDate));
  const end = ends.some(Number.isNaN) ? null : Math.max(...ends);
  return {
    runId: first.runId,
    taskId: first.taskId,
    tryNumber: Math.max(...byState.map((p) => p.tryNumber)),
    state: mostPressingState(byState.map((p) => p.state))!,
    startDate: new Date(start),
    endDate: end === null ? null : new Date(end),
    durationMs: end === null ? null : end - start,
    instances: byState.reduce((sum, p) => sum + p.instances!, 0),
  };
}
