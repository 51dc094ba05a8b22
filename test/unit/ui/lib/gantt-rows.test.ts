import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ganttExtent, ganttRows, instanceSegments, nextBar, type GanttRow, type InstanceInput, type TryInput } from '../../../../ui/src/lib/gantt-rows.ts';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const at = (s: number) => Date.UTC(2026, 0, 1, 0, 0, s);

const ti = (taskId: string, state: string, extra: Partial<InstanceInput> = {}): InstanceInput => ({ taskId, mapIndex: -1, state, tryNumber: 1, queuedAt: null, ...extra });
const tr = (taskId: string, tryNumber: number, state: string, start: number, end: number | null, mapIndex = -1): TryInput => ({
  taskId, mapIndex, tryNumber, state, startDate: t(start), endDate: end === null ? null : t(end),
});

/** A row as "  name state [try:state from-to …]", indented by depth. */
function show(rows: GanttRow[]): string[] {
  const seg = (r: GanttRow) => r.segments.map((s) => `${s.tryNumber}:${s.state} ${s.start === null ? '-' : (s.start - at(0)) / 1000}-${s.end === null ? '…' : (s.end - at(0)) / 1000}`);
  const mark = (r: GanttRow) => (r.kind === 'group' ? (r.folded ? '▸ ' : '▾ ') : r.kind === 'mapped' ? (r.expanded ? '▾ ' : '▸ ') : '');
  return rows.map((r) => `${'  '.repeat(r.depth)}${mark(r)}${r.name} ${r.state} [${seg(r).join(', ')}]`);
}

describe('instanceSegments', () => {
  it('is a segment per try, the latest led by its time in the queue', () => {
    const segments = instanceSegments(ti('load', 'success', { tryNumber: 2, queuedAt: t(9) }), [tr('load', 1, 'failed', 1, 3), tr('load', 2, 'success', 10, 14)]);
    assert.deepEqual(segments, [
      { tryNumber: 1, state: 'failed', queued: null, start: at(1), end: at(3) },
      { tryNumber: 2, state: 'success', queued: at(9), start: at(10), end: at(14) },
    ]);
  });

  it('adds a queued try that has not started, and keeps no queued time that came after its start', () => {
    assert.deepEqual(instanceSegments(ti('load', 'queued', { tryNumber: 2, queuedAt: t(5) }), [tr('load', 1, 'failed', 1, 3)]).at(-1), {
      tryNumber: 2, state: 'queued', queued: at(5), start: null, end: null,
    });
    // Handed back by a stopping worker and queued again: the start is older than the queued time.
    assert.equal(instanceSegments(ti('load', 'running', { queuedAt: t(8) }), [tr('load', 1, 'running', 4, null)])[0]!.queued, null);
  });
});

describe('ganttRows', () => {
  const tasks = [
    { taskId: 'extract', group: null },
    { taskId: 'clean.a', group: 'clean' },
    { taskId: 'clean.b', group: 'clean' },
    { taskId: 'parts', group: null },
  ];
  const instances = [
    ti('extract', 'success', { tryNumber: 2 }),
    ti('clean.a', 'success'),
    ti('clean.b', 'running'),
    { ...ti('parts', 'success'), mapIndex: 0 },
    { ...ti('parts', 'failed'), mapIndex: 1 },
    ti('removed_task', 'skipped'),
  ];
  const tries = [
    tr('extract', 1, 'failed', 0, 2),
    tr('extract', 2, 'success', 4, 6),
    tr('clean.a', 1, 'success', 6, 8),
    tr('clean.b', 1, 'running', 6, null),
    tr('parts', 1, 'success', 7, 9, 0),
    tr('parts', 1, 'failed', 7, 12, 1),
  ];

  it("gives a row per task in the DAG's order, groups as header rows, a mapped task summed up, and tasks only the run has last", () => {
    assert.deepEqual(show(ganttRows(tasks, instances, tries, new Set(), new Set())), [
      'extract success [1:failed 0-2, 2:success 4-6]',
      '▾ clean running [1:running 6-…]',
      '  a success [1:success 6-8]',
      '  b running [1:running 6-…]',
      '▸ parts failed [1:failed 7-12]',
      'removed_task skipped []',
    ]);
  });

  it('folds a group into its header row and expands a mapped task into a row per instance', () => {
    assert.deepEqual(show(ganttRows(tasks, instances, tries, new Set(['clean']), new Set(['parts']))), [
      'extract success [1:failed 0-2, 2:success 4-6]',
      '▸ clean running [1:running 6-…]',
      '▾ parts failed [1:failed 7-12]',
      '  [0] success [1:success 7-9]',
      '  [1] failed [1:failed 7-12]',
      'removed_task skipped []',
    ]);
  });

  it('leaves out the tasks the run does not have', () => {
    assert.deepEqual(show(ganttRows(tasks, [ti('extract', 'none')], [], new Set(), new Set())), ['extract none []']);
  });
});

describe('ganttExtent', () => {
  it('spans from the first queued or started try to the last end, open while one runs', () => {
    const rows = ganttRows([{ taskId: 'a', group: null }, { taskId: 'b', group: null }], [ti('a', 'success', { queuedAt: t(1) }), ti('b', 'success')], [tr('a', 1, 'success', 2, 5), tr('b', 1, 'success', 3, 9)], new Set(), new Set());
    assert.deepEqual(ganttExtent(rows), { start: at(1), end: at(9), open: false });
    const running = ganttRows([{ taskId: 'a', group: null }], [ti('a', 'running')], [tr('a', 1, 'running', 2, null)], new Set(), new Set());
    assert.deepEqual(ganttExtent(running), { start: at(2), end: at(2), open: true });
    assert.equal(ganttExtent(ganttRows([{ taskId: 'a', group: null }], [ti('a', 'none')], [], new Set(), new Set())), null);
  });
});

describe('nextBar', () => {
  const rows = ganttRows(
    [{ taskId: 'a', group: null }, { taskId: 'b', group: null }, { taskId: 'c', group: null }],
    [ti('a', 'success', { tryNumber: 2 }), ti('b', 'none'), ti('c', 'success')],
    [tr('a', 1, 'failed', 0, 1), tr('a', 2, 'success', 2, 3), tr('c', 1, 'success', 4, 5)],
    new Set(),
    new Set(),
  );

  it('moves along a row with left and right, and up and down over rows without bars', () => {
    assert.deepEqual(nextBar(rows, 0, 0, 'ArrowRight'), { row: 0, seg: 1 });
    assert.equal(nextBar(rows, 0, 1, 'ArrowRight'), null);
    assert.deepEqual(nextBar(rows, 0, 1, 'ArrowLeft'), { row: 0, seg: 0 });
    assert.deepEqual(nextBar(rows, 0, 1, 'ArrowDown'), { row: 2, seg: 0 }, 'b has no bar; c has one');
    assert.deepEqual(nextBar(rows, 2, 0, 'ArrowUp'), { row: 0, seg: 0 });
    assert.equal(nextBar(rows, 2, 0, 'ArrowDown'), null);
    assert.equal(nextBar(rows, 0, 0, 'Home'), null);
  });
});
