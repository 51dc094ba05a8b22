import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as sluice from 'sluice';
import type { DagOptions, TaskContext, TaskOptions } from 'sluice';

describe("the 'sluice' package entry", () => {
  it('exports the authoring API and nothing with I/O', () => {
    assert.deepEqual(Object.keys(sluice).sort(), ['DagDefinitionError', 'FailTask', 'NotFoundError', 'RescheduleTask', 'SkipTask', 'asset', 'chain', 'dag', 'isNotFound', 'param']);
  });

  it('runs the contract example', async () => {
    const { dag, chain, SkipTask } = sluice;
    const options: DagOptions = {
      schedule: '@daily',
      startDate: '2026-01-01T00:00:00Z',
      endDate: undefined,
      timezone: 'UTC',
      catchup: false,
      maxActiveRuns: 16,
      maxActiveTasks: 16,
      isPausedUponCreation: false,
      dagrunTimeout: undefined,
      params: { limit: 100 },
      tags: ['etl'],
      description: 'Orders into the warehouse',
      defaultArgs: {
        retries: 0,
        retryDelay: '30s',
        retryExponentialBackoff: false,
        maxRetryDelay: '1h',
        executionTimeout: undefined,
        pool: 'default_pool',
        poolSlots: 1,
        queue: 'default',
        priorityWeight: 1,
        triggerRule: 'all_success',
      },
    };
    const d = dag('orders_daily', options);
    const extract = d.task('extract', async () => ({ rows: 42 }));
    const loadOptions: TaskOptions = { retries: 3, retryDelay: '5s' };
    const load = d.task('load', loadOptions, async (ctx: TaskContext) => {
      const value = await ctx.xcom<{ rows: number }>('extract');
      if (!value) throw new SkipTask('nothing extracted');
      return value.rows;
    });
    const report = d.task('report', async () => {});
    assert.equal(extract.then(load), load);
    chain(load, [report]);
    const spec = d.toSpec();
    assert.deepEqual(spec.tasks.map((t) => [t.taskId, t.upstream]), [
      ['extract', []],
      ['load', ['extract']],
      ['report', ['load']],
    ]);
    assert.equal(spec.tasks[1]?.retryDelayMs, 5_000);
  });
});
