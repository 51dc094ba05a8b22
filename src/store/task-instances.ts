/**
 * Task instances: every transition of their state machine (ALLOWED_TRANSITIONS in
 * src/core/states.ts). Each transition is one guarded statement, `WHERE state IN (<the states
 * it may leave>)`, declared in TASK_INSTANCE_TRANSITIONS, so a row in any other state is left
 * unchanged; a transition that ends a running try writes the try to task_tries in the same
 * statement. The callers (src/engine, workers/) decide; this module only changes state. (The
 * reads the engine decides on are here too; what the API and the CLI show is read by
 * task-instance-reads.ts.)
 */
import {
  TASK_STATES,
  UNFINISHED_TASK_STATES,
  sqlList,
  taskStatesExcept,
  type TaskState,
  type Transition,
} from '../core/states.ts';
import type { TriggerRule } from '../core/trigger-rules.ts';
import type { QueuedTry } from '../queue/jobs.ts';
import type { Queryable } from './db.ts';

/**
 * Where none → scheduled may lead: a mapped task expands on that edge (ti_expand_mapped.sql) into
 * its instances ('scheduled'), or is skipped (an empty array) or failed (no array, or too long).
 */
const EXPANDS_TO = ['scheduled', 'skipped', 'failed'] as const;

/**
 * Every transition this module (and the admission function it calls) and try-completion.ts (the
 * fast path's two SQL functions) perform: the states each may leave, which is its SQL guard, and
 * the states it may enter.
 */
export const TASK_INSTANCE_TRANSITIONS = {
  /** sluice_claim_tries, through claimTries (or with ends, through completeTriesInStore). */
  claimTries: { from: ['queued'], to: ['running'] },
  /** sluice_complete_tries, through completeTriesInStore (try-completion.ts). */
  completeTries: { from: ['running'], to: ['success', 'failed', 'skipped', 'up_for_retry', 'up_for_reschedule'] },
  /**
   * sluice_complete_tries's own verdict: a downstream task whose upstreams all succeeded, under a
   * rule of RULES_RUN_WHEN_ALL_SUCCEEDED (src/core/trigger-rules.ts).
   */
  scheduleAllSucceeded: { from: ['none'], to: EXPANDS_TO },
  /** sluice_schedule_decided, through scheduleDecided (try-completion.ts): the caller's verdicts. */
  scheduleDecided: { from: ['none'], to: EXPANDS_TO },
  handBackTry: { from: ['running'], to: ['queued'] },
  /** scheduleWaiting, and scheduleWaitingOfRuns (the same edge for tasks of many runs). */
  scheduleWaiting: { from: ['none'], to: EXPANDS_TO },
  skipWaiting: { from: ['none'], to: ['skipped'] },
  failWaitingUpstream: { from: ['none'], to: ['upstream_failed'] },
  admitScheduled: { from: ['scheduled'], to: ['queued'] },
  scheduleDueRetries: { from: ['up_for_retry', 'up_for_reschedule'], to: ['scheduled'] },
  failUnfittable: { from: ['scheduled'], to: ['failed'] },
  skipForRunTimeout: { from: UNFINISHED_TASK_STATES, to: ['skipped'] },
  skipForCancelledBackfill: { from: ['none'], to: ['skipped'] },
  markSuccess: { from: taskStatesExcept('success'), to: ['success'] },
  markFailed: { from: taskStatesExcept('failed'), to: ['failed'] },
  /** A run marked success by hand: every unfinished task instance of it. */
  markRunTasksSuccess: { from: UNFINISHED_TASK_STATES, to: ['success'] },
  /** A run marked failed by hand: its running tries fail (their code is stopped)… */
  failRunningForRunMark: { from: ['running'], to: ['failed'] },
  /** …and what has not started (or is between tries, or between a sensor's checks) is skipped. */
  skipNotRunningForRunMark: { from: UNFINISHED_TASK_STATES.filter((s) => s !== 'running'), to: ['skipped'] },
  resetTaskInstances: { from: TASK_STATES, to: ['none'] },
} as const satisfies Record<string, Transition<TaskState>>;

const T = TASK_INSTANCE_TRANSITIONS;
const guard = (t: Transition<TaskState>, alias = 'ti') => `${alias}.state IN (${sqlList(t.from)})`;

export interface TryKey {
  dagId: string;
  runId: string;
  taskId: string;
  /** -1 for a task that is not mapped. */
  mapIndex: number;
  tryNumber: number;
}

