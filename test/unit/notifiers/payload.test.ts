import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detailLines, headline, notificationPayload, taskLabel, truncate } from '../../../src/notifiers/payload.ts';
import { sampleContext } from '../../support/notification-receivers.ts';

describe('notification payload', () => {
  it('is the context as JSON can carry it, without params or the logger', () => {
    const payload = notificationPayload(sampleContext({ params: { apiKey: 'not for receivers' } }));
    assert.deepEqual(Object.keys(payload), ['event', 'dagId', 'runId', 'taskId', 'mapIndex', 'tryNumber', 'state', 'error', 'logicalDate', 'url']);
    assert.equal(payload.logicalDate, '2026-12-07T10:00:00.000Z');
    assert.ok(!JSON.stringify(payload).includes('not for receivers'));
  });

  it('names a task, a mapped instance, or no task for DAG events', () => {
    assert.equal(taskLabel({ taskId: 'load', mapIndex: -1 }), 'load');
    assert.equal(taskLabel({ taskId: 'load', mapIndex: 0 }), 'load[0]');
    assert.equal(taskLabel({ taskId: null, mapIndex: -1 }), null);
    assert.equal(headline(sampleContext({ mapIndex: 7 })), 'task_failure: orders_daily / load[7] (run manual__2026-12-07T10:00:00.000Z)');
    assert.equal(headline(sampleContext({ event: 'dag_success', taskId: null })), 'dag_success: orders_daily (run manual__2026-12-07T10:00:00.000Z)');
  });

  it('lists the fields an event has, the link last', () => {
    const lines = detailLines(sampleContext({ event: 'dag_success', taskId: null, tryNumber: null, state: 'success', error: null }));
    assert.deepEqual(lines.map((l) => l.split(':')[0]), ['Event', 'DAG', 'Run', 'State', 'Logical date', 'Error', 'Link']);
    assert.equal(lines[5], 'Error: (none)');
  });

  it('truncate cuts to the limit, an ellipsis included', () => {
    assert.equal(truncate('abcdef', 6), 'abcdef');
    assert.equal(truncate('abcdefg', 6), 'abcde…');
  });
});
