import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALLOWED_TRANSITIONS,
  DAG_RUN_STATES,
  FINISHED_TASK_STATES,
  RUN_TYPES,
  TASK_STATES,
  UNFINISHED_TASK_STATES,
  SQL_STATE_LISTS,
  isAllowedTransition,
  isFinished,
  makeRunId,
  runOutcome,
  sqlList,
} from '../../../src/core/states.ts';

describe('states', () => {
  it('has the exact strings of the contract', () => {
    assert.deepEqual(DAG_RUN_STATES, ['queued', 'running', 'success', 'failed']);
    assert.deepEqual(TASK_STATES, ['none', 'scheduled', 'queued', 'running', 'success', 'failed', 'up_for_retry', 'up_for_reschedule', 'upstream_failed', 'skipped']);
    assert.deepEqual(RUN_TYPES, ['scheduled', 'manual', 'backfill', 'asset_triggered']);
  });

  it('splits task states into finished and unfinished', () => {
    assert.deepEqual([...FINISHED_TASK_STATES].sort(), ['failed', 'skipped', 'success', 'upstream_failed']);
    assert.deepEqual([...UNFINISHED_TASK_STATES].sort(), ['none', 'queued', 'running', 'scheduled', 'up_for_reschedule', 'up_for_retry']);
    for (const s of TASK_STATES) assert.equal(isFinished(s), (FINISHED_TASK_STATES as readonly string[]).includes(s), s);
  });

  it('makes run ids <runType>__<logicalDate ISO>', () => {
    assert.equal(makeRunId('scheduled', new Date('2026-01-01T00:00:00Z')), 'scheduled__2026-01-01T00:00:00.000Z');
    assert.equal(makeRunId('manual', new Date(Date.UTC(2026, 4, 2, 3, 4, 5, 6))), 'manual__2026-05-02T03:04:05.006Z');
  });

  it('renders a state list as SQL literals, and refuses what is not a state name', () => {
    assert.equal(sqlList(['queued', 'running']), "'queued', 'running'");
    assert.equal(sqlList(SQL_STATE_LISTS.UNFINISHED_TASK_STATES), "'none', 'scheduled', 'queued', 'running', 'up_for_retry', 'up_for_reschedule'");
    assert.throws(() => sqlList(["x'); DROP TABLE dags; --"]), /is not a state name/);
    assert.throws(() => sqlList([]), /at least one state/);
  });

  it('ends a run once every task is finished: success when every leaf succeeded or skipped', () => {
    const leaf = (state: (typeof TASK_STATES)[number]) => ({ state, isLeaf: true });
    const inner = (state: (typeof TASK_STATES)[number]) => ({ state, isLeaf: false });
    assert.equal(runOutcome([inner('success'), leaf('running')]), null);
    assert.equal(runOutcome([inner('failed'), leaf('none')]), null);
    assert.equal(runOutcome([inner('failed'), leaf('success')]), 'success', 'an inner failure a leaf got past (all_done) is not the run\'s');
    assert.equal(runOutcome([leaf('success'), leaf('skipped')]), 'success');
    assert.equal(runOutcome([leaf('success'), leaf('upstream_failed')]), 'failed');
    assert.equal(runOutcome([leaf('failed')]), 'failed');
    assert.equal(runOutcome([]), 'success');
  });

  it('lists the edges of both state machines between known states, and refuses any other', () => {
    assert.deepEqual(Object.keys(ALLOWED_TRANSITIONS.taskInstance).sort(), [...TASK_STATES].sort());
    assert.deepEqual(Object.keys(ALLOWED_TRANSITIONS.run).sort(), [...DAG_RUN_STATES].sort());
    for (const tos of Object.values(ALLOWED_TRANSITIONS.taskInstance)) for (const to of tos) assert.ok((TASK_STATES as readonly string[]).includes(to), to);
    for (const tos of Object.values(ALLOWED_TRANSITIONS.run)) for (const to of tos) assert.ok((DAG_RUN_STATES as readonly string[]).includes(to), to);
    assert.ok(isAllowedTransition('taskInstance', 'queued', 'running'));
    assert.ok(!isAllowedTransition('taskInstance', 'success', 'running'), 'a finished task runs again only through a clear');
    assert.ok(!isAllowedTransition('taskInstance', 'none', 'queued'), 'admission takes only scheduled tasks');
    assert.ok(isAllowedTransition('run', 'success', 'failed'), 'a run marked failed by hand');
    assert.ok(!isAllowedTransition('run', 'running', 'queued'), 'a run goes back to queued only once it has finished (a clear)');
    assert.ok(!isAllowedTransition('run', 'success', 'success'));
    assert.ok(!isAllowedTransition('run', 'nonsense', 'queued'));
  });

  it('lets a finished task instance change only by a mark (success, failed) or a clear (none)', () => {
    for (const s of FINISHED_TASK_STATES) {
      const expected = ['failed', 'none', 'success'].filter((to) => to !== s);
      assert.deepEqual([...ALLOWED_TRANSITIONS.taskInstance[s]].sort(), expected, s);
    }
  });
});
