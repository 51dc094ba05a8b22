/**
 * How long each task took in a DAG's latest runs (beyond the contract, for the UI's task-duration
 * chart): GET /dags/{dagId}/taskDurations.
 */
import { z } from 'zod';
import { runSummary } from './dag-runs.ts';
import { count, intString, isoTimeOrNull } from './fields.ts';
import { GRID_DEFAULT_RUNS, GRID_MAX_RUNS } from './grid.ts';
import { taskState } from './task-instances.ts';

export const taskDuration = z
  .object({
    dagRunId: z.string(),
    taskId: z.string(),
    tryNumber: z.number().int().min(1),
    state: taskState.meta({ description: "the try's state: a try that was retried is failed" }),
    startDate: isoTimeOrNull,
    endDate: isoTimeOrNull.meta({ description: 'null while it runs' }),
    durationMs: z.number().int().nullable().meta({ description: 'null while it runs' }),
    mappedInstances: count()
      .nullable()
      .meta({
        description:
          "null for a try of an unmapped task. For a mapped task, how many of its instances started: the point then spans them all, from the first start to the last end, in the most pressing of their states, tryNumber the highest",
      }),
  })
  .meta({ id: 'TaskDuration' });

export const taskDurationList = z
  .object({
    dagRuns: z.array(runSummary).meta({ description: 'the latest runs by logical date, newest first' }),
    taskDurations: z.array(taskDuration).meta({ description: 'every try of every task of those runs that started (a mapped task: one per run)' }),
  })
  .meta({ id: 'TaskDurationList' });

/** As many runs as the grid shows at most, so the two tabs can offer the same choices. */
export const taskDurationQuery = z.strictObject({
  limit: intString(1, GRID_MAX_RUNS, `how many of the latest runs; ${GRID_DEFAULT_RUNS} if left out`).optional(),
});

export type TaskDuration = z.infer<typeof taskDuration>;
export type TaskDurationList = z.infer<typeof taskDurationList>;
export type TaskDurationQuery = z.output<typeof taskDurationQuery>;
