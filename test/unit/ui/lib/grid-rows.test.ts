import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gridRows, rowsSignature, type GridRow } from '../../../../ui/src/lib/grid-rows.ts';

const TASKS = [
  { taskId: 'start', group: null },
  { taskId: 'extract.orders', group: 'extract' },
  { taskId: 'audit', group: null },
  { taskId: 'extract.mongo.users', group: 'extract.mongo' },
  { taskId: 'extract.items', group: 'extract' },
  { taskId: 'load', group: null },
];

/** A row as "  name" indented by depth, a group marked ▾ (open) or ▸ (folded) with its task count. */
function show(rows: GridRow[]): string[] {
  return rows.map((row) => '  '.repeat(row.depth) + (row.kind === 'task' ? row.name : `${row.folded ? '▸' : '▾'} ${row.name} (${row.taskIds.length})`));
}

describe('gridRows', () => {
  it('puts a group where its first task comes, with all its members under it, indented', () => {
    assert.deepEqual(show(gridRows(TASKS, new Set())), [
      'start',
      '▾ extract (3)',
      '  orders',
      '  ▾ mongo (1)',
      '    users',
      '  items',
      'audit',
      'load',
    ]);
  });

  it('folds a group into its header row, which keeps all its tasks for its cells', () => {
    const rows = gridRows(TASKS, new Set(['extract']));
    assert.deepEqual(show(rows), ['start', '▸ extract (3)', 'audit', 'load']);
    const header = rows[1];
    assert.ok(header?.kind === 'group');
    assert.deepEqual(header.taskIds, ['extract.orders', 'extract.mongo.users', 'extract.items']);
  });

  it('folds a subgroup alone, and hides it with its folded parent', () => {
    assert.deepEqual(show(gridRows(TASKS, new Set(['extract.mongo']))), ['start', '▾ extract (3)', '  orders', '  ▸ mongo (1)', '  items', 'audit', 'load']);
    assert.deepEqual(show(gridRows(TASKS, new Set(['extract.mongo', 'extract']))), ['start', '▸ extract (3)', 'audit', 'load']);
  });

  it('leaves a DAG without groups as it is, and ignores folds of groups it does not have', () => {
    const plain = [
      { taskId: 'a', group: null },
      { taskId: 'v1.b', group: null },
    ];
    assert.deepEqual(gridRows(plain, new Set(['gone'])), [
      { kind: 'task', taskId: 'a', depth: 0, name: 'a' },
      { kind: 'task', taskId: 'v1.b', depth: 0, name: 'v1.b' },
    ]);
  });

  it('signs rows by what they show: a fold or a moved task changes it', () => {
    const open = rowsSignature(gridRows(TASKS, new Set()));
    assert.equal(rowsSignature(gridRows(TASKS, new Set())), open);
    assert.notEqual(rowsSignature(gridRows(TASKS, new Set(['extract.mongo']))), open);
    const folded = rowsSignature(gridRows(TASKS, new Set(['extract'])));
    const moved = TASKS.map((t) => (t.taskId === 'extract.items' ? { taskId: 'extract.things', group: 'extract' } : t));
    assert.notEqual(rowsSignature(gridRows(moved, new Set(['extract']))), folded);
  });
});
