/**
 * Backfills with Airflow 3 semantics: a run for every data interval whose start lies in
 * [from, to]; existing runs are re-run or left alone by the reprocess behaviour; never a second
 * run for a date whose run is queued or running; the backfill's own max active runs; backwards.
 */
import { planFor, type IntervalPlan, type ReprocessBehavior } from '../core/reprocess.ts';
import { CronSchedule, intervalsInRange } from '../core/schedule.ts';
import { makeRunId } from '../core/states.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { recordAudit, type Actor } from '../store/audit-log.ts';
import { backfillInProgress, cancelBackfill as cancelBackfillRuns, completeBackfill, insertBackfill } from '../store/backfills.ts';
import { getDag } from '../store/dags.ts';
import { withTransaction, type Db, type Queryable } from '../store/db.ts';
import { insertRun, joinBackfill } from '../store/runs.ts';
import { resetTaskInstances } from '../store/task-instances.ts';
import { clearXcoms } from '../store/xcom.ts';
import type { DagSpec } from '../core/spec.ts';
import { MAX_BACKFILL_INTERVALS, requireBackfillSize } from './backfill-size.ts';
import { requireValidConf } from './run-conf.ts';
import { wakeSchedulers } from './services.ts';

export interface BackfillRequest {
  dagId: string;
  fromDate: Date;
  toDate: Date;
  reprocessBehavior: ReprocessBehavior;
  maxActiveRuns: number;
  runBackwards: boolean;
  dryRun: boolean;
  dagRunConf?: Record<string, unknown>;
  /** Who asked (API, UI, CLI): the audit log records the backfill in its transaction (a dry run changes nothing and is not recorded). */
  actor?: Actor;
}

export interface PlannedInterval {
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  plan: IntervalPlan;
  /** Why a date is skipped or re-run: the state of the run it already has. */
  existingRunId?: string;
  existingState?: string;
}

/** How far a backfill's runs have got: each counted in its current state. */
export interface BackfillProgress {
  total: number;
  queued: number;
  running: number;
  success: number;
  failed: number;
}

export interface BackfillRecord {
  id: number | null;
  dagId: string;
  fromDate: Date;
  toDate: Date;
  reprocessBehavior: ReprocessBehavior;
  maxActiveRuns: number;
  runBackwards: boolean;
  dagRunConf: Record<string, unknown>;
  isCancelled: boolean;
  createdAt: Date | null;
  completedAt: Date | null;
  dryRun: boolean;
  dagRunIds: string[];
  /** Null for a dry run: it makes no runs. */
  progress: BackfillProgress | null;
  intervals?: PlannedInterval[];
}

/**
 * The most planned intervals one answer lists (a dry run's, or a new backfill's), with the total:
 * two months of a per-minute schedule would otherwise be a 14 MB answer.
 */
export const DRY_RUN_PAGE_LIMIT = 1000;

/** A backfill with one page of its planned intervals, and how many it plans in all, by plan. */
export interface PagedBackfill extends BackfillRecord {
  totalEntries: number;
  planCounts: Record<IntervalPlan, number>;
}

export function pagePlan(backfill: BackfillRecord, offset = 0, limit = DRY_RUN_PAGE_LIMIT): PagedBackfill {
  const all = backfill.intervals ?? [];
  const planCounts: Record<IntervalPlan, number> = { create: 0, reprocess: 0, skip: 0 };
  for (const interval of all) planCounts[interval.plan]++;
  return { ...backfill, intervals: all.slice(offset, offset + limit), totalEntries: all.length, planCounts };
}