export interface ClaimedTry {
  maxTries: number;
  startDate: Date;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  conf: Record<string, unknown>;
  versionHash: string;
  /** A mapped instance's element of its array (undefined when not mapped). */
  mapItem: unknown;
  /** How many times this try was rescheduled before this run of it (a sensor's earlier checks). */
  rescheduleCount: number;
}

/**
 * queued → running for exactly these tries (one statement for a batch: `sluice_claim_tries`,
 * src/store/functions). A try missing from the answer had a stale message (it was already taken,
 * cleared, or timed out) and must be dropped: this is the fence that makes at-least-once delivery
 * safe. A worker with ended tries to record claims with them (try-completion.ts).
 */
export async function claimTries(
  db: Queryable,
  keys: TryKey[],
  workerId: string,
  hostname: string,
): Promise<Map<string, ClaimedTry>> {
  if (keys.length === 0) return new Map();
  // Named: each connection parses and plans the call once.
  const { rows } = await db.query<ClaimedRow>({
    name: 'sluice_claim_tries',
    text: 'SELECT * FROM sluice_claim_tries($1, $2, $3, $4, $5, $6, $7)',
    values: [...tryKeyArrays(keys), workerId, hostname],
  });
  return claimedTries(rows);
}

/** A row of sluice_claim_tries (src/store/functions), which claimTries and try-completion.ts call. */
export interface ClaimedRow {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  try_number: number;
  max_tries: number;
  map_item: unknown;
  start_date: Date;
  reschedule_count: number;
  logical_date: Date;
  data_interval_start: Date;
  data_interval_end: Date;
  conf: Record<string, unknown>;
  version_hash: string;
}

/** The claimed tries by tryKeyString. */
export function claimedTries(rows: ClaimedRow[]): Map<string, ClaimedTry> {
  return new Map(
    rows.map((r) => [
      tryKeyString({ dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, mapIndex: r.map_index, tryNumber: r.try_number }),
      {
        maxTries: r.max_tries,
        // map_item is SQL NULL for a plain task; a mapped instance's JSON null is null too.
        mapItem: r.map_index >= 0 ? r.map_item : undefined,
        startDate: r.start_date,
        rescheduleCount: r.reschedule_count,
        logicalDate: r.logical_date,
        dataIntervalStart: r.data_interval_start,
        dataIntervalEnd: r.data_interval_end,
        conf: r.conf,
        versionHash: r.version_hash,
      },
    ]),
  );
}

/** How a try ends: the edges running → outcome that sluice_complete_tries takes (try-completion.ts). */
export type TryEndState = 'success' | 'failed' | 'skipped' | 'up_for_retry' | 'up_for_reschedule';

