/**
 * DAG runs: creation, reads, and every transition of the run state machine (ALLOWED_TRANSITIONS
 * in src/core/states.ts), each one guarded statement declared in RUN_TRANSITIONS.
 */
import { FINISHED_RUN_STATES, UNFINISHED_TASK_STATES, sqlList, type DagRunState, type RunType, type Transition } from '../core/states.ts';
import type { DagSpec } from '../core/spec.ts';
import type { Queryable } from './db.ts';
import { failRunningForRunMark, markRunTasksSuccess, skipForRunTimeout, skipNotRunningForRunMark } from './task-instances.ts';

/**
 * Every transition this module (and the run-end function it calls) performs: the states each may
 * leave, which is its SQL guard, and the states it may enter. Runs are created 'queued'.
 */
export const RUN_TRANSITIONS = {
  /** sluice_start_runs (src/store/functions), through startRuns. */
  startRuns: { from: ['queued'], to: ['running'] },
  finalizeRun: { from: ['running'], to: ['success', 'failed'] },
  timeoutRun: { from: ['running'], to: ['failed'] },
  requeueRun: { from: FINISHED_RUN_STATES, to: ['queued'] },
  resumeRun: { from: FINISHED_RUN_STATES, to: ['running'] },
  joinBackfill: { from: FINISHED_RUN_STATES, to: ['queued'] },
  failCancelledBackfillRuns: { from: ['queued'], to: ['failed'] },
  markRunSuccess: { from: ['queued', 'running', 'failed'], to: ['success'] },
  markRunFailed: { from: ['queued', 'running', 'success'], to: ['failed'] },
} as const satisfies Record<string, Transition<DagRunState>>;

const T = RUN_TRANSITIONS;
const guard = (t: Transition<DagRunState>, alias = 'r') => `${alias}.state IN (${sqlList(t.from)})`;

export interface DagRunRecord {
  dagId: string;
  runId: string;
  runType: RunType;
  state: DagRunState;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  conf: Record<string, unknown>;
  versionHash: string;
  queuedAt: Date;
  startDate: Date | null;
  endDate: Date | null;
  backfillId: number | null;
  /** The asset events an asset_triggered run consumed (README, "Assets"); [] for any other run. */
  consumedAssetEvents: ConsumedAssetEvent[];
  /** The task instance whose code created this run (sluice/operators' triggerDag), or null. */
  triggeredBy: TriggeringTask | null;
}

/** An asset event as a run that consumed it keeps it (dag_runs.consumed_asset_events). */
export interface ConsumedAssetEvent {
  uri: string;
  sourceDagId: string | null;
  sourceRunId: string | null;
  sourceTaskId: string | null;
  /** ISO 8601: when the event was recorded. */
  timestamp: string;
  extra: Record<string, unknown>;
}

/** A task instance that triggered a run: its DAG, run, task and map index (-1 when not mapped). */
export interface TriggeringTask {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
}

interface RunRow {
  dag_id: string;
  run_id: string;
  run_type: RunType;
  state: DagRunState;
  logical_date: Date;
  data_interval_start: Date;
  data_interval_end: Date;
  conf: Record<string, unknown>;
  version_hash: string;
  queued_at: Date;
  start_date: Date | null;
  end_date: Date | null;
  backfill_id: number | null;
  consumed_asset_events: ConsumedAssetEvent[] | null;
  triggered_by_dag_id: string | null;
  triggered_by_run_id: string | null;
  triggered_by_task_id: string | null;
  triggered_by_map_index: number | null;
}

export const toRun = (r: RunRow): DagRunRecord => ({
  dagId: r.dag_id,
  runId: r.run_id,
  runType: r.run_type,
  state: r.state,
  logicalDate: r.logical_date,
  dataIntervalStart: r.data_interval_start,
  dataIntervalEnd: r.data_interval_end,
  conf: r.conf,
  versionHash: r.version_hash,
  queuedAt: r.queued_at,
  startDate: r.start_date,
  endDate: r.end_date,
  backfillId: r.backfill_id,
  consumedAssetEvents: r.consumed_asset_events ?? [],
  triggeredBy:
    r.triggered_by_dag_id === null
      ? null
      : { dagId: r.triggered_by_dag_id, runId: r.triggered_by_run_id!, taskId: r.triggered_by_task_id!, mapIndex: r.triggered_by_map_index! },
});

