/**
 * What the API, the UI and the CLI show of task instances and their tries: reads only. Every
 * change of state is a transition in task-instances.ts.
 */
import type { TaskState } from '../core/states.ts';
import type { TriggerRule } from '../core/trigger-rules.ts';
import type { Queryable } from './db.ts';

export interface TaskInstanceRecord {
  dagId: string;
  runId: string;
  taskId: string;
  /** -1 for a task that is not mapped (or a mapped one not expanded, skipped or failed at expansion). */
  mapIndex: number;
  state: TaskState;
  tryNumber: number;
  maxTries: number;
  pool: string;
  poolSlots: number;
  queue: string;
  priorityWeight: number;
  triggerRule: TriggerRule;
  queuedAt: Date | null;
  startDate: Date | null;
  endDate: Date | null;
  durationMs: number | null;
  hostname: string | null;
  nextTryAt: Date | null;
  error: string | null;
}

interface TiRow {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  state: TaskState;
  try_number: number;
  max_tries: number;
  pool: string;
  pool_slots: number;
  queue: string;
  priority_weight: number;
  trigger_rule: TriggerRule;
  queued_at: Date | null;
  start_date: Date | null;
  end_date: Date | null;
  duration_ms: number | null;
  hostname: string | null;
  next_try_at: Date | null;
  error: string | null;
}

const toTi = (r: TiRow): TaskInstanceRecord => ({
  dagId: r.dag_id,
  runId: r.run_id,
  taskId: r.task_id,
  mapIndex: r.map_index,
  state: r.state,
  tryNumber: r.try_number,
  maxTries: r.max_tries,
  pool: r.pool,
  poolSlots: r.pool_slots,
  queue: r.queue,
  priorityWeight: r.priority_weight,
  triggerRule: r.trigger_rule,
  queuedAt: r.queued_at,
  startDate: r.start_date,
  endDate: r.end_date,
  durationMs: r.duration_ms,
  hostname: r.hostname,
  nextTryAt: r.next_try_at,
  error: r.error,
});

const TI_COLUMNS = `dag_id, run_id, task_id, map_index, state, try_number, max_tries, pool, pool_slots, queue, priority_weight,
  trigger_rule, queued_at, start_date, end_date, duration_ms, hostname, next_try_at, error`;

export async function listTaskInstances(db: Queryable, dagId: string, runId: string): Promise<TaskInstanceRecord[]> {
  const { rows } = await db.query<TiRow>(
    `SELECT ${TI_COLUMNS} FROM task_instances WHERE dag_id = $1 AND run_id = $2 ORDER BY task_id, map_index`,
    [dagId, runId],
  );
  return rows.map(toTi);
}

/**
 * A page of a run's task instances (of one task's, with taskId), in listTaskInstances' order,
 * and how many there are in all. Paged in SQL: node-postgres took ~0.4 s to read a mapped task's
 * 10,000 rows, so reading them all for each page of 1,000 made the ten pages take seconds.
 */
