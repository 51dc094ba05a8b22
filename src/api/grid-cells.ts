/**
 * The grid's cells: `{[runId]: {[taskId]: cell}}`. An unmapped task instance is its own cell; a
 * mapped task's instances in a run (grouped by state in SQL, listTaskInstancesOfRuns) are summed
 * up into one, so they do not overwrite each other and 10,000 of them cost a few rows. Pure.
 */
import { mostPressingState } from '../core/state-attention.ts';
import { isFinished, type TaskState } from '../core/states.ts';
import type { TriggerRule } from '../core/trigger-rules.ts';
import type { GridInstanceRecord, GridMappedStateRecord } from '../store/task-instance-reads.ts';
import type { GridCell } from './schemas/grid.ts';
import { taskInstanceProgressJson } from './serialize.ts';

/** A run's cell of a task, with what the rows need of it (a task only old runs have is named by its trigger rule). */
export interface CellOfTask {
  taskId: string;
  triggerRule: TriggerRule;
  cell: GridCell;
}

/** Each listed run's cells, in the runs' order; a run without any still has its (empty) entry. */
export function cellsByRun(
  runIds: readonly string[],
  instances: readonly GridInstanceRecord[],
  mappedStates: readonly GridMappedStateRecord[],
): Map<string, CellOfTask[]> {
  const byRun = new Map(runIds.map((runId) => [runId, [] as CellOfTask[]]));
  for (const ti of instances) byRun.get(ti.runId)?.push({ taskId: ti.taskId, triggerRule: ti.triggerRule, cell: taskInstanceProgressJson(ti) });
  const mappedByRunTask = new Map<string, GridMappedStateRecord[]>();
  for (const group of mappedStates) {
    // NUL cannot be in an id, so the key is unambiguous.
    const key = `${group.runId}\u0000${group.taskId}`;
    const list = mappedByRunTask.get(key);
    if (list) list.push(group);
    else mappedByRunTask.set(key, [group]);
  }
  for (const groups of mappedByRunTask.values()) {
    const { runId, taskId, triggerRule } = groups[0]!;
    byRun.get(runId)?.push({ taskId, triggerRule, cell: mappedCell(groups) });
  }
  return byRun;
}

/**
 * One mapped task's instances in one run (at least one group): the most pressing state, the
 * earliest start, the latest end once every instance has finished (the task is not done before),
 * the duration between them, the highest try and maximum, and the counts by state.
 */
export function mappedCell(groups: readonly Pick<GridMappedStateRecord, 'state' | 'count' | 'tryNumber' | 'maxTries' | 'startDate' | 'endDate'>[]): GridCell {
  const states: Partial<Record<TaskState, number>> = {};
  let count = 0;
  let tryNumber = 0;
  let maxTries = 0;
  let start: Date | null = null;
  let end: Date | null = null;
  let finished = true;
  for (const g of groups) {
    states[g.state] = (states[g.state] ?? 0) + g.count;
    count += g.count;
    tryNumber = Math.max(tryNumber, g.tryNumber);
    maxTries = Math.max(maxTries, g.maxTries);
    if (g.startDate && (!start || g.startDate < start)) start = g.startDate;
    if (g.endDate && (!end || g.endDate > end)) end = g.endDate;
    if (!isFinished(g.state)) finished = false;
  }
  const endDate = finished ? end : null;
  return {
    ...taskInstanceProgressJson({
      state: mostPressingState(groups.map((g) => g.state)) ?? 'none',
      tryNumber,
      maxTries,
      startDate: start,
      endDate,
      durationMs: start && endDate ? endDate.getTime() - start.getTime() : null,
    }),
    mapped: { count, states },
  };
}

/** `{[dagRunId]: {[taskId]: cell}}`. */
export function cellsJson(byRun: ReadonlyMap<string, readonly CellOfTask[]>): Record<string, Record<string, GridCell>> {
  // fromEntries defines keys as data, so no id (not even "__proto__") can reach a prototype.
  return Object.fromEntries([...byRun].map(([runId, cells]) => [runId, Object.fromEntries(cells.map((c) => [c.taskId, c.cell]))]));
}
