import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DagDefinitionError, FailTask, SkipTask, isFailTask, isSkipTask } from '../../../src/sdk/errors.ts';

describe('SkipTask and FailTask', () => {
  it('carry a name, a reason and a message', () => {
    const skip = new SkipTask('no new files');
    assert.equal(skip.name, 'SkipTask');
    assert.equal(skip.reason, 'no new files');
    assert.equal(skip.message, 'no new files');
    assert.ok(skip instanceof Error);
    const fail = new FailTask('bad credentials');
    assert.equal(fail.name, 'FailTask');
    assert.equal(fail.reason, 'bad credentials');
    assert.equal(new SkipTask().message, 'the task skipped itself');
    assert.equal(new FailTask().message, 'the task failed itself');
  });

  it('are told apart by their registered symbols, so another copy of the module is recognized', () => {
    assert.ok(isSkipTask(new SkipTask()));
    assert.ok(!isFailTask(new SkipTask()));
    assert.ok(isFailTask(new FailTask()));
    assert.ok(!isSkipTask(new FailTask()));
    assert.ok(!isSkipTask(new Error('SkipTask')));
    assert.ok(!isSkipTask(null));
    assert.ok(!isFailTask('FailTask'));
    const foreign = Object.assign(new Error('x'), { [Symbol.for('sluice.skip')]: true });
    assert.ok(isSkipTask(foreign));
  });
});

describe('DagDefinitionError', () => {
  it('names the DAG', () => {
    const error = new DagDefinitionError('orders', 'something is wrong; fix it');
    assert.equal(error.message, 'DAG "orders": something is wrong; fix it');
    assert.equal(error.name, 'DagDefinitionError');
    assert.equal(error.dagId, 'orders');
  });
});
