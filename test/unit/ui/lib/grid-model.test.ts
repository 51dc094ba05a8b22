import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BAR_MAX_PX, BAR_MIN_PX, cellSignature, moveInGrid, cellsSignature, runBarHeights } from '../../../../ui/src/lib/grid-model.ts';

describe('runBarHeights', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const run = (startSecondsAgo: number | null, endSecondsAgo: number | null = null) => ({
    startDate: startSecondsAgo === null ? null : new Date(now - startSecondsAgo * 1000).toISOString(),
    endDate: endSecondsAgo === null ? null : new Date(now - endSecondsAgo * 1000).toISOString(),
  });

  it('is proportional to duration, the longest run getting the maximum', () => {
    // 100 s, 50 s, 25 s, 0 s.
    assert.deepEqual(runBarHeights([run(1000, 900), run(800, 750), run(700, 675), run(600, 600)], now), [BAR_MAX_PX, 22, 13, BAR_MIN_PX]);
    assert.deepEqual([BAR_MIN_PX, BAR_MAX_PX], [4, 40]);
  });

  it('rounds to whole pixels', () => {
    // 30 s and 10 s: 4 + 36 / 3 = 16; 20 s: 4 + 24 = 28.
    assert.deepEqual(runBarHeights([run(100, 70), run(60, 50), run(40, 20)], now), [40, 16, 28]);
  });

  it('measures a running run to now', () => {
    // Running for 200 s, finished in 100 s.
    assert.deepEqual(runBarHeights([run(200), run(500, 400)], now), [40, 22]);
    assert.deepEqual(runBarHeights([run(200), run(500, 400)], now + 200_000), [40, 13]);
  });

  it('gives the minimum to a run that has not started', () => {
    assert.deepEqual(runBarHeights([run(null), run(100, 0)], now), [BAR_MIN_PX, BAR_MAX_PX]);
    assert.deepEqual(runBarHeights([run(null, 5), run(100, 0)], now), [BAR_MIN_PX, BAR_MAX_PX]);
  });

  it('gives every bar the minimum when nothing has taken any time', () => {
    assert.deepEqual(runBarHeights([run(null), run(null)], now), [BAR_MIN_PX, BAR_MIN_PX]);
    assert.deepEqual(runBarHeights([run(10, 10), run(null)], now), [BAR_MIN_PX, BAR_MIN_PX]);
    assert.deepEqual(runBarHeights([], now), []);
  });

  it('counts a run that ends before it starts (clock skew) as no time', () => {
    assert.deepEqual(runBarHeights([run(10, 20), run(100, 0)], now), [BAR_MIN_PX, BAR_MAX_PX]);
    assert.deepEqual(runBarHeights([run(-30)], now), [BAR_MIN_PX]);
  });
});

describe('moveInGrid', () => {
  const mid = { row: 5, col: 5 };

  it('moves one cell with the arrow keys', () => {
    assert.deepEqual(moveInGrid(mid, 'ArrowUp', 20, 10), { row: 4, col: 5 });
    assert.deepEqual(moveInGrid(mid, 'ArrowDown', 20, 10), { row: 6, col: 5 });
    assert.deepEqual(moveInGrid(mid, 'ArrowLeft', 20, 10), { row: 5, col: 4 });
    assert.deepEqual(moveInGrid(mid, 'ArrowRight', 20, 10), { row: 5, col: 6 });
  });

  it('goes to the first and last column of the row with Home and End', () => {
    assert.deepEqual(moveInGrid(mid, 'Home', 20, 10), { row: 5, col: 0 });
    assert.deepEqual(moveInGrid(mid, 'End', 20, 10), { row: 5, col: 9 });
  });

  it('moves ten rows with PageUp and PageDown', () => {
    assert.deepEqual(moveInGrid({ row: 15, col: 2 }, 'PageUp', 30, 10), { row: 5, col: 2 });
    assert.deepEqual(moveInGrid({ row: 5, col: 2 }, 'PageDown', 30, 10), { row: 15, col: 2 });
  });

  it('stops at the edges', () => {
    assert.deepEqual(moveInGrid({ row: 0, col: 3 }, 'ArrowUp', 20, 10), { row: 0, col: 3 });
    assert.deepEqual(moveInGrid({ row: 19, col: 3 }, 'ArrowDown', 20, 10), { row: 19, col: 3 });
    assert.deepEqual(moveInGrid({ row: 3, col: 0 }, 'ArrowLeft', 20, 10), { row: 3, col: 0 });
    assert.deepEqual(moveInGrid({ row: 3, col: 9 }, 'ArrowRight', 20, 10), { row: 3, col: 9 });
    assert.deepEqual(moveInGrid({ row: 4, col: 3 }, 'PageUp', 20, 10), { row: 0, col: 3 });
    assert.deepEqual(moveInGrid({ row: 14, col: 3 }, 'PageDown', 20, 10), { row: 19, col: 3 });
  });

  it('stays put in a one-cell grid', () => {
    const origin = { row: 0, col: 0 };
    for (const key of ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']) {
      assert.deepEqual(moveInGrid(origin, key, 1, 1), origin, key);
    }
  });

  it('ignores other keys', () => {
    for (const key of ['Enter', ' ', 'Tab', 'a', 'j', 'Escape', 'arrowup', 'Up']) assert.equal(moveInGrid(mid, key, 20, 10), null, key);
  });

  it('does nothing in an empty grid', () => {
    for (const key of ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']) {
      assert.equal(moveInGrid({ row: 0, col: 0 }, key, 0, 10), null, key);
      assert.equal(moveInGrid({ row: 0, col: 0 }, key, 10, 0), null, key);
      assert.equal(moveInGrid({ row: 0, col: 0 }, key, 0, 0), null, key);
    }
  });
});

