/** Finding the thing a path names, or a 404 that says which part of the path is unknown. */
import { notFound } from '../errors.ts';
import { getDag, type DagRecord } from '../store/dags.ts';
import type { Queryable } from '../store/db.ts';
import { getRun, type DagRunRecord } from '../store/runs.ts';
import { getTaskInstance, whyNoTaskInstance, type TaskInstanceRecord } from '../store/task-instance-reads.ts';

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
  mapIndex = -1,
): Promise<TaskInstanceRecord> {
  await requireRun(db, dagId, runId);
  const ti = await getTaskInstance(db, dagId, runId, taskId, mapIndex);
  if (ti) return ti;
  const why = await whyNoTaskInstance(db, dagId, runId, taskId);
  if (why.kind === 'mapped') {
    const n = why.instances;
    throw notFound(
      mapIndex < 0
        ? `task "${taskId}" of run "${runId}" is mapped into ${n} instances; name one by its map index, ` +
            `…/taskInstances/${taskId}/<0 to ${n - 1}>`
        : `task "${taskId}" of run "${runId}" has ${n} mapped instances, 0 to ${n - 1}: there is no map index ${mapIndex}`,
    );
  }
  if (why.kind === 'not_mapped') {
    throw notFound(`task "${taskId}" of run "${runId}" is not mapped (into instances): drop the map index ${mapIndex}, or use -1`);
  }
  throw notFound(
    `run "${runId}" of DAG "${dagId}" has no task "${taskId}"; GET /api/v1/dags/${dagId}/dagRuns/${runId}/taskInstances lists its task instances`,
  );
}
