/**
 * The readers of a ranged extract merged into one result: the same schema, widths, collisions and
 * row counts as one reader of all the documents, with every range's parts in range order.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeRanges } from '../../../../src/providers/etl/extract-merge.ts';
import type { RangeExtract } from '../../../../src/providers/etl/extract-range.ts';
import { DocumentFlattener } from '../../../../src/providers/etl/flatten.ts';
import type { PartInfo } from '../../../../src/providers/etl/manifest.ts';

const documents = [
  { _id: 'a', name: 'Ann', qty: 1, items: [{ sku: 'x', n: 1 }], address: { city: 'Berlin' } },
  { _id: 'b', name: 'Bo', qty: 1.5, items: [], address_city: 'clash', address: { city: 'Rome' } },
  { _id: 'c', name: null, qty: 'many', items: [{ sku: 'longer sku', n: 2.5 }, 3], when: new Date(0) },
  { _id: 'd', name: 'Dora the longest name', tags: ['t'] },
];

const part = (key: string, rows: number): PartInfo => ({ key, rows, bytes: 1, sha256: key });

/** What one reader of `docs` reports (its parts stand in: one per table that got rows). */
function readerOf(docs: readonly Record<string, unknown>[], range: number): RangeExtract {
  const flattener = new DocumentFlattener({ table: 'orders' });
  const rows = new Map<string, number>();
  for (const doc of docs) flattener.flatten(doc, (table) => rows.set(table, (rows.get(table) ?? 0) + 1));
  return {
    documents: docs.length,
    decoded: range,
    seconds: 1,
    observed: flattener.observed(),
    widths: flattener.observedWidths(),
    written: [...rows].map(([table, n]) => ({ table, parts: [part(`${table}/r${range}`, n)], rows: n })),
    collisions: [...flattener.collisions].sort(),
  };
}

describe('ranged extract: merging the readers', () => {
  test('kinds, widths, collisions and rows as one reader of every document observes them; parts in range order', () => {
    const whole = readerOf(documents, 0);
    const merged = mergeRanges('orders', [readerOf(documents.slice(0, 1), 1), readerOf(documents.slice(1, 3), 2), readerOf(documents.slice(3), 3)]);
    assert.equal(merged.documents, 4);
    assert.equal(merged.decoded, 6);
    assert.deepEqual(merged.collisions, whole.collisions);
    assert.ok(merged.collisions.length > 0, 'the documents collide');
    for (const { table, rows } of whole.written) {
      assert.deepEqual(merged.tables[table]!.columns, whole.observed[table], `${table} columns`);
      assert.deepEqual(merged.tables[table]!.widths, whole.widths[table] ?? {}, `${table} widths`);
      assert.equal(merged.tables[table]!.rows, rows, `${table} rows`);
    }
    assert.deepEqual(Object.keys(merged.tables), ['orders', 'orders_items', 'orders_tags']);
    assert.deepEqual(merged.tables.orders!.parts.map((p) => p.key), ['orders/r1', 'orders/r2', 'orders/r3']);
    assert.deepEqual(merged.tables.orders_items!.parts.map((p) => p.key), ['orders_items/r1', 'orders_items/r2']);
  });

  test('a window with no documents still has its parent table', () => {
    const merged = mergeRanges('orders', [readerOf([], 1), readerOf([], 2)]);
    assert.deepEqual(merged.tables, { orders: { columns: {}, widths: {}, parts: [], rows: 0 } });
    assert.equal(merged.documents, 0);
  });
});