describe('cellsSignature and cellSignature', () => {
  type Cell = { state: string; tryNumber: number; maxTries: number; durationMs: number | null } | undefined;
  const row = (): Cell[] => [
    { state: 'success', tryNumber: 1, maxTries: 3, durationMs: 1200 },
    undefined,
    { state: 'running', tryNumber: 2, maxTries: 3, durationMs: null },
  ];

  it('is the same for the same content in new objects', () => {
    assert.equal(cellsSignature(row()), cellsSignature(row()));
  });

  it("changes when any cell's state, try or duration changes", () => {
    const base = cellsSignature(row());
    const changes: [string, (cells: Cell[]) => void][] = [
      ['state', (c) => (c[0] = { state: 'failed', tryNumber: 1, maxTries: 3, durationMs: 1200 })],
      ['try', (c) => (c[0] = { state: 'success', tryNumber: 2, maxTries: 3, durationMs: 1200 })],
      ['duration', (c) => (c[0] = { state: 'success', tryNumber: 1, maxTries: 3, durationMs: 1201 })],
      ['last cell state', (c) => (c[2] = { state: 'success', tryNumber: 2, maxTries: 3, durationMs: null })],
      ['last cell try', (c) => (c[2] = { state: 'running', tryNumber: 3, maxTries: 3, durationMs: null })],
      ['duration appears', (c) => (c[2] = { state: 'running', tryNumber: 2, maxTries: 3, durationMs: 0 })],
      ['duration goes', (c) => (c[0] = { state: 'success', tryNumber: 1, maxTries: 3, durationMs: null })],
      ['max tries (a clear grants retries anew)', (c) => (c[0] = { state: 'success', tryNumber: 1, maxTries: 4, durationMs: 1200 })],
      ['cell appears', (c) => (c[1] = { state: 'none', tryNumber: 0, maxTries: 3, durationMs: null })],
      ['cell goes', (c) => (c[0] = undefined)],
      ['cell added', (c) => c.push(undefined)],
      ['cell removed', (c) => c.pop()],
      ['cells swapped', (c) => c.reverse()],
    ];
    for (const [what, change] of changes) {
      const cells = row();
      change(cells);
      assert.notEqual(cellsSignature(cells), base, what);
    }
  });

  it('a cell signature changes exactly when the row signature would', () => {
    const cell = { state: 'success', tryNumber: 1, maxTries: 3, durationMs: 5 };
    assert.equal(cellSignature({ ...cell }), cellSignature(cell));
    assert.notEqual(cellSignature({ ...cell, state: 'failed' }), cellSignature(cell));
    assert.notEqual(cellSignature(undefined), cellSignature({ ...cell, state: 'none', tryNumber: 0, durationMs: null }));
    assert.equal(cellsSignature([cell, undefined]), `${cellSignature(cell)}|${cellSignature(undefined)}`);
  });

  it('tells an empty row from a row of one missing cell', () => {
    assert.notEqual(cellsSignature([]), cellsSignature([undefined]));
  });
});

describe('cellSignature of a mapped task', () => {
  it('changes when its counts change under the same state, so its column is drawn again', () => {
    const cell = (states: Record<string, number>) => ({ state: 'running', tryNumber: 1, maxTries: 1, durationMs: null, mapped: { count: 10, states } });
    assert.notEqual(cellSignature(cell({ running: 5, success: 5 })), cellSignature(cell({ running: 4, success: 6 })));
    assert.equal(cellSignature(cell({ running: 5, success: 5 })), cellSignature(cell({ running: 5, success: 5 })));
    assert.equal(cellSignature({ state: 'success', tryNumber: 1, maxTries: 1, durationMs: 5 }), 'success.1.1.5', 'an unmapped cell as before');
  });
});
