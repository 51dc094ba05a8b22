import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { dag } from '../../../src/sdk/dag.ts';
import { callbackContext, callbackFunctions, callbackUrl } from '../../../workers/callback-functions.ts';

const one = () => {};
const two = async () => {};
const d = dag('cbs', { params: { region: 'eu', limit: 10 }, onSuccess: one, onFailure: [one, two], defaultArgs: { onRetry: two } });
d.task('load', { onFailure: one }, async () => {});
d.task('plain', { onRetry: null }, async () => {});

describe('callbackFunctions', () => {
  test("a run's event runs the DAG's option, a task's event the task's, in order", () => {
    assert.deepEqual(callbackFunctions(d, 'dag_success', null, 'abc'), [one]);
    assert.deepEqual(callbackFunctions(d, 'dag_failure', null, 'abc'), [one, two]);
    assert.deepEqual(callbackFunctions(d, 'task_failure', 'load', 'abc'), [one]);
    assert.deepEqual(callbackFunctions(d, 'task_retry', 'load', 'abc'), [two]);
    assert.deepEqual(callbackFunctions(d, 'task_retry', 'plain', 'abc'), []);
    assert.deepEqual(callbackFunctions(d, 'task_success', 'load', 'abc'), []);
  });

  test('a task missing from the loaded version is a reason to fail the try, naming it', () => {
    assert.equal(
      callbackFunctions(d, 'task_failure', 'gone', '0123456789abcdef'),
      'version 0123456789ab of DAG cbs has no task gone, whose task_failure callback this is',
    );
  });
});

describe('callbackUrl and callbackContext', () => {
  test('the run page for a run event, the try page for a task event, ids encoded', () => {
    assert.equal(callbackUrl('https://s.example.com/ui', 'd', 'manual__2026-01-01T00:00:00+00:00', null, -1, null), 'https://s.example.com/ui/dags/d/runs/manual__2026-01-01T00%3A00%3A00%2B00%3A00');
    assert.equal(callbackUrl('http://h:1', 'd', 'r', 'g.load', -1, 3), 'http://h:1/dags/d/runs/r/tasks/g.load?try=3');
    // A mapped task's instance: its own page under the task's.
    assert.equal(callbackUrl('http://h:1', 'd', 'r', 'load', 0, 1), 'http://h:1/dags/d/runs/r/tasks/load/0?try=1');
  });

  test('params are the DAG params merged with the run conf, without touching the DAG defaults', () => {
    const log = pino({ level: 'silent' });
    const facts = {
      event: 'task_failure' as const,
      dagId: 'cbs',
      runId: 'r1',
      taskId: 'load',
      mapIndex: 2,
      tryNumber: 1,
      eventState: 'failed',
      eventError: 'boom',
      logicalDate: new Date('2026-01-01T00:00:00Z'),
      conf: { limit: 5 },
    };
    const c = callbackContext(d, facts, 'http://h:1', log);
    assert.deepEqual(c.params, { region: 'eu', limit: 5 });
    c.params.region = 'us';
    assert.deepEqual(d.options.params, { region: 'eu', limit: 10 });
    assert.deepEqual([c.event, c.taskId, c.mapIndex, c.tryNumber, c.state, c.error, c.url], ['task_failure', 'load', 2, 1, 'failed', 'boom', 'http://h:1/dags/cbs/runs/r1/tasks/load/2?try=1']);
    assert.equal(c.log, log);
  });
});
