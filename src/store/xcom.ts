import type { Queryable } from './db.ts';

export interface XcomValue {
  dagId: string;
  runId: string;
  taskId: string;
  /** The value as JSON text. */
  json: string;
}

export async function writeXcoms(db: Queryable, values: XcomValue[]): Promise<void> {
  if (values.length === 0) return;
  await db.query(
    `INSERT INTO xcoms (dag_id, run_id, task_id, value)
     SELECT dag_id, run_id, task_id, value::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       AS v(dag_id, run_id, task_id, value)
     ON CONFLICT (dag_id, run_id, task_id) DO UPDATE SET value = EXCLUDED.value, created_at = now()`,
    [values.map((v) => v.dagId), values.map((v) => v.runId), values.map((v) => v.taskId), values.map((v) => v.json)],
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
