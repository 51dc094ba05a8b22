import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clearedTasks, type ClearScope } from '../../../../ui/src/lib/clear-preview.ts';

describe('clearedTasks', () => {
  // extract ─┬─ transform ─ load ─ report
  //          └─ audit ─────────────┘
  const tasks = [
    { taskId: 'extract', downstream: ['transform', 'audit'] },
    { taskId: 'transform', downstream: ['load'] },
    { taskId: 'audit', downstream: ['report'] },
    { taskId: 'load', downstream: ['report'] },
    { taskId: 'report', downstream: [] },
    { taskId: 'notify', downstream: [] },
  ];
  const states: ClearScope['states'] = {
    extract: 'success',
    transform: 'failed',
    audit: 'up_for_retry',
    load: 'upstream_failed',
    report: 'upstream_failed',
    notify: 'skipped',
  };
  const scope = (taskIds: string[], s: ClearScope['states'] = states): ClearScope => ({ taskIds, tasks, states: s });

  it('clears every task of the run when no task is named, in DAG order', () => {
    const all = ['extract', 'transform', 'audit', 'load', 'report', 'notify'];
    assert.deepEqual(clearedTasks(scope([]), false, false), all);
    assert.deepEqual(clearedTasks(scope([]), true, false), all);
  });

  it('clears only the named task without downstream', () => {
    assert.deepEqual(clearedTasks(scope(['transform']), false, false), ['transform']);
    assert.deepEqual(clearedTasks(scope(['report']), false, false), ['report']);
  });

  it('adds every task downstream, directly or not, in DAG order', () => {
    assert.deepEqual(clearedTasks(scope(['transform']), true, false), ['transform', 'load', 'report']);
    assert.deepEqual(clearedTasks(scope(['extract']), true, false), ['extract', 'transform', 'audit', 'load', 'report']);
    assert.deepEqual(clearedTasks(scope(['audit']), true, false), ['audit', 'report']);
    assert.deepEqual(clearedTasks(scope(['report']), true, false), ['report']);
  });

  it('lists each task once, in DAG order, when several named tasks share downstream tasks', () => {
    assert.deepEqual(clearedTasks(scope(['load', 'audit', 'transform']), true, false), ['transform', 'audit', 'load', 'report']);
  });

  it('keeps only failed and upstream_failed tasks when asked', () => {
    assert.deepEqual(clearedTasks(scope([]), false, true), ['transform', 'load', 'report']);
    assert.deepEqual(clearedTasks(scope(['extract']), true, true), ['transform', 'load', 'report']);
    assert.deepEqual(clearedTasks(scope(['audit']), true, true), ['report']);
    assert.deepEqual(clearedTasks(scope(['extract']), false, true), []);
    assert.deepEqual(clearedTasks(scope(['audit']), false, true), []);
  });

  it('treats a task instance with no state as not failed', () => {
    assert.deepEqual(clearedTasks(scope([], { transform: 'failed' }), false, true), ['transform']);
    assert.deepEqual(clearedTasks(scope(['extract'], {}), true, true), []);
  });

  it('keeps no task in any other state when only failed ones are asked for', () => {
    const others = ['none', 'scheduled', 'queued', 'running', 'success', 'up_for_retry', 'skipped'] as const;
    for (const state of others) assert.deepEqual(clearedTasks(scope(['notify'], { notify: state }), false, true), [], state);
  });
});
