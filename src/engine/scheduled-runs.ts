/** Creating the runs a DAG's schedule calls for, once each data interval has ended (Airflow semantics). */
import { CronSchedule, nextIntervalToSchedule, type DataInterval } from '../core/schedule.ts';
import type { DagSpec } from '../core/spec.ts';
import { ACTIVE_RUN_STATES, makeRunId, sqlList } from '../core/states.ts';
import { setNextDagrun } from '../store/dags.ts';
import { withTransaction, type Db, type Queryable } from '../store/db.ts';
import { insertRun, latestScheduledInterval } from '../store/runs.ts';
import type { Logger } from '../log.ts';
import { forEachIsolated } from './isolate.ts';

interface DueDag {
  dag_id: string;
  spec: DagSpec;
  version_hash: string;
  next_dagrun_data_interval_start: Date | null;
  next_dagrun_data_interval_end: Date | null;
  next_dagrun_create_after: Date | null;
}

/**
 * For every unpaused DAG whose next interval has ended, creates its scheduled runs (as many as its
 * maxActiveRuns leaves room for) and records the interval after them. Returns the DAGs that got runs.
 * Each DAG in its own transaction, its row locked with SKIP LOCKED so several schedulers share
 * the work; the unique logical date makes a duplicate run impossible even if they did not.
 */
export async function createScheduledRuns(db: Db, now: Date, log: Logger): Promise<string[]> {
  const { rows: due } = await db.query<{ dag_id: string }>(
    `SELECT dag_id FROM dags
     WHERE is_active AND NOT is_paused AND (next_dagrun_create_after IS NULL OR next_dagrun_create_after <= $1)
     ORDER BY next_dagrun_create_after NULLS FIRST LIMIT 500`,
    [now],
  );
  const created: string[] = [];
  await forEachIsolated(
    due,
    async ({ dag_id }) => {
      const made = await withTransaction(db, async (tx) => {
        const { rows } = await tx.query<DueDag>(
          `SELECT dag_id, spec, version_hash, next_dagrun_data_interval_start, next_dagrun_data_interval_end,
             next_dagrun_create_after
           FROM dags WHERE dag_id = $1 AND is_active AND NOT is_paused
             AND (next_dagrun_create_after IS NULL OR next_dagrun_create_after <= $2)
           FOR UPDATE SKIP LOCKED`,
          [dag_id, now],
        );
        return rows[0] ? createRunsForDag(tx, rows[0], now) : false;
      });
      if (made) created.push(dag_id);
    },
    log,
    (d) => ({ dagId: d.dag_id }),
  );
  return created;
}

async function createRunsForDag(tx: Queryable, dag: DueDag, now: Date): Promise<boolean> {
  const spec = dag.spec;
  if (spec.schedule === null || spec.startDate === null) {
    await setNextDagrun(tx, dag.dag_id, null);
    return false;
  }
  const schedule = new CronSchedule(spec.schedule, spec.timezone);
  const bounds = {
    schedule,
    startDate: new Date(spec.startDate),
    endDate: spec.endDate ? new Date(spec.endDate) : undefined,
    catchup: spec.catchup,
    now,
  };
  let next: DataInterval | null =
    dag.next_dagrun_create_after === null
      ? nextIntervalToSchedule({ ...bounds, lastScheduled: await latestScheduledInterval(tx, dag.dag_id) })
      : dag.next_dagrun_data_interval_start && dag.next_dagrun_data_interval_end
        ? { start: dag.next_dagrun_data_interval_start, end: dag.next_dagrun_data_interval_end }
        : null;
  const active = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM dag_runs WHERE dag_id = $1 AND state IN (${sqlList(ACTIVE_RUN_STATES)}) AND backfill_id IS NULL`,
    [dag.dag_id],
  );
  let room = spec.maxActiveRuns - (active.rows[0]?.n ?? 0);
  let createdAny = false;
  while (next && next.end.getTime() <= now.getTime() && room > 0) {
    const run = await insertRun(
      tx,
      {
        dagId: dag.dag_id,
        runId: makeRunId('scheduled', next.start),
        runType: 'scheduled',
        logicalDate: next.start,
        dataIntervalStart: next.start,
        dataIntervalEnd: next.end,
        conf: {},
      },
      spec,
      dag.version_hash,
    );
    if (run) {
      createdAny = true;
      room--;
    }
    next = nextIntervalToSchedule({ ...bounds, lastScheduled: next });
  }
  await setNextDagrun(tx, dag.dag_id, next);
  return createdAny;
}
