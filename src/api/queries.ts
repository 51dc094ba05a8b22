/** Read-only queries only the API needs: metrics. */
import { ACTIVE_RUN_STATES, sqlList } from '../core/states.ts';
import type { Queryable } from '../store/db.ts';

export async function countRunsByDagAndState(db: Queryable): Promise<{ dagId: string; state: string; n: number }[]> {
  const { rows } = await db.query<{ dagId: string; state: string; n: number }>(
    `SELECT dag_id AS "dagId", state, count(*)::int AS n FROM dag_runs GROUP BY dag_id, state ORDER BY dag_id, state`,
  );
  return rows;
}

export async function countTaskInstancesByState(db: Queryable): Promise<{ state: string; n: number }[]> {
  const { rows } = await db.query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM task_instances GROUP BY state ORDER BY state`,
  );
  return rows;
}

export async function countImportErrors(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM import_errors');
  return rows[0]?.n ?? 0;
}

export async function countDags(db: Queryable): Promise<{ active: number; paused: number }> {
  const { rows } = await db.query<{ active: number; paused: number }>(
    `SELECT count(*)::int AS active, count(*) FILTER (WHERE is_paused)::int AS paused FROM dags WHERE is_active`,
  );
  return rows[0] ?? { active: 0, paused: 0 };
}

export interface LatencySummary {
  count: number;
  sum: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

// Runs going on or ended within the window: a small set, found without scanning every task instance.
const RECENT_RUNS = `SELECT dag_id, run_id FROM dag_runs
  WHERE state IN (${sqlList(ACTIVE_RUN_STATES)}) OR end_date > now() - make_interval(secs => $1)`;

const SUMMARY = `count(*)::int AS count, COALESCE(sum(s), 0)::float8 AS sum,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY s)::float8 AS p50,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY s)::float8 AS p90,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY s)::float8 AS p99,
  max(s)::float8 AS max`;

/** Seconds from a task instance being queued to its try starting, over tries started in the window. */
export async function queuedToStartLatency(db: Queryable, windowSeconds: number): Promise<LatencySummary> {
  const { rows } = await db.query<LatencySummary>(
    `WITH recent AS (${RECENT_RUNS}),
     samples AS (
       SELECT extract(epoch FROM ti.start_date - ti.queued_at)::float8 AS s
       FROM recent r JOIN task_instances ti ON ti.dag_id = r.dag_id AND ti.run_id = r.run_id
       WHERE ti.start_date > now() - make_interval(secs => $1) AND ti.queued_at IS NOT NULL
         AND ti.start_date >= ti.queued_at
     )
     SELECT ${SUMMARY} FROM samples`,
    [windowSeconds],
  );
  return rows[0]!;
}

/**
 * Seconds from the last upstream task ending to its downstream task starting (the hand-off the
 * workers' fast path makes short), over tasks with upstreams started in the window.
 */
export async function upstreamToStartLatency(db: Queryable, windowSeconds: number): Promise<LatencySummary> {
  const { rows } = await db.query<LatencySummary>(
    `WITH recent AS (${RECENT_RUNS}),
     handoffs AS (
       SELECT c.start_date, max(p.end_date) AS upstream_end
       FROM recent r
       JOIN task_instances p ON p.dag_id = r.dag_id AND p.run_id = r.run_id
       CROSS JOIN LATERAL unnest(p.downstream) AS d(task_id)
       JOIN task_instances c ON c.dag_id = p.dag_id AND c.run_id = p.run_id AND c.task_id = d.task_id
       WHERE c.start_date > now() - make_interval(secs => $1) AND p.end_date IS NOT NULL
       GROUP BY c.dag_id, c.run_id, c.task_id, c.start_date
     ),
     samples AS (
       SELECT extract(epoch FROM start_date - upstream_end)::float8 AS s FROM handoffs WHERE start_date >= upstream_end
     )
     SELECT ${SUMMARY} FROM samples`,
    [windowSeconds],
  );
  return rows[0]!;
}

export async function countQueuedAndRunning(db: Queryable): Promise<{ queued: number; running: number }> {
  // Served by the partial indexes on queued and running task instances.
  const { rows } = await db.query<{ queued: number; running: number }>(
    `SELECT (SELECT count(*) FROM task_instances WHERE state = 'queued')::int AS queued,
            (SELECT count(*) FROM task_instances WHERE state = 'running')::int AS running`,
  );
  return rows[0] ?? { queued: 0, running: 0 };
}
