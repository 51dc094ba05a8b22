/** Which task instances a clear request resets: the server's rule, so the UI can show it before asking. */
import { withDownstream } from '../../../src/core/graph.ts';
import type { TaskState } from '../../../src/core/states.ts';

export interface ClearScope {
  /** Empty: every task of the run. */
  taskIds: readonly string[];
  /** The DAG's structure, in topological order. */
  tasks: readonly { taskId: string; downstream: readonly string[] }[];
  /** The current state of each task instance of the run. */
  states: Readonly<Record<string, TaskState>>;
}

const FAILED_STATES: readonly TaskState[] = ['failed', 'upstream_failed'];

export function clearedTasks(scope: ClearScope, includeDownstream: boolean, onlyFailed: boolean): string[] {
  let ids = scope.taskIds.length ? [...scope.taskIds] : scope.tasks.map((t) => t.taskId);
  if (includeDownstream) ids = withDownstream(scope.tasks, ids);
  return onlyFailed ? ids.filter((id) => FAILED_STATES.includes(scope.states[id] ?? 'none')) : ids;
}
