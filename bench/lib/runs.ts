/** Reading what the engine recorded: DAGs parsed, runs finished, task timestamps (Postgres now()). */
import type { Queryable } from '../../src/store/db.ts';
import type { ResultRow } from './report.ts';
import { waitFor } from './wait.ts';

/** Waits until every one of these DAG ids is active in the dags table (the scheduler parsed it). */
export async function waitForDags(db: Queryable, dagIds: string[], timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${dagIds.length} DAG(s) to be parsed by the scheduler`,
    async () => {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dags WHERE is_active AND dag_id = ANY ($1::text[])', [
        dagIds,
      ]);
      return rows[0]!.n === dagIds.length;
    },
    timeoutMs,
  );
}

export interface RunTimes {
  state: string;
  /** Epoch milliseconds with microsecond precision (Postgres timestamps, one clock). */
  queuedMs: number;
  startMs: number;
  endMs: number;
}

const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;

export async function waitForRunEnd(db: Queryable, dagId: string, runId: string, timeoutMs: number): Promise<RunTimes> {
  return waitFor(
    `run ${runId} of ${dagId} to finish`,
    async () => {
      const { rows } = await db.query<RunTimes>(
        `SELECT state, ${epochMs('queued_at')} AS "queuedMs", ${epochMs('start_date')} AS "startMs", ${epochMs('end_date')} AS "endMs"
         FROM dag_runs WHERE dag_id = $1 AND run_id = $2 AND state IN ('success', 'failed')`,
        [dagId, runId],
      );
      return rows[0];
    },
    timeoutMs,
    10,
  );
}

export interface TaskTimes {
  taskId: string;
  state: string;
  tryNumber: number;
  startMs: number;
  endMs: number;
}

/** Every task instance of a run with its (latest try's) start and end, ordered by task id. */
export async function taskTimes(db: Queryable, dagId: string, runId: string): Promise<TaskTimes[]> {
  const { rows } = await db.query<TaskTimes>(
    `SELECT task_id AS "taskId", state, try_number AS "tryNumber", ${epochMs('start_date')} AS "startMs", ${epochMs('end_date')} AS "endMs"
     FROM task_instances WHERE dag_id = $1 AND run_id = $2 ORDER BY task_id`,
    [dagId, runId],
  );
  return rows;
}

/**
 * The correctness row of a scenario: every task must succeed in its first try (no-op tasks have
 * no reason to fail or retry). When some did not, the row says how many and why, and is FAILED.
 */
export async function outcomeRow(
  db: Queryable,
  scenario: string,
  dagId: string,
  runIds: string[],
  expectedTasks: number,
): Promise<ResultRow> {
  const { rows } = await db.query<{ ok: number; total: number }>(
    `SELECT count(*) FILTER (WHERE state = 'success' AND try_number = 1)::int AS ok, count(*)::int AS total
     FROM task_instances WHERE dag_id = $1 AND run_id = ANY ($2::text[])`,
    [dagId, runIds],
  );
  const { ok, total } = rows[0]!;
  const row: ResultRow = { scenario, metric: 'tasks that succeeded in their first try', value: `${ok} / ${expectedTasks}` };
  if (ok === expectedTasks && total === expectedTasks) return row;
  const why = await describeFailures(db, dagId, runIds);
  process.stderr.write(`${scenario}: ${expectedTasks - ok} task(s) did not succeed in one try: ${why}\n`);
  return { ...row, failure: why.length > 160 ? `${why.slice(0, 157)}...` : why };
}

/** Task states counted, and the most common errors of failed tries. */
export async function describeFailures(db: Queryable, dagId: string, runIds: string[]): Promise<string> {
  const states = await db.query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM task_instances WHERE dag_id = $1 AND run_id = ANY ($2::text[])
     GROUP BY state ORDER BY state`,
    [dagId, runIds],
  );
  const errors = await db.query<{ error: string; n: number }>(
    `SELECT error, count(*)::int AS n FROM task_tries WHERE dag_id = $1 AND run_id = ANY ($2::text[]) AND error IS NOT NULL
     GROUP BY error ORDER BY n DESC LIMIT 3`,
    [dagId, runIds],
  );
  return (
    states.rows.map((r) => `${r.state} ${r.n}`).join(', ') +
    (errors.rows.length ? `; tries failed with: ${errors.rows.map((e) => `${e.n}× "${e.error}"`).join(', ')}` : '')
  );
}
