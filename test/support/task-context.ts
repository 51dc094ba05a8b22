/** A task context as a worker hands one to task code, for tests that call a task or sensor function directly. */
import { pino } from 'pino';
import type { TaskContext } from '../../src/sdk/context.ts';
import { NotFoundError } from '../../src/sdk/errors.ts';

export function taskContext(overrides: Partial<TaskContext> = {}): TaskContext {
  const logicalDate = overrides.logicalDate ?? new Date('2026-12-07T00:00:00Z');
  return {
    dagId: 'sensing',
    runId: `manual__${logicalDate.toISOString()}`,
    taskId: 'wait',
    tryNumber: 1,
    maxTries: 1,
    tryStartDate: new Date(),
    rescheduleCount: 0,
    logicalDate,
    dataIntervalStart: logicalDate,
    dataIntervalEnd: logicalDate,
    mapIndex: -1,
    mapItem: undefined,
    params: {},
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    triggeringAssetEvents: [],
    xcom: async () => undefined,
    connection: async (connectionId) => {
      throw new NotFoundError('connection', connectionId, `no connection "${connectionId}" in this test's context`);
    },
    variable: async (key, fallback) => {
      if (fallback !== undefined) return fallback;
      throw new NotFoundError('variable', key, `no variable "${key}" in this test's context`);
    },
    ...overrides,
  };
}