/** Keeps this worker's running tries alive; returns the ones still running (the rest were taken away). */
export async function heartbeatTries(db: Queryable, workerId: string, keys: TryKey[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const sorted = [...keys].sort(compareTryKeys);
  const { rows } = await db.query<{ k: string }>(
    `UPDATE task_instances ti SET heartbeat_at = clock_timestamp()
     FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[]) AS k(dag_id, run_id, task_id, map_index, try_number)
     WHERE ti.dag_id = k.dag_id AND ti.run_id = k.run_id AND ti.task_id = k.task_id AND ti.map_index = k.map_index
       AND ti.try_number = k.try_number AND ti.state = 'running' AND ti.worker_id = $1
       AND ti.clear_requested_retries IS NULL
     RETURNING ti.dag_id || E'\\u0001' || ti.run_id || E'\\u0001' || ti.task_id || E'\\u0001' || ti.map_index
       || E'\\u0001' || ti.try_number AS k`,
    [workerId, ...tryKeyArrays(sorted)],
  );
  return new Set(rows.map((r) => r.k));
}

export const tryKeyString = (k: TryKey): string => `${k.dagId}\u0001${k.runId}\u0001${k.taskId}\u0001${k.mapIndex}\u0001${k.tryNumber}`;

/**
 * The order in which statements that lock running tries' rows pass their keys (heartbeats, ends):
 * each locks its rows in the order of its array, so two of one worker's statements that share
 * rows (a heartbeat and a batch of ends) take them in the same order and cannot deadlock.
 */
export function compareTryKeys(a: TryKey, b: TryKey): number {
  return a.dagId < b.dagId ? -1 : a.dagId > b.dagId ? 1 : a.runId < b.runId ? -1 : a.runId > b.runId ? 1
    : a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.mapIndex - b.mapIndex || a.tryNumber - b.tryNumber;
}

/** Tries as the parallel arrays the SQL functions take: dag ids, run ids, task ids, map indexes, try numbers. */
export const tryKeyArrays = (keys: TryKey[]): [string[], string[], string[], number[], number[]] => [
  keys.map((k) => k.dagId),
  keys.map((k) => k.runId),
  keys.map((k) => k.taskId),
  keys.map((k) => k.mapIndex),
  keys.map((k) => k.tryNumber),
];

/** running → queued for the same try, when a stopping worker gives it back unfinished. */
export async function handBackTry(
  db: Queryable,
  key: TryKey,
): Promise<QueuedTry | undefined> {
  const { rows } = await db.query<{ pool: string; queue: string; priority_weight: number }>(
    // A sensor's resumed try keeps the start of its first check.
    `UPDATE task_instances ti SET state = 'queued', queued_at = clock_timestamp(),
       start_date = CASE WHEN ti.reschedule_count > 0 THEN ti.start_date END, hostname = NULL,
       worker_id = NULL, heartbeat_at = NULL
     WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND map_index = $5 AND try_number = $4 AND ${guard(T.handBackTry)}
       AND clear_requested_retries IS NULL
     RETURNING pool, queue, priority_weight`,
    [key.dagId, key.runId, key.taskId, key.tryNumber, key.mapIndex],
  );
  const r = rows[0];
  return r && { ...key, pool: r.pool, queue: r.queue, priorityWeight: r.priority_weight };
}

/**
 * Resets task instances to `none` so they run again (Airflow's clear): the try number goes on
 * counting and each gets its retries anew. `onlyStates` limits it to instances in those states.
 * A try still running is not reset here: its code must be gone first, or the next try would run
 * beside it. It is asked to stop (its worker's heartbeat tells it), and is reset once it has
 * (finishClearedTry). Returns the task ids reset now and those asked to stop.
 */
export async function resetTaskInstances(
  db: Queryable,
  dagId: string,
  runId: string,
  tasks: { taskId: string; retries: number }[],
  onlyStates: TaskState[] | null = null,
): Promise<{ reset: string[]; stopping: string[] }> {
  const { rows } = await db.query<{ task_id: string; stopping: boolean }>(
    `WITH target AS (
       SELECT ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.state, t.retries FROM task_instances ti
       JOIN unnest($3::text[], $4::int[]) AS t(task_id, retries) ON t.task_id = ti.task_id
       WHERE ti.dag_id = $1 AND ti.run_id = $2 AND ${guard(T.resetTaskInstances)}
         AND ($5::text[] IS NULL OR ti.state = ANY ($5::text[]))
       ORDER BY ti.task_id, ti.map_index FOR UPDATE OF ti
     )
     UPDATE task_instances ti SET ${RESET_SET},
       clear_requested_retries = CASE WHEN target.state = 'running' THEN target.retries END
     FROM target
     WHERE ti.dag_id = $1 AND ti.run_id = $2 AND ti.task_id = target.task_id AND ti.map_index = target.map_index
     RETURNING ti.task_id, target.state = 'running' AS stopping`,
    [dagId, runId, tasks.map((t) => t.taskId), tasks.map((t) => t.retries), onlyStates],
  );
  // A mapped task whose instances are all waiting now folds back into one row, to expand again.
  await collapseMapped(db, dagId, runId, [...new Set(rows.map((r) => r.task_id))]);
  // One task id per task, however many of its instances were reset or asked to stop.
  const stopping = new Set(rows.filter((r) => r.stopping).map((r) => r.task_id));
  return { reset: [...new Set(rows.filter((r) => !r.stopping && !stopping.has(r.task_id)).map((r) => r.task_id))], stopping: [...stopping] };
}

/**
 * Folds each of these mapped tasks whose every instance is waiting back into its one unexpanded
 * row (sluice_collapse_mapped, src/store/functions), so that it expands anew from its source's
 * next result. Tasks that are not mapped, or have an instance still stopping, are left alone.
 */
async function collapseMapped(db: Queryable, dagId: string, runId: string, taskIds: string[]): Promise<void> {
  if (taskIds.length === 0) return;
  await db.query('SELECT * FROM sluice_collapse_mapped($1, $2, $3::text[])', [dagId, runId, taskIds]);
}

/**
 * A reset's SET list, in `target`'s terms (its `state` and `retries`): a running try keeps every
 * column (it is only asked to stop); any other instance is reset.
 */
const RESET_SET = ['state', 'start_date', 'end_date', 'duration_ms', 'next_try_at', 'error', 'hostname', 'worker_id', 'heartbeat_at', 'queued_at', 'max_tries', 'reschedule_count']
  .map((column) => {
    const value =
      column === 'state' ? `'none'` : column === 'max_tries' ? 'ti.try_number + target.retries + 1' : column === 'reschedule_count' ? '0' : 'NULL';
    return `${column} = CASE WHEN target.state = 'running' THEN ti.${column} ELSE ${value} END`;
  })
  .join(', ');

/**
 * running → none for a try that a clear asked to stop, once its code is gone (its worker calls
 * this after the try ended; the scheduler, for a try whose worker died). The try goes to history
 * as failed ("cleared while running"). Returns whether it was reset (false: no clear was pending).
 */
export async function finishClearedTry(db: Queryable, key: TryKey): Promise<boolean> {
  const { rowCount } = await db.query(
    `WITH target AS (
       SELECT ${LOCKED_COLUMNS}, ti.clear_requested_retries AS retries FROM task_instances ti
       WHERE ti.dag_id = $1 AND ti.run_id = $2 AND ti.task_id = $3 AND ti.map_index = $5 AND ti.try_number = $4
         AND ti.state = 'running' AND ti.clear_requested_retries IS NOT NULL
       FOR UPDATE OF ti
     ), history AS (
       ${insertHistory('target', `'failed'`, `'the try was cleared while running'`)}
     )
     UPDATE task_instances ti SET state = 'none', max_tries = ti.try_number + target.retries + 1,
       start_date = NULL, end_date = NULL, duration_ms = NULL, next_try_at = NULL, error = NULL,
       hostname = NULL, worker_id = NULL, heartbeat_at = NULL, queued_at = NULL, clear_requested_retries = NULL, reschedule_count = 0
     FROM target
     WHERE ti.dag_id = target.dag_id AND ti.run_id = target.run_id AND ti.task_id = target.task_id
       AND ti.map_index = target.map_index`,
    [key.dagId, key.runId, key.taskId, key.tryNumber, key.mapIndex],
  );
  if (!rowCount) return false;
  // The last instance of a cleared mapped task to stop lets it fold back and expand again.
  if (key.mapIndex >= 0) await collapseMapped(db, key.dagId, key.runId, [key.taskId]);
  return true;
}

/**
 * What a transition that may end a running try reads of each row it locks (FOR UPDATE, so these
 * are the values its update changes: a try claimed meanwhile is seen running) and the moment it
 * acts, `at`: one value per row, so the task instance and its try's history agree on the end.
 */
const LOCKED_COLUMNS = `ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.state AS from_state, ti.try_number, ti.start_date, ti.hostname,
  clock_timestamp() AS at`;

/**
 * `INSERT INTO task_tries` of the tries that were running among `source`'s rows (LOCKED_COLUMNS),
 * or paused between a sensor's checks (up_for_reschedule: the try had begun, at its first check):
 * the try's start, its end, how long it ran, where, with `state` and `error` (SQL expressions).
 */
function insertHistory(source: string, state: string, error: string): string {
  return `INSERT INTO task_tries (dag_id, run_id, task_id, map_index, try_number, state, start_date, end_date, duration_ms, hostname, error)
       SELECT dag_id, run_id, task_id, map_index, try_number, ${state}, start_date, at,
         (extract(epoch FROM at - start_date) * 1000)::int, hostname, ${error}
       FROM ${source} WHERE from_state IN ('running', 'up_for_reschedule')
       ON CONFLICT DO NOTHING`;
}

// ---------------------------------------------------------------------------------------------
// Finishing a task instance without a try of its own ending (a trigger rule's skip, an unfittable
// pool, a run timeout, a cancelled backfill, a mark by hand): all of them set the same columns.

/**
 * The SET list of every finish without a try of its own ending. A try that was running when it
 * happened (a run timeout, a mark), or paused between a sensor's checks, keeps its start and host,
 * and its end and duration are the try's; any other task instance starts and ends at `at`, in no time. Nothing is due or
 * heart-beating afterwards. `to`, `error` and `at` are SQL expressions.
 */
function finishSet(to: string, error: string, at: string): string {
  const begun = `ti.state IN ('running', 'up_for_reschedule')`;
  return `state = ${to}, clear_requested_retries = NULL, reschedule_count = 0,
       start_date = CASE WHEN ${begun} THEN ti.start_date ELSE ${at} END,
       end_date = ${at},
       duration_ms = CASE WHEN ${begun} THEN (extract(epoch FROM ${at} - ti.start_date) * 1000)::int ELSE 0 END,
       hostname = CASE WHEN ${begun} THEN ti.hostname END,
       next_try_at = NULL, worker_id = NULL, heartbeat_at = NULL, error = ${error}`;
}

interface FinishTarget {
  /** Conditions on `ti` (task_instances) choosing the rows, beside the transition's guard. */
  where: string;
  params: unknown[];
}

/**
 * Finishes the rows of `target` that are in one of the transition's `from` states with the state
 * `to` and `error` (SQL expressions), all through finishSet. When the transition may leave
 * 'running' (or 'up_for_reschedule'), the rows are locked first (LOCKED_COLUMNS) and each try
 * they were in the middle of goes to task_tries with `to` as its state, in the same statement.
 * Returns the finished rows' keys and downstream.
 */
async function finish(
  db: Queryable,
  transition: Transition<TaskState>,
  target: FinishTarget,
  to: string,
  error: string,
): Promise<{ dagId: string; runId: string; taskId: string; downstream: string[] }[]> {
  type Row = { dag_id: string; run_id: string; task_id: string; downstream: string[] };
  // A sensor between checks is in the middle of its try too: finishing it ends that try.
  const endsTries = transition.from.includes('running') || transition.from.includes('up_for_reschedule');
  const sql = endsTries
    ? `WITH target AS (
         SELECT ${LOCKED_COLUMNS} FROM task_instances ti
         WHERE (${target.where}) AND ${guard(transition)}
         ORDER BY ti.dag_id, ti.run_id, ti.task_id, ti.map_index FOR UPDATE OF ti
       ), history AS (
         ${insertHistory('target', to, error)}
       )
       UPDATE task_instances ti SET ${finishSet(to, error, 'target.at')}
       FROM target WHERE ti.dag_id = target.dag_id AND ti.run_id = target.run_id AND ti.task_id = target.task_id
         AND ti.map_index = target.map_index
       RETURNING ti.dag_id, ti.run_id, ti.task_id, ti.downstream`
    : `UPDATE task_instances ti SET ${finishSet(to, error, 'n.at')}
       FROM (SELECT clock_timestamp() AS at) n
       WHERE (${target.where}) AND ${guard(transition)}
       RETURNING ti.dag_id, ti.run_id, ti.task_id, ti.downstream`;
  const { rows } = await db.query<Row>(sql, target.params);
  return rows.map((r) => ({ dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, downstream: r.downstream }));
}

/** none → skipped: their trigger rules decided they do not run. */
export async function skipWaiting(db: Queryable, dagId: string, runId: string, taskIds: string[]): Promise<string[]> {
  const rows = await finish(db, T.skipWaiting, runTasks(dagId, runId, taskIds), `'skipped'`, 'NULL');
  return rows.map((r) => r.taskId);
}

/** none → upstream_failed: an upstream failure decided their trigger rules. */
export async function failWaitingUpstream(db: Queryable, dagId: string, runId: string, taskIds: string[]): Promise<string[]> {
  const rows = await finish(db, T.failWaitingUpstream, runTasks(dagId, runId, taskIds), `'upstream_failed'`, 'NULL');
  return rows.map((r) => r.taskId);
}

/**
 * none → scheduled for task instances of any runs (the first tasks of the runs the scheduler just
 * started, in one statement): their trigger rules say they may run; admission gives them slots.
 * Returns those it moved, with the state each is in: a mapped task expands as it moves
 * (ti_expand_mapped.sql), into 'skipped' over an empty array and 'failed' over no array.
 */
export async function scheduleWaitingOfRuns(db: Queryable, tasks: TaskKey[]): Promise<ScheduledTask[]> {
  if (tasks.length === 0) return [];
  const { rows } = await db.query<{ dag_id: string; run_id: string; task_id: string; state: TaskState; downstream: string[] }>({
    name: 'sluice_schedule_waiting_of_runs',
    text: `UPDATE task_instances ti SET state = 'scheduled'
     FROM unnest($1::text[], $2::text[], $3::text[]) AS k(dag_id, run_id, task_id)
     WHERE ti.dag_id = k.dag_id AND ti.run_id = k.run_id AND ti.task_id = k.task_id AND ti.map_index = -1
       AND ${guard(T.scheduleWaiting)}
     RETURNING ti.dag_id, ti.run_id, ti.task_id, ti.state, ti.downstream`,
    values: [tasks.map((t) => t.dagId), tasks.map((t) => t.runId), tasks.map((t) => t.taskId)],
  });
  return rows.map((r) => ({ dagId: r.dag_id, runId: r.run_id, taskId: r.task_id, state: r.state, downstream: r.downstream }));
}

/** A task scheduleWaitingOfRuns moved: 'scheduled', or what its expansion made of it. */
export interface ScheduledTask extends TaskKey {
  state: TaskState;
  downstream: string[];
}

/** scheduleWaitingOfRuns for tasks of one run. */
export async function scheduleWaiting(db: Queryable, dagId: string, runId: string, taskIds: string[]): Promise<ScheduledTask[]> {
  return scheduleWaitingOfRuns(db, taskIds.map((taskId) => ({ dagId, runId, taskId })));
}

const runTasks = (dagId: string, runId: string, taskIds: string[]): FinishTarget => ({
  where: 'ti.dag_id = $1 AND ti.run_id = $2 AND ti.task_id = ANY ($3::text[])',
  params: [dagId, runId, taskIds],
});

/**
 * scheduled → failed for one task that needs more slots than its pool has, with `error` saying
 * so. Returns its downstream tasks, or undefined if it was no longer scheduled.
 */
export async function failUnfittable(db: Queryable, key: TaskInstanceKey, error: string): Promise<string[] | undefined> {
  const target = {
    where: 'ti.dag_id = $1 AND ti.run_id = $2 AND ti.task_id = $3 AND ti.map_index = $5',
    params: [key.dagId, key.runId, key.taskId, error, key.mapIndex],
  };
  return (await finish(db, T.failUnfittable, target, `'failed'`, '$4'))[0]?.downstream;
}

/** Every unfinished task instance of a run that outlived its dagrunTimeout → skipped; a running try ends. */
export async function skipForRunTimeout(db: Queryable, dagId: string, runId: string): Promise<string[]> {
  const target = { where: 'ti.dag_id = $1 AND ti.run_id = $2', params: [dagId, runId, 'the run exceeded its dagrunTimeout'] };
  return (await finish(db, T.skipForRunTimeout, target, `'skipped'`, '$3')).map((r) => r.taskId);
}

/** The waiting task instances of a cancelled backfill's runs that have not started → skipped. */
export async function skipForCancelledBackfill(db: Queryable, backfillId: number): Promise<number> {
  const target = {
    where: `EXISTS (SELECT 1 FROM dag_runs r WHERE r.backfill_id = $1 AND r.state = 'queued'
              AND r.dag_id = ti.dag_id AND r.run_id = ti.run_id)`,
    params: [backfillId, 'the backfill was cancelled'],
  };
  return (await finish(db, T.skipForCancelledBackfill, target, `'skipped'`, '$2')).length;
}

export interface TaskKey {
  dagId: string;
  runId: string;
  taskId: string;
}

/** One task instance: a task's key and its map index (-1: the task is not mapped, or not yet expanded). */
export interface TaskInstanceKey extends TaskKey {
  mapIndex: number;
}

/**
 * Sets a task instance's state by hand, from any other state. A try still running ends with it
 * (in task_tries as `state`); its worker's outcome, arriving later, is dropped. Returns the
 * task's downstream tasks, or undefined when it already was in `state` (nothing changed).
 */
export async function markByHand(db: Queryable, key: TaskInstanceKey, state: 'success' | 'failed'): Promise<string[] | undefined> {
  const transition = state === 'success' ? T.markSuccess : T.markFailed;
  const target = {
    where: 'ti.dag_id = $1 AND ti.run_id = $2 AND ti.task_id = $3 AND ti.map_index = $6',
    params: [key.dagId, key.runId, key.taskId, state, state === 'failed' ? 'marked failed by a user' : null, key.mapIndex],
  };
  return (await finish(db, transition, target, '$4::text', '$5::text'))[0]?.downstream;
}

/**
 * The task instances of a run marked by hand (Airflow's "mark run as success/failed", markRun in
 * runs.ts). To success: every unfinished one. To failed: the running ones fail (their workers see
 * it at the next heartbeat and stop the code), then the others that have not finished are
 * skipped. A running try ends in task_tries, as with a task's mark. Each returns the task ids
 * it changed.
 */
const RUN_MARK_ERROR = 'its run was marked failed by a user';
const ofRun = (dagId: string, runId: string, error: string | null) => ({ where: 'ti.dag_id = $1 AND ti.run_id = $2', params: [dagId, runId, error] });

export async function markRunTasksSuccess(db: Queryable, dagId: string, runId: string): Promise<string[]> {
  return (await finish(db, T.markRunTasksSuccess, ofRun(dagId, runId, null), `'success'`, '$3::text')).map((r) => r.taskId);
}

export async function failRunningForRunMark(db: Queryable, dagId: string, runId: string): Promise<string[]> {
  return (await finish(db, T.failRunningForRunMark, ofRun(dagId, runId, RUN_MARK_ERROR), `'failed'`, '$3::text')).map((r) => r.taskId);
}

export async function skipNotRunningForRunMark(db: Queryable, dagId: string, runId: string): Promise<string[]> {
  return (await finish(db, T.skipNotRunningForRunMark, ofRun(dagId, runId, RUN_MARK_ERROR), `'skipped'`, '$3::text')).map((r) => r.taskId);
}

/**
 * up_for_retry → scheduled for every retry whose delay has passed, and up_for_reschedule →
 * scheduled for every paused sensor whose next check is due (each state has its index on
 * next_try_at).
 */
export async function scheduleDueRetries(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    // One OR branch per state, so that each is read through its own partial index.
    `UPDATE task_instances ti SET state = 'scheduled'
     WHERE ${guard(T.scheduleDueRetries)}
       AND ((ti.state = 'up_for_retry' AND ti.next_try_at <= clock_timestamp())
         OR (ti.state = 'up_for_reschedule' AND ti.next_try_at <= clock_timestamp()))`,
  );
  return rowCount ?? 0;
}