export interface NewRun {
  dagId: string;
  runId: string;
  runType: RunType;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  conf: Record<string, unknown>;
  backfillId?: number | null;
  /** What an asset_triggered run consumed; left out for any other run. */
  consumedAssetEvents?: ConsumedAssetEvent[];
  triggeredBy?: TriggeringTask | null;
}

/**
 * Creates a queued run and its task instances, or returns undefined when the DAG already has a
 * run for that logical date (the unique key is what makes several schedulers safe).
 */
export async function insertRun(
  tx: Queryable,
  run: NewRun,
  spec: DagSpec,
  versionHash: string,
): Promise<DagRunRecord | undefined> {
  const { rows } = await tx.query<RunRow>(
    `INSERT INTO dag_runs (dag_id, run_id, run_type, state, logical_date, data_interval_start,
       data_interval_end, conf, version_hash, backfill_id, callbacks, consumed_asset_events,
       triggered_by_dag_id, triggered_by_run_id, triggered_by_task_id, triggered_by_map_index)
     VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT DO NOTHING RETURNING *`,
    [
      run.dagId,
      run.runId,
      run.runType,
      run.logicalDate,
      run.dataIntervalStart,
      run.dataIntervalEnd,
      JSON.stringify(run.conf),
      versionHash,
      run.backfillId ?? null,
      // The run events with callbacks, kept on the row: run_record_callbacks.sql records them.
      spec.callbacks?.length ? spec.callbacks : null,
      run.consumedAssetEvents ? JSON.stringify(run.consumedAssetEvents) : null,
      run.triggeredBy?.dagId ?? null,
      run.triggeredBy?.runId ?? null,
      run.triggeredBy?.taskId ?? null,
      run.triggeredBy?.mapIndex ?? null,
    ],
  );
  const created = rows[0];
  if (!created) return undefined;
  await insertTaskInstances(tx, run.dagId, run.runId, run.logicalDate, spec);
  return toRun(created);
}

async function insertTaskInstances(tx: Queryable, dagId: string, runId: string, logicalDate: Date, spec: DagSpec): Promise<void> {
  const t = spec.tasks;
  await tx.query(
    `INSERT INTO task_instances (dag_id, run_id, run_logical_date, task_id, max_tries, pool, pool_slots, queue, priority_weight,
       trigger_rule, downstream, upstream_total, expand, max_map_length, callbacks, outlets)
     SELECT $1, $2, $12, task_id, max_tries, pool, pool_slots, queue, priority_weight, trigger_rule,
       ARRAY(SELECT jsonb_array_elements_text(downstream)), upstream_total, expand, max_map_length,
       CASE WHEN callbacks IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text(callbacks)) END,
       CASE WHEN outlets IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text(outlets)) END
     FROM unnest($3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::int[], $9::text[], $10::jsonb[], $11::int[],
       $13::jsonb[], $14::int[], $15::jsonb[], $16::jsonb[])
       AS t(task_id, max_tries, pool, pool_slots, queue, priority_weight, trigger_rule, downstream, upstream_total, expand,
         max_map_length, callbacks, outlets)`,
    [
      dagId,
      runId,
      t.map((x) => x.taskId),
      t.map((x) => x.retries + 1),
      t.map((x) => x.pool),
      t.map((x) => x.poolSlots),
      t.map((x) => x.queue),
      t.map((x) => x.priorityWeight),
      t.map((x) => x.triggerRule),
      t.map((x) => JSON.stringify(x.downstream)),
      t.map((x) => x.upstream.length),
      logicalDate,
      // How a mapped task expands, kept on its row: the expansion (ti_expand_mapped.sql) needs no spec.
      t.map((x) => (x.expand ? JSON.stringify(x.expand) : null)),
      t.map((x) => x.maxMapLength ?? null),
      // The task events with callbacks (NULL: none, nearly every task), kept on the row:
      // ti_record_callbacks.sql records them, and the instances of a mapped task copy it.
      t.map((x) => (x.callbacks?.length ? JSON.stringify(x.callbacks) : null)),
      // The URIs a success records asset events for (NULL: none), kept on the row for
      // ti_record_asset_events.sql; a mapped task's instances copy it.
      t.map((x) => (x.outlets?.length ? JSON.stringify(x.outlets) : null)),
    ],
  );
}

