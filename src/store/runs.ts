import type { DagRunState, RunType } from '../core/states.ts';
import type { DagSpec } from '../core/spec.ts';
import type { Queryable } from './db.ts';

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
       data_interval_end, conf, version_hash, backfill_id)
     VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9)
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
    ],
  );
  const created = rows[0];
  if (!created) return undefined;
  await insertTaskInstances(tx, run.dagId, run.runId, spec);
  return toRun(created);
}

async function insertTaskInstances(tx: Queryable, dagId: string, runId: string, spec: DagSpec): Promise<void> {
  const t = spec.tasks;
  await tx.query(
    `INSERT INTO task_instances (dag_id, run_id, task_id, max_tries, pool, pool_slots, queue, priority_weight,
       trigger_rule, downstream, upstream_total)
     SELECT $1, $2, task_id, max_tries, pool, pool_slots, queue, priority_weight, trigger_rule,
       ARRAY(SELECT jsonb_array_elements_text(downstream)), upstream_total
     FROM unnest($3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::int[], $9::text[], $10::jsonb[], $11::int[])
       AS t(task_id, max_tries, pool, pool_slots, queue, priority_weight, trigger_rule, downstream, upstream_total)`,
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

/** Moves a run to a final state unless it already has one; returns whether it moved. */
export async function finishRun(db: Queryable, dagId: string, runId: string, state: 'success' | 'failed'): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE dag_runs SET state = $3, end_date = clock_timestamp()
     WHERE dag_id = $1 AND run_id = $2 AND state IN ('queued', 'running')`,
    [dagId, runId, state],
  );
  return rowCount === 1;
}