/**
 * When the next retry or sensor check falls due (the earliest next_try_at of the rows waiting for
 * one), or null when none waits: the scheduler wakes for it rather than at its next loop. One
 * lookup in each state's partial index.
 */
export async function nextDueAt(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT LEAST((SELECT min(next_try_at) FROM task_instances WHERE state = 'up_for_retry'),
                  (SELECT min(next_try_at) FROM task_instances WHERE state = 'up_for_reschedule')) AS at`,
  );
  return rows[0]?.at ?? null;
}

/** A queued try as the statements that list tries to send return it. */
export interface QueuedTryRow {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  try_number: number;
  pool: string;
  queue: string;
  priority_weight: number;
}

export const toQueuedTry = (r: QueuedTryRow): QueuedTry => ({
  dagId: r.dag_id,
  runId: r.run_id,
  taskId: r.task_id,
  mapIndex: r.map_index,
  tryNumber: r.try_number,
  pool: r.pool,
  queue: r.queue,
  priorityWeight: r.priority_weight,
});

/**
 * Tries queued more than `olderThanMs` ago, oldest first (at most `limit`): a worker should have
 * taken their messages by now, so the sweep checks that Redis still holds them.
 */
export async function listQueuedTriesOlderThan(db: Queryable, olderThanMs: number, limit = 5000): Promise<QueuedTry[]> {
  const { rows } = await db.query<QueuedTryRow>(
    `SELECT dag_id, run_id, task_id, map_index, try_number, pool, queue, priority_weight FROM task_instances
     WHERE state = 'queued' AND queued_at < clock_timestamp() - $1 * interval '1 millisecond'
     ORDER BY queued_at LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows.map(toQueuedTry);
}

