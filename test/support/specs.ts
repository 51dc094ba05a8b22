import type { DagSpec, TaskSpec } from '../../src/core/spec.ts';
import { TASK_DEFAULTS } from '../../src/sdk/options.ts';

/** A task's stored structure with the SDK's defaults, for tests that build DAG specs by hand. */
export function taskSpec(taskId: string, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return { taskId, upstream: [], downstream: [], ...TASK_DEFAULTS, ...overrides };
}

/** A DAG spec whose tasks are chained by `edges` ([upstream, downstream] pairs). */
export function dagSpec(
  dagId: string,
  taskIds: string[],
  edges: [string, string][] = [],
  overrides: Partial<Omit<DagSpec, 'tasks'>> = {},
): DagSpec {
  const tasks = taskIds.map((id) =>
    taskSpec(id, {
      upstream: edges.filter(([, d]) => d === id).map(([u]) => u).sort(),
      downstream: edges.filter(([u]) => u === id).map(([, d]) => d).sort(),
    }),
  );
  return {
    dagId,
    description: '',
    schedule: '@daily',
    timezone: 'UTC',
    startDate: '2026-01-01T00:00:00.000Z',
    endDate: null,
    catchup: false,
    maxActiveRuns: 16,
    maxActiveTasks: 16,
    isPausedUponCreation: false,
    dagrunTimeoutMs: null,
    params: {},
    tags: [],
    tasks,
    ...overrides,
  };
}