export async function createBackfill(db: Db, request: BackfillRequest): Promise<BackfillRecord> {
  const dag = await getDag(db, request.dagId);
  if (!dag || !dag.isActive) throw notFound(`DAG "${request.dagId}" not found`);
  if (!dag.spec.schedule) {
    throw badRequest(`DAG "${request.dagId}" has no schedule, so it has no data intervals to backfill; trigger runs instead`);
  }
  // Before planning, so that a dry run says so too.
  requireValidConf(dag.spec, request.dagRunConf ?? {});
  if (request.fromDate.getTime() > request.toDate.getTime()) {
    throw badRequest(`the backfill range starts (${request.fromDate.toISOString()}) after it ends (${request.toDate.toISOString()})`);
  }
  const schedule = new CronSchedule(dag.spec.schedule, dag.spec.timezone);
  requireBackfillSize(schedule, request.fromDate, request.toDate);
  const intervals = intervalsInRange(schedule, request.fromDate, request.toDate, MAX_BACKFILL_INTERVALS);
  if (request.runBackwards) intervals.reverse();
  const existing = await db.query<{ logical_date: Date; run_id: string; state: string }>(
    `SELECT logical_date, run_id, state FROM dag_runs WHERE dag_id = $1 AND logical_date = ANY ($2::timestamptz[])`,
    [request.dagId, intervals.map((i) => i.start)],
  );
  const byDate = new Map(existing.rows.map((r) => [r.logical_date.getTime(), r]));
  const planned: PlannedInterval[] = intervals.map((i) => {
    const run = byDate.get(i.start.getTime());
    return {
      logicalDate: i.start,
      dataIntervalStart: i.start,
      dataIntervalEnd: i.end,
      plan: planFor(run?.state, request.reprocessBehavior),
      existingRunId: run?.run_id,
      existingState: run?.state,
    };
  });
  const base = {
    dagId: request.dagId,
    fromDate: request.fromDate,
    toDate: request.toDate,
    reprocessBehavior: request.reprocessBehavior,
    maxActiveRuns: request.maxActiveRuns,
    runBackwards: request.runBackwards,
    dagRunConf: request.dagRunConf ?? {},
    isCancelled: false,
    completedAt: null,
  };
  if (request.dryRun) {
    return { ...base, id: null, createdAt: null, dryRun: true, dagRunIds: [], progress: null, intervals: planned };
  }
  const record = await withTransaction(db, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sluice.backfill.${request.dagId}`]);
    const active = await backfillInProgress(tx, request.dagId);
    if (active !== undefined) {
      throw conflict(`DAG "${request.dagId}" already has backfill ${active} in progress; wait for it or cancel it first`);
    }
    const { id, createdAt } = await insertBackfill(tx, base);
    const runIds: string[] = [];
    for (const interval of planned) {
      if (interval.plan === 'skip') continue;
      const runId = interval.plan === 'create'
        ? await createBackfillRun(tx, id, interval, base.dagRunConf, dag.spec, dag.versionHash)
        : await reprocessRun(tx, id, dag.spec, interval.existingRunId!, base.dagRunConf);
      if (runId) runIds.push(runId);
    }
    if (runIds.length === 0) await completeBackfill(tx, id);
    if (request.actor) {
      await recordAudit(tx, request.actor, {
        action: 'backfill',
        dagId: request.dagId,
        details: {
          backfillId: id,
          fromDate: request.fromDate.toISOString(),
          toDate: request.toDate.toISOString(),
          reprocessBehavior: request.reprocessBehavior,
          maxActiveRuns: request.maxActiveRuns,
          runBackwards: request.runBackwards,
          dagRunConf: base.dagRunConf,
          runs: runIds.length,
        },
      });
    }
    return {
      ...base,
      id,
      createdAt,
      dryRun: false,
      dagRunIds: runIds,
      // Every run it made or re-ran is queued as this transaction commits; no need to ask again.
      progress: { total: runIds.length, queued: runIds.length, running: 0, success: 0, failed: 0 },
      intervals: planned,
    };
  });
  await wakeSchedulers(db);
  return record;
}

async function createBackfillRun(
  tx: Queryable,
  backfillId: number,
  interval: PlannedInterval,
  conf: Record<string, unknown>,
  spec: DagSpec,
  versionHash: string,
): Promise<string | undefined> {
  const run = await insertRun(
    tx,
    {
      dagId: spec.dagId,
      runId: makeRunId('backfill', interval.logicalDate),
      runType: 'backfill',
      logicalDate: interval.logicalDate,
      dataIntervalStart: interval.dataIntervalStart,
      dataIntervalEnd: interval.dataIntervalEnd,
      conf,
      backfillId,
    },
    spec,
    versionHash,
  );
  return run?.runId;
}

/** An existing finished run joins the backfill: its tasks are cleared and it queues again. */
async function reprocessRun(
  tx: Queryable,
  backfillId: number,
  spec: DagSpec,
  runId: string,
  conf: Record<string, unknown>,
): Promise<string | undefined> {
  if (!(await joinBackfill(tx, spec.dagId, runId, backfillId, conf))) return undefined;
  await resetTaskInstances(tx, spec.dagId, runId, spec.tasks);
  await clearXcoms(tx, spec.dagId, runId, spec.tasks.map((t) => t.taskId));
  return runId;
}

interface BackfillRow {
  id: number;
  dag_id: string;
  from_date: Date;
  to_date: Date;
  reprocess_behavior: ReprocessBehavior;
  max_active_runs: number;
  run_backwards: boolean;
  dag_run_conf: Record<string, unknown>;
  is_cancelled: boolean;
  created_at: Date;
  completed_at: Date | null;
  dag_run_ids: string[];
  queued_runs: number;
  running_runs: number;
  success_runs: number;
  failed_runs: number;
}

// The run ids and their counts by state come from one pass over the backfill's runs, so they agree,
// and a list of backfills costs one query however long it is.
const BACKFILL_SELECT = `SELECT b.*, runs.* FROM backfills b CROSS JOIN LATERAL (
    SELECT COALESCE(array_agg(r.run_id ORDER BY r.logical_date), '{}') AS dag_run_ids,
      count(*) FILTER (WHERE r.state = 'queued')::int AS queued_runs,
      count(*) FILTER (WHERE r.state = 'running')::int AS running_runs,
      count(*) FILTER (WHERE r.state = 'success')::int AS success_runs,
      count(*) FILTER (WHERE r.state = 'failed')::int AS failed_runs
    FROM dag_runs r WHERE r.backfill_id = b.id
  ) runs`;

const toBackfill = (r: BackfillRow): BackfillRecord => ({
  id: r.id,
  dagId: r.dag_id,
  fromDate: r.from_date,
  toDate: r.to_date,
  reprocessBehavior: r.reprocess_behavior,
  maxActiveRuns: r.max_active_runs,
  runBackwards: r.run_backwards,
  dagRunConf: r.dag_run_conf,
  isCancelled: r.is_cancelled,
  createdAt: r.created_at,
  completedAt: r.completed_at,
  dryRun: false,
  dagRunIds: r.dag_run_ids,
  progress: {
    total: r.dag_run_ids.length,
    queued: r.queued_runs,
    running: r.running_runs,
    success: r.success_runs,
    failed: r.failed_runs,
  },
});

export async function getBackfill(db: Queryable, id: number): Promise<BackfillRecord | undefined> {
  const { rows } = await db.query<BackfillRow>(`${BACKFILL_SELECT} WHERE b.id = $1`, [id]);
  return rows[0] && toBackfill(rows[0]);
}

export async function listBackfills(db: Queryable, dagId?: string): Promise<BackfillRecord[]> {
  const { rows } = await db.query<BackfillRow>(
    `${BACKFILL_SELECT} WHERE ($1::text IS NULL OR b.dag_id = $1) ORDER BY b.id DESC LIMIT 500`,
    [dagId ?? null],
  );
  return rows.map(toBackfill);
}

/**
 * Stops a backfill: its runs not yet started are failed; the ones already going carry on. The
 * audit entry (backfill_cancel) is written only when this call did cancel it.
 */
export async function cancelBackfill(db: Db, id: number, actor?: Actor): Promise<BackfillRecord> {
  const found = await getBackfill(db, id);
  if (!found) throw notFound(`backfill ${id} not found`);
  await withTransaction(db, async (tx) => {
    const cancelled = await cancelBackfillRuns(tx, id);
    if (cancelled && actor) await recordAudit(tx, actor, { action: 'backfill_cancel', dagId: found.dagId, details: { backfillId: id } });
  });
  return (await getBackfill(db, id))!;
}