export async function getRun(db: Queryable, dagId: string, runId: string): Promise<DagRunRecord | undefined> {
  const { rows } = await db.query<RunRow>('SELECT * FROM dag_runs WHERE dag_id = $1 AND run_id = $2', [dagId, runId]);
  return rows[0] && toRun(rows[0]);
}

export async function getRunByLogicalDate(db: Queryable, dagId: string, logicalDate: Date): Promise<DagRunRecord | undefined> {
  const { rows } = await db.query<RunRow>('SELECT * FROM dag_runs WHERE dag_id = $1 AND logical_date = $2', [
    dagId,
    logicalDate,
  ]);
  return rows[0] && toRun(rows[0]);
}

/**
 * The runs that tasks of run `runId` of `dagId` triggered, oldest first; only those of one task
 * when `task` is given, and of one of its instances with a `mapIndex` (a retry looking for the
 * run its earlier try created).
 */
export async function runsTriggeredBy(
  db: Queryable,
  dagId: string,
  runId: string,
  task?: { taskId: string; mapIndex?: number },
): Promise<DagRunRecord[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM dag_runs
     WHERE triggered_by_dag_id = $1 AND triggered_by_run_id = $2
       AND ($3::text IS NULL OR triggered_by_task_id = $3) AND ($4::int IS NULL OR triggered_by_map_index = $4)
     ORDER BY queued_at, dag_id, run_id`,
    [dagId, runId, task?.taskId ?? null, task?.mapIndex ?? null],
  );
  return rows.map(toRun);
}

export interface RunListFilter {
  state?: DagRunState;
  limit?: number;
  offset?: number;
}

export async function listRuns(
  db: Queryable,
  dagId: string,
  filter: RunListFilter = {},
): Promise<{ runs: DagRunRecord[]; total: number }> {
  const params: unknown[] = [dagId];
  let where = 'dag_id = $1';
  if (filter.state) {
    params.push(filter.state);
    where += ` AND state = $${params.length}`;
  }
  params.push(filter.limit ?? 100, filter.offset ?? 0);
  // The count and the page in one statement see the same runs, and a page past the end still
  // brings the count back: its one row then has no run (the LEFT JOIN's nulls).
  const { rows } = await db.query<{ total: number } & (RunRow | { run_id: null })>(
    `SELECT matching.total, page.*
     FROM (SELECT count(*)::int AS total FROM dag_runs WHERE ${where}) matching
     LEFT JOIN LATERAL (
       SELECT * FROM dag_runs WHERE ${where} ORDER BY logical_date DESC
       LIMIT $${params.length - 1} OFFSET $${params.length}
     ) page ON true
     ORDER BY page.logical_date DESC`,
    params,
  );
  const runs = rows.filter((r): r is { total: number } & RunRow => r.run_id !== null).map(toRun);
  return { runs, total: rows[0]?.total ?? 0 };
}

/**
 * Each DAG's latest runs, newest first, at most `perDag` of them, for list views. A DAG without
 * runs has no entry.
 */
export async function recentRuns(db: Queryable, dagIds: string[], perDag: number): Promise<Map<string, DagRunRecord[]>> {
  // LATERAL with LIMIT reads just the newest few runs of each DAG from dag_runs_by_date, where a
  // window function would rank every run the DAGs ever had.
  const { rows } = await db.query<RunRow>(
    `SELECT recent.* FROM unnest($1::text[]) AS listed(dag_id)
     CROSS JOIN LATERAL (
       SELECT * FROM dag_runs r WHERE r.dag_id = listed.dag_id ORDER BY r.logical_date DESC LIMIT $2
     ) recent
     ORDER BY recent.dag_id, recent.logical_date DESC`,
    [dagIds, perDag],
  );
  const byDag = new Map<string, DagRunRecord[]>();
  for (const row of rows) {
    const runs = byDag.get(row.dag_id) ?? [];
    runs.push(toRun(row));
    byDag.set(row.dag_id, runs);
  }
  return byDag;
}

export async function latestScheduledInterval(
  db: Queryable,
  dagId: string,
): Promise<{ start: Date; end: Date } | null> {
  const { rows } = await db.query<{ start: Date; end: Date }>(
    `SELECT data_interval_start AS start, data_interval_end AS "end" FROM dag_runs
     WHERE dag_id = $1 AND run_type = 'scheduled' ORDER BY logical_date DESC LIMIT 1`,
    [dagId],
  );
  return rows[0] ?? null;
}

/**
 * queued → running for the queued runs of these DAGs that have room: `sluice_start_runs`
 * (src/store/functions), one round trip however many DAGs (its header says which runs start, and
 * how concurrent starters are kept apart). Returns the runs started.
 */
export async function startRuns(tx: Queryable, dagIds: string[]): Promise<{ dagId: string; runId: string }[]> {
  if (dagIds.length === 0) return [];
  const { rows } = await tx.query<{ dag_id: string; run_id: string }>({ name: 'sluice_start_runs', text: 'SELECT * FROM sluice_start_runs($1)', values: [dagIds] });
  return rows.map((r) => ({ dagId: r.dag_id, runId: r.run_id }));
}

/**
 * running → success or failed once every task instance is finished (the run-end rule,
 * `sluice_finalize_run` in src/store/functions). Returns the new state, or null when the run goes on.
 */
export async function finalizeRun(tx: Queryable, dagId: string, runId: string): Promise<'success' | 'failed' | null> {
  const { rows } = await tx.query<{ state: 'success' | 'failed' | null }>('SELECT sluice_finalize_run($1, $2) AS state', [dagId, runId]);
  return rows[0]?.state ?? null;
}

/**
 * Running runs none of whose task instances is unfinished: the fast path ends a run as its last
 * task ends, so these are runs it missed (a crash between the two). Read without locking; the
 * run-end rule itself (finalizeRun) decides.
 */
export async function runsWithNothingUnfinished(db: Queryable): Promise<{ dagId: string; runId: string }[]> {
  const { rows } = await db.query<{ dagId: string; runId: string }>(
    `SELECT r.dag_id AS "dagId", r.run_id AS "runId" FROM dag_runs r
     WHERE r.state = 'running' AND NOT EXISTS (
       SELECT 1 FROM task_instances ti
       WHERE ti.dag_id = r.dag_id AND ti.run_id = r.run_id AND ti.state IN (${sqlList(UNFINISHED_TASK_STATES)}))
     ORDER BY r.logical_date`,
  );
  return rows;
}

/** The running runs that outlived the dagrunTimeout of the DAG version they were created with. */
export async function runsPastTimeout(db: Queryable): Promise<{ dagId: string; runId: string }[]> {
  const { rows } = await db.query<{ dag_id: string; run_id: string }>(
    `SELECT r.dag_id, r.run_id FROM dag_runs r JOIN dag_versions v ON v.dag_id = r.dag_id AND v.version_hash = r.version_hash
     WHERE r.state = 'running' AND v.dagrun_timeout_ms IS NOT NULL
       AND r.start_date + (v.dagrun_timeout_ms * interval '1 millisecond') < clock_timestamp()`,
  );
  return rows.map((r) => ({ dagId: r.dag_id, runId: r.run_id }));
}

/**
 * running → failed for a run past its dagrunTimeout, and its unfinished task instances →
 * skipped (as Airflow does; a running try ends and goes to history). Returns whether it moved.
 */
export async function timeoutRun(tx: Queryable, dagId: string, runId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE dag_runs r SET state = 'failed', end_date = clock_timestamp()
     WHERE r.dag_id = $1 AND r.run_id = $2 AND ${guard(T.timeoutRun)}`,
    [dagId, runId],
  );
  if (!rowCount) return false;
  await skipForRunTimeout(tx, dagId, runId);
  return true;
}

