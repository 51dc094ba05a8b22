/**
 * The grid (beyond the contract, for the UI): a page of a DAG's runs and all their task
 * instances in one answer, so the UI draws runs × tasks without a request per run. Its answer
 * can be megabytes: it is built typed by schemas/grid.ts, never parsed on the way out.
 */
import { topologicalOrder } from '../../core/graph.ts';
import { taskById, type DagSpec, type TaskSpec } from '../../core/spec.ts';
import { listRuns } from '../../store/runs.ts';
import { listTaskInstancesOfRuns } from '../../store/task-instance-reads.ts';
import { cellsByRun, cellsJson, type CellOfTask } from '../grid-cells.ts';
import { requireDag } from '../lookup.ts';
import { defineRoute } from '../route.ts';
import { dagPath } from '../schemas/fields.ts';
import { GRID_DEFAULT_RUNS, grid, gridQuery, type GridTask } from '../schemas/grid.ts';
import { dagRunJson } from '../serialize.ts';

export const gridRoutes = [
  defineRoute({
    operationId: 'getGrid',
    method: 'get',
    path: '/dags/:dagId/grid',
    tag: 'DAG runs',
    minRole: 'viewer',
    summary: "A page of a DAG's runs with all their task instances (the UI's grid)",
    description:
      'Beyond the contract, for the web UI: runs × tasks in one answer. Polls send If-None-Match and get a 304 while nothing changed.',
    params: dagPath,
    query: gridQuery,
    answers: { 200: { description: 'the page of runs, the rows and the cells', schema: grid } },
    errors: { 404: 'no such DAG' },
    async handle({ params: { dagId }, query: q }, { deps: { services: { db } } }) {
      const [dag, { runs, total }] = await Promise.all([
        requireDag(db, dagId),
        listRuns(db, dagId, { state: q.state, limit: q.limit ?? GRID_DEFAULT_RUNS, offset: q.offset ?? 0 }),
      ]);
      const runIds = runs.map((r) => r.runId);
      const { instances, mappedStates } = await listTaskInstancesOfRuns(db, dagId, runIds);
      const cells = cellsByRun(runIds, instances, mappedStates);
      return {
        status: 200,
        body: {
          dagRuns: runs.map(dagRunJson),
          totalEntries: total,
          tasks: gridTasks(dag.spec, cells),
          taskInstances: cellsJson(cells),
        },
      };
    },
  }),
];

/** The rows of the grid: the DAG's tasks as it is now, then tasks only the listed runs still have. */
function gridTasks(spec: DagSpec, cellsByRun: Map<string, CellOfTask[]>): GridTask[] {
  const current = tasksInTopologicalOrder(spec).map(
    (t): GridTask => ({ taskId: t.taskId, group: t.group ?? null, upstream: t.upstream, downstream: t.downstream, triggerRule: t.triggerRule }),
  );
  return [...current, ...removedTasks(spec, cellsByRun)];
}

/** Stable whatever order the spec lists its tasks in: ties keep their declaration order. */
function tasksInTopologicalOrder(spec: DagSpec): TaskSpec[] {
  const downstream = new Map(spec.tasks.map((t) => [t.taskId, new Set(t.downstream)]));
  const result = topologicalOrder(spec.tasks.map((t) => t.taskId), downstream);
  // The loader refuses a DAG with a cycle, so a stored spec has none; its own order is the fallback.
  if (!result.ok) return spec.tasks;
  const byId = taskById(spec);
  return result.order.map((taskId) => byId.get(taskId)!);
}

/**
 * Tasks since taken out of the DAG that listed runs still have. Their edges and group went with
 * the structure they belonged to, so they stand alone, by name, with the newest run's trigger rule.
 */
function removedTasks(spec: DagSpec, cellsByRun: Map<string, CellOfTask[]>): GridTask[] {
  const inSpec = taskById(spec);
  const removed = new Map<string, GridTask>();
  for (const c of [...cellsByRun.values()].flat()) {
    if (inSpec.has(c.taskId) || removed.has(c.taskId)) continue;
    removed.set(c.taskId, { taskId: c.taskId, group: null, upstream: [], downstream: [], triggerRule: c.triggerRule });
  }
  return [...removed.values()].sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
}