export async function pageTaskInstances(
  db: Queryable,
  dagId: string,
  runId: string,
  { taskId, limit, offset }: { taskId?: string; limit: number; offset: number },
): Promise<{ instances: TaskInstanceRecord[]; total: number }> {
  const where = `dag_id = $1 AND run_id = $2 AND ($3::text IS NULL OR task_id = $3)`;
  const params = [dagId, runId, taskId ?? null];
  const { rows } = await db.query<TiRow & { total: number }>(
    `SELECT ${TI_COLUMNS}, count(*) OVER ()::int AS total FROM task_instances WHERE ${where}
     ORDER BY task_id, map_index LIMIT $4 OFFSET $5`,
    [...params, limit, offset],
  );
  if (rows.length > 0) return { instances: rows.map(toTi), total: rows[0]!.total };
  // A page past the end has no row to carry the count.
  const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM task_instances WHERE ${where}`, params);
  return { instances: [], total: count.rows[0]!.n };
}

/** What the grid shows of a task instance: its colour, its tooltip, and its row. */
export type GridInstanceRecord = Pick<
  TaskInstanceRecord,
  'runId' | 'taskId' | 'mapIndex' | 'state' | 'tryNumber' | 'maxTries' | 'startDate' | 'endDate' | 'durationMs' | 'triggerRule'
>;

/**
 * A mapped task's instances in one run that are in one state, as one row: how many, the earliest
 * start, the latest end, the highest try. The grid shows a mapped task as one cell, so it needs
 * these few rows, not 10,000.
 */
export interface GridMappedStateRecord {
  runId: string;
  taskId: string;
  state: TaskState;
  count: number;
  tryNumber: number;
  maxTries: number;
  startDate: Date | null;
  endDate: Date | null;
  triggerRule: TriggerRule;
}

/**
 * Task instances of many runs at once (the grid), only the columns it shows: parsing 5,000 rows
 * of every column took node-postgres twice as long as the query itself. Unmapped instances
 * (map index -1) one by one; mapped ones grouped by run, task and state in SQL.
 */
export async function listTaskInstancesOfRuns(
  db: Queryable,
  dagId: string,
  runIds: string[],
): Promise<{ instances: GridInstanceRecord[]; mappedStates: GridMappedStateRecord[] }> {
  type Row = Pick<TiRow, 'run_id' | 'task_id' | 'map_index' | 'state' | 'try_number' | 'max_tries' | 'start_date' | 'end_date' | 'duration_ms' | 'trigger_rule'> & {
    /** null for an unmapped instance's own row; else how many mapped instances the row stands for. */
    n: number | null;
  };
  // One statement (the grid's answer takes three queries in all). All instances of a task share
  // its trigger rule: min() just picks it.
  const { rows } = await db.query<Row>(
    `SELECT run_id, task_id, map_index, state, try_number, max_tries, start_date, end_date, duration_ms, trigger_rule, NULL::int AS n
     FROM task_instances WHERE dag_id = $1 AND run_id = ANY ($2::text[]) AND map_index = -1
     UNION ALL
     SELECT run_id, task_id, 0, state, max(try_number), max(max_tries), min(start_date), max(end_date), NULL, min(trigger_rule), count(*)::int
     FROM task_instances WHERE dag_id = $1 AND run_id = ANY ($2::text[]) AND map_index >= 0
     GROUP BY run_id, task_id, state`,
    [dagId, runIds],
  );
  const instances: GridInstanceRecord[] = [];
  const mappedStates: GridMappedStateRecord[] = [];
  for (const r of rows) {
    const common = {
      runId: r.run_id,
      taskId: r.task_id,
      state: r.state,
      tryNumber: r.try_number,
      maxTries: r.max_tries,
      startDate: r.start_date,
      endDate: r.end_date,
      triggerRule: r.trigger_rule,
    };
    if (r.n === null) instances.push({ ...common, mapIndex: r.map_index, durationMs: r.duration_ms });
    else mappedStates.push({ ...common, count: r.n });
  }
  return { instances, mappedStates };
}

export async function getTaskInstance(
  db: Queryable,
  dagId: string,
  runId: string,
  taskId: string,
  mapIndex = -1,
): Promise<TaskInstanceRecord | undefined> {
  const { rows } = await db.query<TiRow>(
    `SELECT ${TI_COLUMNS} FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND map_index = $4`,
    [dagId, runId, taskId, mapIndex],
  );
  return rows[0] && toTi(rows[0]);
}

/**
 * Why a run has no task instance with this map index (getTaskInstance found none): its task is
 * mapped into instances (how many), or is not mapped (it has only -1), or the run has no such
 * task. The API and the CLI each word it for how their users name an instance.
 */
export type MissingTaskInstance = { kind: 'mapped'; instances: number } | { kind: 'not_mapped' } | { kind: 'no_task' };

export async function whyNoTaskInstance(db: Queryable, dagId: string, runId: string, taskId: string): Promise<MissingTaskInstance> {
  const { rows } = await db.query<{ mapped: number; plain: boolean }>(
    `SELECT count(*) FILTER (WHERE map_index >= 0)::int AS mapped, COALESCE(bool_or(map_index = -1), false) AS plain
     FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND task_id = $3`,
    [dagId, runId, taskId],
  );
  const { mapped, plain } = rows[0]!;
  return mapped > 0 ? { kind: 'mapped', instances: mapped } : plain ? { kind: 'not_mapped' } : { kind: 'no_task' };
}

/**
 * How many instances of one task of a run are in each state: one for a plain task, every
 * instance of a mapped one. Empty when the run has no such task.
 */
export async function taskStateCounts(db: Queryable, dagId: string, runId: string, taskId: string): Promise<Map<TaskState, number>> {
  const { rows } = await db.query<{ state: TaskState; n: number }>(
    `SELECT state, count(*)::int AS n FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 GROUP BY state`,
    [dagId, runId, taskId],
  );
  return new Map(rows.map((r) => [r.state, r.n]));
}

export interface TryRecord {
  tryNumber: number;
  state: TaskState;
  startDate: Date | null;
  endDate: Date | null;
  durationMs: number | null;
  hostname: string | null;
  error: string | null;
}

/** Every try of a task instance: the finished ones from history, then the current one if running. */
export async function listTries(db: Queryable, dagId: string, runId: string, taskId: string, mapIndex = -1): Promise<TryRecord[]> {
  const { rows } = await db.query<TryRecord>(
    `SELECT try_number AS "tryNumber", state, start_date AS "startDate", end_date AS "endDate",
       duration_ms AS "durationMs", hostname, error
     FROM task_tries WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND map_index = $4
     UNION ALL
     SELECT try_number, state, start_date, end_date, duration_ms, hostname, error
     FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND map_index = $4 AND state = 'running'
     ORDER BY "tryNumber"`,
    [dagId, runId, taskId, mapIndex],
  );
  return rows;
}

/** A try of a run's task instance: which instance, and the try as listTries gives it. */
export interface RunTryRecord extends TryRecord {
  taskId: string;
  mapIndex: number;
}

/**
 * A page of every try of a run (finished ones from history, running ones from task_instances),
 * by task, map index and try number, and how many there are in all: the Gantt chart's bars, in
 * one request rather than one per task instance. Both parts read their table's primary key.
 */
export async function pageRunTries(
  db: Queryable,
  dagId: string,
  runId: string,
  { limit, offset }: { limit: number; offset: number },
): Promise<{ tries: RunTryRecord[]; total: number }> {
  const { rows } = await db.query<RunTryRecord & { total: number }>(
    `SELECT task_id AS "taskId", map_index AS "mapIndex", try_number AS "tryNumber", state, start_date AS "startDate",
       end_date AS "endDate", duration_ms AS "durationMs", hostname, error, count(*) OVER ()::int AS total
     FROM (
       SELECT task_id, map_index, try_number, state, start_date, end_date, duration_ms, hostname, error
       FROM task_tries WHERE dag_id = $1 AND run_id = $2
       UNION ALL
       SELECT task_id, map_index, try_number, state, start_date, end_date, duration_ms, hostname, error
       FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND state = 'running'
     ) tries
     ORDER BY task_id, map_index, try_number LIMIT $3 OFFSET $4`,
    [dagId, runId, limit, offset],
  );
  const total = rows[0]?.total ?? (offset === 0 ? 0 : await countRunTries(db, dagId, runId));
  return { tries: rows, total };
}

async function countRunTries(db: Queryable, dagId: string, runId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM task_tries WHERE dag_id = $1 AND run_id = $2)::int
       + (SELECT count(*) FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND state = 'running')::int AS n`,
    [dagId, runId],
  );
  return rows[0]!.n;
}