/**
 * A run marked success or failed by hand, its task instances with it (task-instances.ts). A run already
 * in that state is left as it is. Returns whether it moved. A run that had not started gets a
 * start (its end) so that it shows a duration of 0, not none.
 */
export async function markRun(tx: Queryable, dagId: string, runId: string, state: 'success' | 'failed'): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE dag_runs r SET state = $3, end_date = clock_timestamp(), start_date = COALESCE(r.start_date, clock_timestamp())
     WHERE r.dag_id = $1 AND r.run_id = $2 AND ${guard(state === 'success' ? T.markRunSuccess : T.markRunFailed)}`,
    [dagId, runId, state],
  );
  if (!rowCount) return false;
  if (state === 'success') {
    await markRunTasksSuccess(tx, dagId, runId);
  } else {
    await failRunningForRunMark(tx, dagId, runId);
    await skipNotRunningForRunMark(tx, dagId, runId);
  }
  return true;
}

/** How many milliseconds a run "now" tries (insertRunFrom) before its DAG counts as busy. */
const NOW_MOMENTS = 100;

/**
 * A run "now" (a manual run with no logical date given, an asset-triggered run): at `from`, or,
 * when the DAG has a run at that moment (one logical date, one run), a millisecond on, and so on;
 * any of those moments is "now". Two such runs made at once (a mapped task's instances triggering
 * one DAG) so take consecutive moments: the second waits on the first's key until it commits,
 * then moves on. Undefined when every moment tried was taken.
 */
export async function insertRunFrom(
  tx: Queryable,
  from: Date,
  runAt: (at: Date) => NewRun,
  spec: DagSpec,
  versionHash: string,
): Promise<DagRunRecord | undefined> {
  for (let i = 0; i < NOW_MOMENTS; i++) {
    const run = await insertRun(tx, runAt(new Date(from.getTime() + i)), spec, versionHash);
    if (run) return run;
  }
  return undefined;
}

/** success/failed → queued: some of its tasks were cleared, so it runs again. Returns whether it moved. */
export async function requeueRun(tx: Queryable, dagId: string, runId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE dag_runs r SET state = 'queued', end_date = NULL, queued_at = clock_timestamp()
     WHERE r.dag_id = $1 AND r.run_id = $2 AND ${guard(T.requeueRun)}`,
    [dagId, runId],
  );
  return rowCount === 1;
}

