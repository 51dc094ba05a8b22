/**
 * How long each task took in a DAG's latest runs (beyond the contract, for the UI's task-duration
 * chart): every try of the runs in one answer, from one statement (src/store/task-durations.ts).
 */
import { listTaskDurations } from '../../store/task-durations.ts';
import { requireDag } from '../lookup.ts';
import { defineRoute } from '../route.ts';
import { dagPath } from '../schemas/fields.ts';
import { GRID_DEFAULT_RUNS } from '../schemas/grid.ts';
import { taskDurationList, taskDurationQuery } from '../schemas/task-durations.ts';
import { iso } from '../serialize.ts';

export const taskDurationRoutes = [
  defineRoute({
    operationId: 'listTaskDurations',
    method: 'get',
    minRole: 'viewer',
    path: '/dags/:dagId/taskDurations',
    tag: 'Task instances',
    summary: "How long each task took in a DAG's latest runs",
    description: "Beyond the contract, for the web UI's task-duration chart: every try that started, so retried tries show too.",
    params: dagPath,
    query: taskDurationQuery,
    answers: { 200: { description: 'the runs, newest first, and the tries of their tasks', schema: taskDurationList } },
    errors: { 404: 'no such DAG' },
    async handle({ params: { dagId }, query: q }, { deps: { services: { db } } }) {
      await requireDag(db, dagId);
      const { runs, points } = await listTaskDurations(db, dagId, q.limit ?? GRID_DEFAULT_RUNS);
      return {
        status: 200,
        body: {
          dagRuns: runs.map((r) => ({
            dagRunId: r.runId,
            state: r.state,
            runType: r.runType,
            logicalDate: iso(r.logicalDate),
            startDate: iso(r.startDate),
            endDate: iso(r.endDate),
          })),
          taskDurations: points.map((p) => ({
            dagRunId: p.runId,
            taskId: p.taskId,
            tryNumber: p.tryNumber,
            state: p.state,
            startDate: iso(p.startDate),
            endDate: iso(p.endDate),
            durationMs: p.durationMs,
            mappedInstances: p.instances,
          })),
        },
      };
    },
  }),
];
