import type { Queryable } from './db.ts';

/**
 * ANALYZEs task_instances when many rows changed since the last analyze: a burst of thousands of
 * new task instances otherwise leaves the planner with statistics from when the table was small
 * until autovacuum gets to it. Cheap to call often: it reads one row of pg_stat_user_tables.
 */
export async function analyzeTaskInstancesIfStale(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ stale: boolean }>(
    `SELECT n_mod_since_analyze > GREATEST(1000, n_live_tup / 10) AS stale
     FROM pg_stat_user_tables WHERE relname = 'task_instances' AND schemaname = current_schema()`,
  );
  if (!rows[0]?.stale) return false;
  await db.query('ANALYZE task_instances');
  return true;
}