/**
 * scheduled → queued with a new try number, for as many of the DAG's scheduled task instances as
 * its maxActiveTasks and their pools' slots have room for: `sluice_admit_scheduled`
 * (src/store/functions), one round trip because the fast path runs it after every try.
 */
export async function admitScheduled(db: Queryable, dagId: string): Promise<QueuedTry[]> {
  const { rows } = await db.query<Omit<QueuedTryRow, 'dag_id'>>('SELECT * FROM sluice_admit_scheduled($1)', [dagId]);
  return rows.map((r) => toQueuedTry({ ...r, dag_id: dagId }));
}

/**
 * The DAGs with a task scheduled in a pool that has free slots, read without admission's locks:
 * only these can be admitted now (admission itself counts again, under its locks). A DAG whose
 * tasks all wait for full pools is left out: one freed slot there goes to it through the
 * completion that frees it (sluice_admit_pool) or the next look.
 */
export async function dagsWithRoomToAdmit(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ dag_id: string }>(
    // MATERIALIZED: inlined, the pool's room was counted once per scheduled task, not per pool
    // (112 ms with 1,500 tasks scheduled, in every scheduler loop).
    `WITH waiting AS MATERIALIZED (SELECT DISTINCT pool FROM task_instances WHERE state = 'scheduled'),
     open AS (SELECT w.pool FROM waiting w WHERE sluice_pool_room(w.pool) > 0)
     SELECT DISTINCT ti.dag_id FROM task_instances ti JOIN open ON open.pool = ti.pool WHERE ti.state = 'scheduled'`,
  );
  return rows.map((r) => r.dag_id);
}

