/** What a worker hands executeTry (workers/execute.ts), for tests that run task code the way a worker does. */
import type { TaskFn } from '../../src/sdk/context.ts';
import type { TryInput } from '../../workers/execute.ts';
import { envSecrets } from './env-secrets.ts';

export function tryInput(fn: TaskFn, overrides: Partial<TryInput> = {}): TryInput {
  return {
    fn,
    dagId: 'd',
    runId: 'r',
    taskId: 't',
    mapIndex: -1,
    mapItem: undefined,
    tryNumber: 1,
    maxTries: 1,
    tryStartDate: new Date(0),
    rescheduleCount: 0,
    logicalDate: new Date(0),
    dataIntervalStart: new Date(0),
    dataIntervalEnd: new Date(0),
    params: {},
    executionTimeoutMs: null,
    xcom: async () => undefined,
    secrets: envSecrets(),
    writeLog: () => undefined,
    ...overrides,
  };
}
