import type { TaskSpec } from '../../src/core/spec.ts';

/** A task's stored structure with the contract's defaults, for tests that build DAG specs by hand. */
export function taskSpec(taskId: string, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    taskId,
    upstream: [],
    downstream: [],
    retries: 0,
    retryDelayMs: 30_000,
    retryExponentialBackoff: false,
    maxRetryDelayMs: 3_600_000,
    executionTimeoutMs: null,
    pool: 'default_pool',
    poolSlots: 1,
    queue: 'default',
    priorityWeight: 1,
    triggerRule: 'all_success',
    ...overrides,
  };
}