/** The pools where these DAGs have tasks scheduled. */
export async function poolsWithScheduledTasks(db: Queryable, dagIds: string[]): Promise<string[]> {
  const { rows } = await db.query<{ pool: string }>(
    `SELECT DISTINCT ti.pool FROM task_instances ti WHERE ti.dag_id = ANY ($1::text[]) AND ti.state = 'scheduled' ORDER BY 1`,
    [dagIds],
  );
  return rows.map((r) => r.pool);
}

/**
 * scheduled → queued for the scheduled task instances of any DAG in `pool`, as many as the pool's
 * free slots and each DAG's maxActiveTasks have room for: `sluice_admit_pool` (src/store/functions).
 * Run as a statement of its own (it waits for the pool's lock, so the caller must hold no other):
 * it gives a slot that a finished try freed to the other DAGs waiting for that pool. Returns at
 * once, without the lock, when only the DAGs in `otherThan` (just admitted for) have any waiting.
 */
export async function admitScheduledInPool(db: Queryable, pool: string, otherThan: string[]): Promise<QueuedTry[]> {
  const { rows } = await db.query<QueuedTryRow>('SELECT * FROM sluice_admit_pool($1, $2::text[])', [pool, otherThan]);
  return rows.map(toQueuedTry);
}

/** What the trigger rule of a waiting task is judged on: its upstream counts, kept by the ti_upstream_counts trigger. */
export interface WaitingTask {
  taskId: string;
  triggerRule: TriggerRule;
  downstream: string[];
  upstream: { total: number; success: number; failed: number; upstreamFailed: number; skipped: number };
}

