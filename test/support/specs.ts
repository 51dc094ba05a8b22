import type { TaskSpec } from '../../src/core/spec.ts';
import { TASK_DEFAULTS } from '../../src/sdk/options.ts';

/** A task's stored structure with the SDK's defaults, for tests that build DAG specs by hand. */
export function taskSpec(taskId: string, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return { taskId, upstream: [], downstream: [], ...TASK_DEFAULTS, ...overrides };
}
