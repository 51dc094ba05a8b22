import type { TaskState } from '../core/states.ts';
import type { TriggerRule } from '../core/trigger-rules.ts';
import type { Queryable } from './db.ts';

export interface TaskInstanceRecord {
  dagId: string;
  runId: string;
  taskId: string;
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

const TI_COLUMNS = `dag_id, run_id, task_id, state, try_number, max_tries, pool, pool_slots, queue, priority_weight,
  trigger_rule, queued_at, start_date, end_date, duration_ms, hostname, next_try_at, error`;

export interface TryKey {
  dagId: string;
  runId: string;
  taskId: string;
  tryNumber: number;
}

export async function listTaskInstances(db: Queryable, dagId: string, runId: string): Promise<TaskInstanceRecord[]> {
  const { rows } = await db.query<TiRow>(
    `SELECT ${TI_COLUMNS} FROM task_instances WHERE dag_id = $1 AND run_id = $2 ORDER BY task_id`,
    [dagId, runId],
  );
  return rows.map(toTi);
}

/** What the grid shows of a task instance: its colour, its tooltip, and its row. */
export type GridInstanceRecord = Pick<
  TaskInstanceRecord,
  'runId' | 'taskId' | 'state' | 'tryNumber' | 'maxTries' | 'startDate' | 'endDate' | 'durationMs' | 'triggerRule'
>;

/**
 * Task instances of many runs at once (the grid), only the columns it shows: parsing 5,000 rows
 * of every column took node-postgres twice as long as the query itself.
 */
export async function listTaskInstancesOfRuns(db: Queryable, dagId: string, runIds: string[]): Promise<GridInstanceRecord[]> {
  type Row = Pick<TiRow, 'run_id' | 'task_id' | 'state' | 'try_number' | 'max_tries' | 'start_date' | 'end_date' | 'duration_ms' | 'trigger_rule'>;
  const { rows } = await db.query<Row>(
    `SELECT run_id, task_id, state, try_number, max_tries, start_date, end_date, duration_ms, trigger_rule
     FROM task_instances WHERE dag_id = $1 AND run_id = ANY ($2::text[])`,
    [dagId, runIds],
  );
  return rows.map((r) => ({
    runId: r.run_id,
    taskId: r.task_id,
    state: r.state,
    tryNumber: r.try_number,
    maxTries: r.max_tries,
    startDate: r.start_date,
    endDate: r.end_date,
    durationMs: r.duration_ms,
    triggerRule: r.trigger_rule,
  }));
}

export async function getTaskInstance(
  db: Queryable,
  dagId: string,
  runId: string,
  taskId: string,
): Promise<TaskInstanceRecord | undefined> {
  const { rows } = await db.query<TiRow>(
    `SELECT ${TI_COLUMNS} FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND task_id = $3`,
    [dagId, runId, taskId],
  );
  return rows[0] && toTi(rows[0]);
}

export interface ClaimedTry {
  maxTries: number;
  startDate: Date;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  conf: Record<string, unknown>;
  versionHash: string;
}

/**
 * queued → running for exactly these tries (one statement for a batch). A try missing from the
 * answer had a stale message (it was already taken, cleared, or timed out) and must be dropped:
 * this is the fence that makes at-least-once delivery safe.
 */
export async function claimTries(
  db: Queryable,
  keys: TryKey[],
  workerId: string,
  hostname: string,
): Promise<Map<string, ClaimedTry>> {
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{
    k: string;
    max_tries: number;
    start_date: Date;
    logical_date: Date;
    data_interval_start: Date;
    data_interval_end: Date;
    conf: Record<string, unknown>;
    version_hash: string;
  }>(
    `UPDATE task_instances ti SET state = 'running', start_date = clock_timestamp(), end_date = NULL, duration_ms = NULL,
       heartbeat_at = clock_timestamp(), hostname = $6, worker_id = $5, error = NULL
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS k(dag_id, run_id, task_id, try_number), dag_runs r
     WHERE ti.dag_id = k.dag_id AND ti.run_id = k.run_id AND ti.task_id = k.task_id AND ti.try_number = k.try_number
       AND ti.state = 'queued' AND r.dag_id = ti.dag_id AND r.run_id = ti.run_id
     RETURNING ti.dag_id || E'\\u0001' || ti.run_id || E'\\u0001' || ti.task_id || E'\\u0001' || ti.try_number AS k,
       ti.max_tries, ti.start_date, r.logical_date, r.data_interval_start, r.data_interval_end, r.conf, r.version_hash`,
    [keys.map((k) => k.dagId), keys.map((k) => k.runId), keys.map((k) => k.taskId), keys.map((k) => k.tryNumber), workerId, hostname],
  );
  return new Map(
    rows.map((r) => [
      r.k,
      {
        maxTries: r.max_tries,
        startDate: r.start_date,
        logicalDate: r.logical_date,
        dataIntervalStart: r.data_interval_start,
        dataIntervalEnd: r.data_interval_end,
        conf: r.conf,
        versionHash: r.version_hash,
      },
    ]),
  );
}

export type TryEndState = 'success' | 'failed' | 'skipped' | 'up_for_retry';

/**
 * running → its outcome, for exactly these tries (one statement for a whole batch), each written
 * to history. Returns the keys that were recorded: a try that was no longer running (cleared,
 * marked, or already failed as lost) is left out and its outcome dropped.
 */
export async function endTries(
  db: Queryable,
  ends: { key: TryKey; state: TryEndState; error: string | null; nextTryAt: Date | null }[],
): Promise<Set<string>> {
  if (ends.length === 0) return new Set();
  const { rows } = await db.query<{ k: string }>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::timestamptz[])
         AS i(dag_id, run_id, task_id, try_number, state, error, next_try_at)
     ), ended AS (
       UPDATE task_instances ti SET state = i.state, end_date = clock_timestamp(), error = i.error,
         next_try_at = i.next_try_at, worker_id = NULL, heartbeat_at = NULL,
         duration_ms = (extract(epoch FROM clock_timestamp() - ti.start_date) * 1000)::int
       FROM input i
       WHERE ti.dag_id = i.dag_id AND ti.run_id = i.run_id AND ti.task_id = i.task_id
         AND ti.try_number = i.try_number AND ti.state = 'running'
       RETURNING ti.dag_id, ti.run_id, ti.task_id, ti.try_number, ti.start_date, ti.end_date, ti.duration_ms,
         ti.hostname, ti.error, CASE WHEN i.state = 'up_for_retry' THEN 'failed' ELSE i.state END AS history_state
     ), history AS (
       INSERT INTO task_tries (dag_id, run_id, task_id, try_number, state, start_date, end_date, duration_ms, hostname, error)
       SELECT dag_id, run_id, task_id, try_number, history_state, start_date, end_date, duration_ms, hostname, error FROM ended
       ON CONFLICT DO NOTHING
     )
     SELECT dag_id || E'\\u0001' || run_id || E'\\u0001' || task_id || E'\\u0001' || try_number AS k FROM ended`,
    [
      ends.map((e) => e.key.dagId),
      ends.map((e) => e.key.runId),
      ends.map((e) => e.key.taskId),
      ends.map((e) => e.key.tryNumber),
      ends.map((e) => e.state),
      ends.map((e) => e.error),
      ends.map((e) => e.nextTryAt),
    ],
  );
  return new Set(rows.map((r) => r.k));
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
export async function listTries(db: Queryable, dagId: string, runId: string, taskId: string): Promise<TryRecord[]> {
  const { rows } = await db.query<TryRecord>(
    `SELECT try_number AS "tryNumber", state, start_date AS "startDate", end_date AS "endDate",
       duration_ms AS "durationMs", hostname, error
     FROM task_tries WHERE dag_id = $1 AND run_id = $2 AND task_id = $3
     UNION ALL
     SELECT try_number, state, start_date, end_date, duration_ms, hostname, error
     FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND state = 'running'
     ORDER BY "tryNumber"`,
    [dagId, runId, taskId],
  );
  return rows;
}

/** Keeps this worker's running tries alive; returns the ones still running (the rest were taken away). */
export async function heartbeatTries(db: Queryable, workerId: string, keys: TryKey[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await db.query<{ k: string }>(
    `UPDATE task_instances ti SET heartbeat_at = clock_timestamp()
     FROM unnest($2::text[], $3::text[], $4::text[], $5::int[]) AS k(dag_id, run_id, task_id, try_number)
     WHERE ti.dag_id = k.dag_id AND ti.run_id = k.run_id AND ti.task_id = k.task_id
       AND ti.try_number = k.try_number AND ti.state = 'running' AND ti.worker_id = $1
     RETURNING ti.dag_id || E'\\u0001' || ti.run_id || E'\\u0001' || ti.task_id || E'\\u0001' || ti.try_number AS k`,
    [workerId, keys.map((k) => k.dagId), keys.map((k) => k.runId), keys.map((k) => k.taskId), keys.map((k) => k.tryNumber)],
  );
  return new Set(rows.map((r) => r.k));
}

export const tryKeyString = (k: TryKey): string => `${k.dagId}\u0001${k.runId}\u0001${k.taskId}\u0001${k.tryNumber}`;

/** running → queued for the same try, when a stopping worker gives it back unfinished. */
export async function handBackTry(
  db: Queryable,
  key: TryKey,
): Promise<(TryKey & { pool: string; priorityWeight: number }) | undefined> {
  const { rows } = await db.query<{ pool: string; priority_weight: number }>(
    `UPDATE task_instances SET state = 'queued', queued_at = clock_timestamp(), start_date = NULL, hostname = NULL,
       worker_id = NULL, heartbeat_at = NULL
     WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND try_number = $4 AND state = 'running'
     RETURNING pool, priority_weight`,
    [key.dagId, key.runId, key.taskId, key.tryNumber],
  );
  const r = rows[0];
  return r && { ...key, pool: r.pool, priorityWeight: r.priority_weight };
}

/**
 * Resets task instances to `none` so they run again: the try number goes on counting and each
 * gets its retries anew (Airflow's clear). `onlyStates` limits it to instances in those states.
 */
export async function resetTaskInstances(
  db: Queryable,
  dagId: string,
  runId: string,
  tasks: { taskId: string; retries: number }[],
  onlyStates: TaskState[] | null = null,
): Promise<string[]> {
  const { rows } = await db.query<{ task_id: string }>(
    `UPDATE task_instances ti SET state = 'none', max_tries = ti.try_number + t.retries + 1,
       start_date = NULL, end_date = NULL, duration_ms = NULL, next_try_at = NULL, error = NULL,
       hostname = NULL, worker_id = NULL, heartbeat_at = NULL, queued_at = NULL
     FROM unnest($3::text[], $4::int[]) AS t(task_id, retries)
     WHERE ti.dag_id = $1 AND ti.run_id = $2 AND ti.task_id = t.task_id
       AND ($5::text[] IS NULL OR ti.state = ANY ($5::text[]))
     RETURNING ti.task_id`,
    [dagId, runId, tasks.map((t) => t.taskId), tasks.map((t) => t.retries), onlyStates],
  );
  return rows.map((r) => r.task_id);
}
