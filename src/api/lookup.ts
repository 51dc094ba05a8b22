/** Finding the thing a path names, or a 404 that says which part of the path is unknown. */
import { notFound } from '../errors.ts';
import { getDag, type DagRecord } from '../store/dags.ts';
import type { Queryable } from '../store/db.ts';
import { getRun, type DagRunRecord } from '../store/runs.ts';
import { getTaskInstance, type TaskInstanceRecord } from '../store/task-instance-reads.ts';

export async function requireDag(db: Queryable, dagId: string): Promise<DagRecord> {
  const dag = await getDag(db, dagId);
  if (!dag) throw notFound(`DAG "${dagId}" not found; GET /api/v1/dags lists the DAGs there are`);
  return dag;
}

export async function requireRun(db: Queryable, dagId: string, runId: string): Promise<DagRunRecord> {
  const [dag, run] = await Promise.all([getDag(db, dagId), getRun(db, dagId, runId)]);
  if (!dag && !run) throw notFound(`DAG "${dagId}" not found; GET /api/v1/dags lists the DAGs there are`);
  if (!run) throw notFound(`DAG "${dagId}" has no run "${runId}"; GET /api/v1/dags/${dagId}/dagRuns lists its runs`);
  return run;
}

export async function requireTaskInstance(
  db: Queryable,
  dagId: string,
  runId: string,
  taskId: string,
): Promise<TaskInstanceRecord> {
  await requireRun(db, dagId, runId);
  const ti = await getTaskInstance(db, dagId, runId, taskId);
  if (!ti) {
    throw notFound(
      `run "${runId}" of DAG "${dagId}" has no task "${taskId}"; ` +
        `GET /api/v1/dags/${dagId}/dagRuns/${runId}/taskInstances lists its tasks`,
    );
  }
  return ti;
}