/**
 * success/failed → running: a task was marked by hand, so what it decides downstream runs (and
 * the run is judged again) without waiting for room. Returns whether it moved.
 */
export async function resumeRun(tx: Queryable, dagId: string, runId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE dag_runs r SET state = 'running', end_date = NULL WHERE r.dag_id = $1 AND r.run_id = $2 AND ${guard(T.resumeRun)}`,
    [dagId, runId],
  );
  return rowCount === 1;
}

/**
 * success/failed → queued as a run of backfill `backfillId`, taking its conf (a backfill means
 * "these dates, run this way"). Returns whether it moved; the caller clears its tasks.
 */
export async function joinBackfill(
  tx: Queryable,
  dagId: string,
  runId: string,
  backfillId: number,
  conf: Record<string, unknown>,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE dag_runs r SET state = 'queued', backfill_id = $3, conf = $4, queued_at = clock_timestamp(), start_date = NULL, end_date = NULL
     WHERE r.dag_id = $1 AND r.run_id = $2 AND ${guard(T.joinBackfill)}`,
    [dagId, runId, backfillId, JSON.stringify(conf)],
  );
  return rowCount === 1;
}

/** queued → failed for the runs of a cancelled backfill that have not started. */
export async function failCancelledBackfillRuns(tx: Queryable, backfillId: number): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE dag_runs r SET state = 'failed', end_date = clock_timestamp()
     WHERE r.backfill_id = $1 AND ${guard(T.failCancelledBackfillRuns)}`,
    [backfillId],
  );
  return rowCount ?? 0;
}
