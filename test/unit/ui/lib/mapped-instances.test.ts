import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorSnippet, pageOf, readView, sortedRows, type InstanceRow } from '../../../../ui/src/lib/mapped-instances.ts';

const row = (mapIndex: number, state: string, more: Partial<InstanceRow> = {}): InstanceRow => ({
  mapIndex,
  state,
  tryNumber: 1,
  startDate: null,
  endDate: null,
  durationMs: null,
  error: null,
  ...more,
});

describe('the table of mapped instances', () => {
  const rows = [
    row(0, 'success', { startDate: '2026-01-01T00:00:03Z', durationMs: 500, tryNumber: 1 }),
    row(1, 'failed', { startDate: '2026-01-01T00:00:01Z', durationMs: 2000, tryNumber: 3 }),
    row(2, 'none'),
    row(3, 'running', { startDate: '2026-01-01T00:00:02Z', tryNumber: 2 }),
    row(4, 'failed', { startDate: '2026-01-01T00:00:04Z', durationMs: 100, tryNumber: 1 }),
  ];
  const order = (view: Parameters<typeof sortedRows>[1]) => sortedRows(rows, view).map((r) => r.mapIndex);

  it('sorts by map index, either way, and filters by state', () => {
    assert.deepEqual(order({ state: null, sort: 'mapIndex', descending: false }), [0, 1, 2, 3, 4]);
    assert.deepEqual(order({ state: null, sort: 'mapIndex', descending: true }), [4, 3, 2, 1, 0]);
    assert.deepEqual(order({ state: 'failed', sort: 'mapIndex', descending: true }), [4, 1]);
    assert.deepEqual(order({ state: 'skipped', sort: 'mapIndex', descending: false }), []);
  });

  it('sorts states by what needs a look first, ties by map index', () => {
    assert.deepEqual(order({ state: null, sort: 'state', descending: false }), [1, 4, 3, 2, 0]);
  });

  it('puts what has no value (not started, not ended) last, whichever way', () => {
    assert.deepEqual(order({ state: null, sort: 'start', descending: false }), [1, 3, 0, 4, 2]);
    assert.deepEqual(order({ state: null, sort: 'start', descending: true }), [4, 0, 3, 1, 2]);
    assert.deepEqual(order({ state: null, sort: 'duration', descending: true }), [1, 0, 4, 2, 3]);
    assert.deepEqual(order({ state: null, sort: 'tries', descending: true }), [1, 3, 0, 2, 4]);
  });

  it('does not change the rows it is given', () => {
    const before = rows.map((r) => r.mapIndex);
    sortedRows(rows, { state: null, sort: 'mapIndex', descending: true });
    assert.deepEqual(rows.map((r) => r.mapIndex), before);
  });

  it('sorts 10,000 rows fast enough to do on every poll', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => row(i, ['success', 'failed', 'running'][i % 3]!, { durationMs: (i * 7919) % 10_000 }));
    const t0 = performance.now();
    const sorted = sortedRows(many, { state: null, sort: 'duration', descending: true });
    const elapsed = performance.now() - t0;
    assert.equal(sorted.length, 10_000);
    assert.ok(sorted.every((r, i) => i === 0 || sorted[i - 1]!.durationMs! >= r.durationMs!));
    assert.ok(elapsed < 200, `${elapsed.toFixed(0)} ms`);
  });

  it('pages: the page asked for kept within the pages there are', () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    assert.deepEqual(pageOf(items, 0), { rows: items.slice(0, 100), page: 0, pages: 3, first: 0 });
    assert.deepEqual(pageOf(items, 2).rows, items.slice(200));
    assert.equal(pageOf(items, 7).page, 2, 'past the end: the last page');
    assert.equal(pageOf(items, -3).page, 0);
    assert.deepEqual(pageOf([], 4), { rows: [], page: 0, pages: 1, first: 0 });
  });

  it("reads the view from the address, anything unknown as the default", () => {
    assert.deepEqual(readView({ state: 'failed', sort: 'duration', desc: '1', page: '3' }), { state: 'failed', sort: 'duration', descending: true, page: 2 });
    assert.deepEqual(readView({ state: null, sort: 'bogus', desc: 'yes', page: '-2' }), { state: null, sort: 'mapIndex', descending: false, page: 0 });
    assert.deepEqual(readView({ state: '', sort: null, desc: null, page: '1.5' }), { state: null, sort: 'mapIndex', descending: false, page: 0 });
  });

  it("cuts an error to its first line, at most so long", () => {
    assert.equal(errorSnippet(null), '');
    assert.equal(errorSnippet('  boom\n    at x.ts:1'), 'boom');
    assert.equal(errorSnippet('x'.repeat(200), 10), `${'x'.repeat(9)}…`);
  });
});