interface WaitingRow {
  dag_id: string;
  run_id: string;
  task_id: string;
  trigger_rule: TriggerRule;
  downstream: string[];
  upstream_total: number;
  upstream_success: number;
  upstream_failed: number;
  upstream_upstream_failed: number;
  upstream_skipped: number;
}

const WAITING_COLUMNS = `ti.dag_id, ti.run_id, ti.task_id, ti.trigger_rule, ti.downstream, ti.upstream_total,
  ti.upstream_success, ti.upstream_failed, ti.upstream_upstream_failed, ti.upstream_skipped`;

const toWaitingTask = (r: WaitingRow): WaitingTask => ({
  taskId: r.task_id,
  triggerRule: r.trigger_rule,
  downstream: r.downstream,
  upstream: {
    total: r.upstream_total,
    success: r.upstream_success,
    failed: r.upstream_failed,
    upstreamFailed: r.upstream_upstream_failed,
    skipped: r.upstream_skipped,
  },
});

/** The waiting (`none`) task instances of a run, all or only `taskIds`, read without locking. */
export async function listWaiting(db: Queryable, dagId: string, runId: string, taskIds?: string[]): Promise<WaitingTask[]> {
  const { rows } = await db.query<WaitingRow>(
    `SELECT ${WAITING_COLUMNS} FROM task_instances ti
     WHERE ti.dag_id = $1 AND ti.run_id = $2 AND ti.state = 'none' AND ti.map_index = -1
       ${taskIds ? 'AND ti.task_id = ANY ($3::text[])' : ''}
     ORDER BY ti.task_id`,
    taskIds ? [dagId, runId, taskIds] : [dagId, runId],
  );
  return rows.map(toWaitingTask);
}

