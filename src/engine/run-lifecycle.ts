/**
 * A run's life: queued → running when there is room (the DAG's maxActiveRuns, or its backfill's),
 * and running → success/failed once none of its tasks can do anything more.
 */
import type { DagSpec } from '../core/spec.ts';
import type { QueuedTry } from '../queue/jobs.ts';
import { getDagVersion } from '../store/dags.ts';
import type { Queryable } from '../store/db.ts';
import { finishRun } from '../store/runs.ts';
import { admitScheduledTasks, resolveWaitingTasks } from './task-scheduling.ts';

interface StartedRun {
  run_id: string;
}

/**
 * Starts the queued runs of one DAG that have room, judges their first tasks and returns the
 * tries to send. Scheduled runs of a paused DAG wait; runs someone asked for start anyway.
 */
export async function startQueuedRuns(tx: Queryable, dagId: string): Promise<QueuedTry[]> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sluice.runs.${dagId}`]);
  const dag = await tx.query<{ is_paused: boolean; max_active_runs: number }>(
    `SELECT is_paused, max_active_runs FROM dags WHERE dag_id = $1`,
    [dagId],
  );
  const info = dag.rows[0];
  if (!info) return [];
  const started: StartedRun[] = [];
  // Runs outside backfills in progress share the DAG's maxActiveRuns; each backfill in progress
  // has its own limit. (A run of a finished backfill that is cleared again counts as outside.)
  const plain = await tx.query<StartedRun>(
    `WITH going AS (
       SELECT id FROM backfills WHERE dag_id = $1 AND completed_at IS NULL AND NOT is_cancelled
     ), room AS (
       SELECT $2::int - count(*) AS n FROM dag_runs
       WHERE dag_id = $1 AND state = 'running' AND (backfill_id IS NULL OR backfill_id NOT IN (SELECT id FROM going))
     ), picked AS (
       SELECT run_id FROM dag_runs
       WHERE dag_id = $1 AND state = 'queued' AND (backfill_id IS NULL OR backfill_id NOT IN (SELECT id FROM going))
         AND ($3 = false OR run_type <> 'scheduled')
       ORDER BY logical_date LIMIT GREATEST((SELECT n FROM room), 0)
     )
     UPDATE dag_runs r SET state = 'running', start_date = clock_timestamp(), end_date = NULL
     FROM picked WHERE r.dag_id = $1 AND r.run_id = picked.run_id
     RETURNING r.run_id`,
    [dagId, info.max_active_runs, info.is_paused],
  );
  started.push(...plain.rows);
  const backfills = await tx.query<StartedRun>(
    `WITH b AS (
       SELECT id, max_active_runs, run_backwards FROM backfills
       WHERE dag_id = $1 AND completed_at IS NULL AND NOT is_cancelled
     ), picked AS (
       SELECT q.run_id FROM b CROSS JOIN LATERAL (
         SELECT run_id FROM dag_runs
         WHERE dag_id = $1 AND backfill_id = b.id AND state = 'queued'
         ORDER BY CASE WHEN b.run_backwards THEN -extract(epoch FROM logical_date) ELSE extract(epoch FROM logical_date) END
         LIMIT GREATEST(b.max_active_runs - (
           SELECT count(*) FROM dag_runs WHERE dag_id = $1 AND backfill_id = b.id AND state = 'running'), 0)
       ) q
     )
     UPDATE dag_runs r SET state = 'running', start_date = clock_timestamp(), end_date = NULL
     FROM picked WHERE r.dag_id = $1 AND r.run_id = picked.run_id
     RETURNING r.run_id`,
    [dagId],
  );
  started.push(...backfills.rows);
  if (started.length === 0) return [];
  for (const run of started) {
    await resolveWaitingTasks(tx, dagId, run.run_id);
    await finalizeRunIfDone(tx, dagId, run.run_id);
  }
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
  const { rows } = await tx.query<{ state: 'success' | 'failed' | null }>('SELECT sluice_finalize_run($1, $2) AS state', [
    dagId,
    runId,
  ]);
  return rows[0]?.state ?? null;
}

/** Fails runs that outlived their dagrunTimeout; their unfinished tasks are skipped (as Airflow does). */
export async function failTimedOutRuns(tx: Queryable): Promise<{ dagId: string; runId: string }[]> {
  const { rows } = await tx.query<{ dag_id: string; run_id: string }>(
    `SELECT r.dag_id, r.run_id FROM dag_runs r JOIN dag_versions v ON v.dag_id = r.dag_id AND v.version_hash = r.version_hash
     WHERE r.state = 'running' AND v.dagrun_timeout_ms IS NOT NULL
       AND r.start_date + (v.dagrun_timeout_ms * interval '1 millisecond') < clock_timestamp()`,
  );
  for (const r of rows) {
    await tx.query(
      `UPDATE task_instances SET state = 'skipped', end_date = clock_timestamp(), worker_id = NULL,
         error = 'the run exceeded its dagrunTimeout'
       WHERE dag_id = $1 AND run_id = $2 AND state IN ('none', 'scheduled', 'queued', 'running', 'up_for_retry')`,
      [r.dag_id, r.run_id],
    );
    await finishRun(tx, r.dag_id, r.run_id, 'failed');
  }
  return rows.map((r) => ({ dagId: r.dag_id, runId: r.run_id }));
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
