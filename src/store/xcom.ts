import type { Queryable } from './db.ts';

export async function writeXcom(db: Queryable, dagId: string, runId: string, taskId: string, json: string): Promise<void> {
  await db.query(
    `INSERT INTO xcoms (dag_id, run_id, task_id, value) VALUES ($1, $2, $3, $4::jsonb)
     ON CONFLICT (dag_id, run_id, task_id) DO UPDATE SET value = EXCLUDED.value, created_at = now()`,
    [dagId, runId, taskId, json],
  );
}

export async function clearXcoms(db: Queryable, dagId: string, runId: string, taskIds: string[]): Promise<void> {
  await db.query('DELETE FROM xcoms WHERE dag_id = $1 AND run_id = $2 AND task_id = ANY ($3::text[])', [dagId, runId, taskIds]);
}

/** `{ found: false }` when the task returned nothing (or has not run), so a stored null stays distinguishable. */
export async function readXcom(
  db: Queryable,
  dagId: string,
  runId: string,
  taskId: string,
): Promise<{ found: boolean; value: unknown }> {
  const { rows } = await db.query<{ value: unknown }>(
    'SELECT value FROM xcoms WHERE dag_id = $1 AND run_id = $2 AND task_id = $3',
    [dagId, runId, taskId],
  );
  return rows[0] ? { found: true, value: rows[0].value } : { found: false, value: undefined };
}