/** The waiting task instances of these runs, in one statement (the runs the scheduler just started). */
export async function listWaitingOfRuns(
  db: Queryable,
  runs: { dagId: string; runId: string }[],
): Promise<(WaitingTask & { dagId: string; runId: string })[]> {
  if (runs.length === 0) return [];
  const { rows } = await db.query<WaitingRow>({
    name: 'sluice_list_waiting_of_runs',
    text: `SELECT ${WAITING_COLUMNS} FROM task_instances ti
     JOIN unnest($1::text[], $2::text[]) AS r(dag_id, run_id) ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id
     WHERE ti.state = 'none' AND ti.map_index = -1
     ORDER BY ti.dag_id, ti.run_id, ti.task_id`,
    values: [runs.map((r) => r.dagId), runs.map((r) => r.runId)],
  });
  return rows.map((r) => ({ dagId: r.dag_id, runId: r.run_id, ...toWaitingTask(r) }));
}

/**
 * The waiting task instances of every running run, oldest run first, read without locking in one
 * statement: the sweep judges them to find the few runs it must look at, rather than opening a
 * transaction for every running run on every loop.
 */
export async function listWaitingInRunningRuns(db: Queryable): Promise<(WaitingTask & { dagId: string; runId: string })[]> {
  const { rows } = await db.query<WaitingRow>(
    `SELECT ${WAITING_COLUMNS} FROM task_instances ti
     JOIN dag_runs r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id
     WHERE r.state = 'running' AND ti.state = 'none' AND ti.map_index = -1
     ORDER BY r.logical_date, ti.dag_id, ti.run_id`,
  );
  return rows.map((r) => ({ dagId: r.dag_id, runId: r.run_id, ...toWaitingTask(r) }));
}
