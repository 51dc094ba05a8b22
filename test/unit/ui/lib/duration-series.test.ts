import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationSeries, longestDuration, nextDot } from '../../../../ui/src/lib/duration-series.ts';
import type { TaskDuration, TaskDurationList } from '../../../../src/api/schemas/index.ts';

const run = (day: number) => ({
  dagRunId: `scheduled__2026-01-0${day}`, state: 'success' as const, runType: 'scheduled' as const,
  logicalDate: `2026-01-0${day}T00:00:00.000Z`, startDate: null, endDate: null,
});
const point = (day: number, taskId: string, tryNumber: number, state: TaskDuration['state'], durationMs: number | null, extra: Partial<TaskDuration> = {}): TaskDuration => ({
  dagRunId: `scheduled__2026-01-0${day}`, taskId, tryNumber, state,
  startDate: `2026-01-0${day}T00:00:00.000Z`, endDate: durationMs === null ? null : `2026-01-0${day}T00:00:01.000Z`, durationMs, mappedInstances: null, ...extra,
});

describe('durationSeries', () => {
  const answer: TaskDurationList = {
    dagRuns: [run(3), run(2), run(1)],
    taskDurations: [
      point(3, 'load', 1, 'running', null),
      point(2, 'load', 1, 'failed', 1000),
      point(2, 'load', 2, 'success', 4000),
      point(1, 'old_task', 1, 'success', 500),
      point(1, 'load', 1, 'success', 3000),
      point(2, 'extract', 1, 'success', 2000, { mappedInstances: 5 }),
    ],
  };

  it("places runs oldest first, orders tasks as the DAG does (others after by name), and marks each run's latest try", () => {
    const now = new Date('2026-01-03T00:00:07.000Z').getTime();
    const { runs, series } = durationSeries(answer, ['extract', 'load', 'gone'], now);
    assert.deepEqual(runs.map((r) => r.dagRunId), ['scheduled__2026-01-01', 'scheduled__2026-01-02', 'scheduled__2026-01-03']);
    assert.deepEqual(series.map((s) => s.taskId), ['extract', 'load', 'old_task']);
    const load = series[1]!.points.map((p) => [p.run, p.tryNumber, p.state, p.durationMs, p.latest, p.running]);
    assert.deepEqual(load, [
      [0, 1, 'success', 3000, true, false],
      [1, 1, 'failed', 1000, false, false],
      [1, 2, 'success', 4000, true, false],
      [2, 1, 'running', 7000, true, true], // running: until now
    ]);
    assert.equal(series[0]!.points[0]!.mappedInstances, 5);
  });

  it('gives the longest duration of the tasks shown', () => {
    const { series } = durationSeries(answer, ['extract', 'load'], new Date('2026-01-03T00:00:02.000Z').getTime());
    assert.equal(longestDuration(series, new Set()), 4000);
    assert.equal(longestDuration(series, new Set(['load'])), 2000);
    assert.equal(longestDuration(series, new Set(['load', 'extract', 'old_task'])), 0);
  });

  it('moves along a task with left and right, and to the shown task above or below at the nearest run', () => {
    const data = durationSeries(answer, ['extract', 'load'], 0);
    // Series 0 extract: one dot (run 1). Series 1 load: runs 0, 1 (try 1), 1 (try 2), 2. Series 2 old_task: run 0.
    assert.deepEqual(nextDot(data, [0, 1, 2], 1, 1, 'ArrowRight'), { series: 1, point: 2 });
    assert.deepEqual(nextDot(data, [0, 1, 2], 1, 1, 'ArrowLeft'), { series: 1, point: 0 });
    assert.equal(nextDot(data, [0, 1, 2], 1, 3, 'ArrowRight'), null, 'the last dot');
    assert.deepEqual(nextDot(data, [0, 1, 2], 1, 3, 'ArrowUp'), { series: 0, point: 0 }, "extract's one dot, the nearest");
    assert.deepEqual(nextDot(data, [0, 1, 2], 0, 0, 'ArrowDown'), { series: 1, point: 1 }, 'run 1 in load');
    assert.deepEqual(nextDot(data, [0, 2], 0, 0, 'ArrowDown'), { series: 2, point: 0 }, 'a hidden task is skipped');
    assert.equal(nextDot(data, [0, 1, 2], 0, 0, 'ArrowUp'), null);
    assert.equal(nextDot(data, [0, 1, 2], 0, 0, 'x'), null);
  });
});
