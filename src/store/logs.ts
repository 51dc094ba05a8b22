import type { Queryable } from './db.ts';

export interface LogChunk {
  dagId: string;
  runId: string;
  taskId: string;
  tryNumber: number;
  chunk: string;
}

export async function appendLogChunks(db: Queryable, chunks: LogChunk[]): Promise<void> {
  if (chunks.length === 0) return;
  await db.query(
    `INSERT INTO task_logs (dag_id, run_id, task_id, try_number, chunk)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])`,
    [
      chunks.map((c) => c.dagId),
      chunks.map((c) => c.runId),
      chunks.map((c) => c.taskId),
      chunks.map((c) => c.tryNumber),
      chunks.map((c) => c.chunk),
    ],
  );
}

/** The raw log of one try: newline-separated JSON lines, in the order they were written. */
export async function readLog(db: Queryable, dagId: string, runId: string, taskId: string, tryNumber: number): Promise<string> {
  const { rows } = await db.query<{ chunk: string }>(
    `SELECT chunk FROM task_logs WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND try_number = $4 ORDER BY id`,
    [dagId, runId, taskId, tryNumber],
  );
  return rows.map((r) => r.chunk).join('');
}
