/**
 * The grid (beyond the contract, for the UI): a page of a DAG's runs and all their task
 * instances in one answer, so the UI draws runs × tasks without a request per run.
 */
import { z } from 'zod';
import { dagRun } from './dag-runs.ts';
import { taskDefinition } from './dags.ts';
import { count, intString, pagination, runStateString, totalEntries } from './fields.ts';
import { taskInstanceProgress, taskState } from './task-instances.ts';

/** A year of a daily DAG at most: the grid holds every task instance of the page in memory. */
export const GRID_MAX_RUNS = 365;
export const GRID_DEFAULT_RUNS = 25;

/** A row: the fields of a task that the grid shows or orders by, as GET /dags/{dagId} gives them. */
export const gridTask = taskDefinition
  .pick({ taskId: true, group: true, upstream: true, downstream: true, triggerRule: true })
  .meta({ id: 'GridTask' });

/**
 * A cell: a task instance's progress; for a mapped task, its instances' in that run summed up
 * (a run may have 10,000 of them, one row in the grid). Unmapped cells have no `mapped`.
 */
export const gridCell = taskInstanceProgress
  .extend({
    mapped: z
      .object({
        count: count().meta({ description: 'how many instances the task has in the run' }),
        states: z.partialRecord(taskState, count()).meta({ description: 'how many are in each state; states with none are absent' }),
      })
      .optional()
      .meta({
        description:
          "a mapped task's instances: then state is the most pressing of theirs (failed first, success only when nothing else is left), startDate the earliest, endDate the latest (null while one is unfinished), tryNumber and maxTries the highest",
      }),
  })
  .meta({ id: 'GridCell' });

export const grid = z
  .object({
    dagRuns: z.array(dagRun).meta({ description: 'newest first, as GET /dags/{dagId}/dagRuns pages them' }),
    totalEntries,
    tasks: z.array(gridTask).meta({
      description: "the rows: the DAG's tasks in topological order, then tasks only the listed runs still have, by name",
    }),
    taskInstances: z
      .record(z.string(), z.record(z.string(), gridCell))
      .meta({ description: '{[dagRunId]: {[taskId]: cell}}' }),
  })
  .meta({ id: 'Grid' });

export const gridQuery = z.strictObject({
  limit: intString(1, GRID_MAX_RUNS).optional(),
  offset: pagination.offset,
  state: runStateString.optional(),
});

export type GridTask = z.infer<typeof gridTask>;
export type Grid = z.infer<typeof grid>;
export type GridCell = z.infer<typeof gridCell>;
export type GridQuery = z.output<typeof gridQuery>;
