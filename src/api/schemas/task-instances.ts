/** A run's task instances and their tries: what /dags/{dagId}/dagRuns/{runId}/taskInstances/... take and answer. */
import { z } from 'zod';
import { formatCount, showValue } from '../../core/show-value.ts';
import { TASK_STATES } from '../../core/states.ts';
import { triggerRule } from './dags.ts';
import { bodyId, bool, count, intString, isoTimeOrNull, listQuery, totalEntries } from './fields.ts';

export const taskState = z.enum(TASK_STATES);

/** Where a task instance has got and how long it took: a cell of the grid, and part of the full instance. */
export const taskInstanceProgress = z
  .object({
    state: taskState,
    tryNumber: count().meta({ description: 'the current (or last) try; 0 before the first' }),
    maxTries: count(),
    startDate: isoTimeOrNull,
    endDate: isoTimeOrNull,
    durationMs: z.number().int().nullable(),
  })
  .meta({ id: 'TaskInstanceProgress' });

export const taskInstance = taskInstanceProgress
  .extend({
    dagId: z.string(),
    dagRunId: z.string(),
    taskId: z.string(),
    mapIndex: z.number().int().min(-1).meta({ description: 'a mapped task instance\'s index in its array; -1 for a task that is not mapped' }),
    pool: z.string(),
    queue: z.string(),
    hostname: z.string().nullable(),
    error: z.string().nullable(),
    queuedAt: isoTimeOrNull,
    nextTryAt: isoTimeOrNull.meta({ description: 'when a task up for retry is tried again' }),
    poolSlots: z.number().int(),
    priorityWeight: z.number().int(),
    triggerRule,
  })
  .meta({ id: 'TaskInstance' });

/**
 * Beyond the contract: `taskId` keeps one task's instances, so the UI lists a mapped task's
 * 10,000 instances in 10 pages without reading every other task's with them.
 */
export const taskInstanceListQuery = listQuery.extend({
  taskId: z.string().min(1).optional().meta({ description: "only this task's instances (all of a mapped task's)" }),
});

export const taskInstanceList = z.object({ taskInstances: z.array(taskInstance), totalEntries }).meta({ id: 'TaskInstanceList' });

export const taskTry = z
  .object({
    dagId: z.string(),
    dagRunId: z.string(),
    taskId: z.string(),
    mapIndex: z.number().int().min(-1),
    tryNumber: z.number().int().min(1),
    state: taskState,
    startDate: isoTimeOrNull,
    endDate: isoTimeOrNull,
    durationMs: z.number().int().nullable(),
    hostname: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'TaskTry' });

export const taskTryList = z.object({ taskInstanceTries: z.array(taskTry), totalEntries }).meta({ id: 'TaskTryList' });

export const xcomValue = z
  .object({ value: z.unknown().meta({ description: 'what the task returned, as JSON' }) })
  .meta({ id: 'XCom' });

export const markTaskInstanceBody = z.strictObject({
  state: z.enum(['success', 'failed'], {
    error: (issue) => `must be "success" or "failed", got ${showValue(issue.input)}`,
  }),
});

/** More task ids than any DAG should have; leaving taskIds out clears them all. */
const MAX_CLEARED_TASK_IDS = 10_000;

export const clearTaskInstancesBody = z.strictObject({
  dagRunId: bodyId(),
  taskIds: z
    .array(bodyId(), { error: (issue) => `must be an array of task ids, got ${showValue(issue.input)}` })
    .max(MAX_CLEARED_TASK_IDS, { error: `must name at most ${formatCount(MAX_CLEARED_TASK_IDS)} task ids; leave it out to clear every task of the run` })
    .optional()
    .meta({ description: 'the tasks to clear; every task of the run if left out' }),
  includeDownstream: bool().optional(),
  onlyFailed: bool().optional(),
});

/**
 * Without either, the whole log; with either, one page. The largest page is the store's to say:
 * it is passed in, so that this module imports nothing of the server.
 */
export function logQuery(maxPageBytes: number) {
  return z.strictObject({
    offset: intString(0, Number.MAX_SAFE_INTEGER, "a byte offset into the stored log, e.g. the previous page's X-Log-Next-Offset").optional(),
    limit: intString(1, maxPageBytes, 'the most bytes of stored log to return').optional(),
  });
}

export type TaskState = z.infer<typeof taskState>;
export type TaskInstanceProgress = z.infer<typeof taskInstanceProgress>;
export type TaskInstance = z.infer<typeof taskInstance>;
export type TaskInstanceList = z.infer<typeof taskInstanceList>;
export type TaskInstanceListQuery = z.output<typeof taskInstanceListQuery>;
export type TaskTry = z.infer<typeof taskTry>;
export type TaskTryList = z.infer<typeof taskTryList>;
export type XcomValue = z.infer<typeof xcomValue>;
export type MarkTaskInstanceBody = z.input<typeof markTaskInstanceBody>;
export type ClearTaskInstancesBody = z.input<typeof clearTaskInstancesBody>;
export type LogQuery = z.output<ReturnType<typeof logQuery>>;
