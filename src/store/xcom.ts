import type { Queryable } from './db.ts';

export interface XcomValue {
  dagId: string;
  runId: string;
  taskId: string;
  /** -1 for a task that is not mapped. */
  mapIndex: number;
  /** The value as JSON text. */
  json: string;
}

export async function writeXcoms(db: Queryable, values: XcomValue[]): Promise<void> {
  if (values.length === 0) return;
  await db.query(
    `INSERT INTO xcoms (dag_id, run_id, task_id, map_index, value)
     SELECT dag_id, run_id, task_id, map_index, value::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])
       AS v(dag_id, run_id, task_id, map_index, value)
     ON CONFLICT (dag_id, run_id, task_id, map_index) DO UPDATE SET value = EXCLUDED.value, created_at = now()`,
    [values.map((v) => v.dagId), values.map((v) => v.runId), values.map((v) => v.taskId), values.map((v) => v.mapIndex), values.map((v) => v.json)],
  );
}

export async function clearXcoms(db: Queryable, dagId: string, runId: string, taskIds: string[]): Promise<void> {
  await db.query('DELETE FROM xcoms WHERE dag_id = $1 AND run_id = $2 AND task_id = ANY ($3::text[])', [dagId, runId, taskIds]);
}

/**
 * What a task returned, as its downstream tasks see it (sluice_xcom_value): a mapped task's is the
 * array of its instances' values in map-index order. `{ found: false }` when the task returned
 * nothing (or has not run), so a stored null stays distinguishable.
 */
export async function readXcom(
  db: Queryable,
  dagId: string,
  runId: string,
  taskId: string,
): Promise<{ found: boolean; value: unknown }> {
  const { rows } = await db.query<{ value: unknown }>({
    name: 'sluice_read_xcom',
    // As text: pg would parse a jsonb 'null' and a missing value both to null.
    text: 'SELECT sluice_xcom_value($1, $2, $3)::text AS value',
    values: [dagId, runId, taskId],
  });
  const text = rows[0]?.value as string | null | undefined;
  return text == null ? { found: false, value: undefined } : { found: true, value: JSON.parse(text) };
}

/** One task instance's own XCom (a mapped instance's value, not the array); `found` as readXcom's. */
export async function readInstanceXcom(
  db: Queryable,
  key: { dagId: string; runId: string; taskId: string; mapIndex: number },
): Promise<{ found: boolean; value: unknown }> {
  const { rows } = await db.query<{ value: unknown }>(
    'SELECT value FROM xcoms WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND map_index = $4',
    [key.dagId, key.runId, key.taskId, key.mapIndex],
  );
  return rows[0] ? { found: true, value: rows[0].value } : { found: false, value: undefined };
}
