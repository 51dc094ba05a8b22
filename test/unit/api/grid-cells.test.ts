import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellsByRun, cellsJson, mappedCell } from '../../../src/api/grid-cells.ts';
import type { GridInstanceRecord, GridMappedStateRecord } from '../../../src/store/task-instance-reads.ts';

const t = (s: string) => new Date(`2026-01-01T00:00:${s}.000Z`);

const group = (state: GridMappedStateRecord['state'], count: number, more: Partial<GridMappedStateRecord> = {}): GridMappedStateRecord => ({
  runId: 'r1',
  taskId: 'load',
  state,
  count,
  tryNumber: 1,
  maxTries: 1,
  startDate: null,
  endDate: null,
  triggerRule: 'all_success',
  ...more,
});

describe('mappedCell', () => {
  it('sums up finished instances: the most pressing state, earliest start to latest end, the highest try', () => {
    const cell = mappedCell([
      group('success', 8, { startDate: t('01'), endDate: t('09'), tryNumber: 1, maxTries: 3 }),
      group('failed', 2, { startDate: t('03'), endDate: t('12'), tryNumber: 3, maxTries: 3 }),
    ]);
    assert.deepEqual(cell, {
      state: 'failed',
      tryNumber: 3,
      maxTries: 3,
      startDate: '2026-01-01T00:00:01.000Z',
      endDate: '2026-01-01T00:00:12.000Z',
      durationMs: 11_000,
      mapped: { count: 10, states: { success: 8, failed: 2 } },
    });
  });

  it('has no end nor duration while one instance is unfinished, even if others ended later', () => {
    const cell = mappedCell([
      group('success', 3, { startDate: t('01'), endDate: t('20') }),
      group('up_for_retry', 1, { startDate: t('02'), endDate: t('05'), tryNumber: 2, maxTries: 2 }),
    ]);
    assert.equal(cell.state, 'up_for_retry');
    assert.equal(cell.endDate, null);
    assert.equal(cell.durationMs, null);
    assert.equal(cell.startDate, '2026-01-01T00:00:01.000Z');
    assert.deepEqual(cell.mapped, { count: 4, states: { success: 3, up_for_retry: 1 } });
  });

  it('has no start while no instance has started', () => {
    const cell = mappedCell([group('none', 5), group('scheduled', 2)]);
    assert.equal(cell.state, 'scheduled');
    assert.equal(cell.startDate, null);
    assert.equal(cell.tryNumber, 1);
  });
});

describe('cellsByRun', () => {
  const plain = (runId: string, taskId: string, state: GridInstanceRecord['state']): GridInstanceRecord => ({
    runId,
    taskId,
    mapIndex: -1,
    state,
    tryNumber: 1,
    maxTries: 1,
    startDate: t('01'),
    endDate: t('02'),
    durationMs: 1000,
    triggerRule: 'all_success',
  });

  it('keeps unmapped cells as they were (no mapped key), one summary cell per mapped task and run, every run listed', () => {
    const byRun = cellsByRun(
      ['r1', 'r2', 'r3'],
      [plain('r1', 'source', 'success'), plain('r2', 'source', 'success'), plain('r2', 'load', 'upstream_failed')],
      [group('success', 2), group('running', 1), group('success', 4, { runId: 'r9' })],
    );
    assert.deepEqual([...byRun.keys()], ['r1', 'r2', 'r3']);
    const json = cellsJson(byRun);
    assert.deepEqual(Object.keys(json.r1!).sort(), ['load', 'source']);
    assert.ok(!('mapped' in json.r1!.source!));
    assert.equal(json.r1!.load!.state, 'running');
    assert.deepEqual(json.r1!.load!.mapped, { count: 3, states: { success: 2, running: 1 } });
    // Not expanded in that run: the task's one row, map index -1, as an ordinary cell.
    assert.deepEqual(json.r2!.load, { state: 'upstream_failed', tryNumber: 1, maxTries: 1, startDate: '2026-01-01T00:00:01.000Z', endDate: '2026-01-01T00:00:02.000Z', durationMs: 1000 });
    assert.deepEqual(json.r3, {});
  });

  it('cannot be tricked by a task id like __proto__', () => {
    const json = cellsJson(cellsByRun(['r1'], [plain('r1', '__proto__', 'failed')], []));
    assert.equal(Object.getPrototypeOf(json.r1), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(json.r1, '__proto__')?.value.state, 'failed');
  });
});
