import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId, Long, Decimal128, Int32 } from 'mongodb';
import { DocumentFlattener, INVALID_DATE_TEXT, type FlatRow } from '../../../../src/providers/etl/flatten.ts';

function flattenAll(doc: Record<string, unknown>, table = 'orders') {
  const flattener = new DocumentFlattener({ table });
  const rows: [string, FlatRow][] = [];
  flattener.flatten(doc, (t, row) => rows.push([t, row]));
  return { rows, flattener };
}
describe('flatten', () => {
  test('nested objects become columns, arrays child rows keyed to the parent', () => {
    const id = new ObjectId('65a1b2c3d4e5f60718293a4b');
    const { rows, flattener } = flattenAll({
      _id: id,
      status: 'paid',
      total: 12.5,
      count: new Int32(3),
      big: Long.fromString('9007199254740993'),
      price: Decimal128.fromString('19.99'),
      placedAt: new Date('2026-11-01T10:00:00Z'),
      broken: new Date(Number.NaN),
      shipping: { address: { city: 'Lyon', zipcode: 69001 } },
      items: [{ sku: 'A', qty: 1, tags: ['x', 'y'] }, { sku: 'B', qty: 2 }],
      notes: undefined,
      missing: null,
    });
    assert.deepEqual(rows[0], ['orders', {
      source_id: '65a1b2c3d4e5f60718293a4b', status: 'paid', total: 12.5, count: 3, big: '9007199254740993', price: '19.99',
      placed_at: '2026-11-01T10:00:00.000Z', broken: INVALID_DATE_TEXT, shipping_address_city: 'Lyon', shipping_address_zipcode: 69001, missing: null,
    }]);
    assert.deepEqual(rows.slice(1), [
      ['orders_items', { parent_source_id: '65a1b2c3d4e5f60718293a4b', idx: 0, sku: 'A', qty: 1, tags: ['x', 'y'] }],
      ['orders_items', { parent_source_id: '65a1b2c3d4e5f60718293a4b', idx: 1, sku: 'B', qty: 2 }],
    ]);
    const observed = flattener.observed();
    assert.deepEqual(observed.orders!.placed_at, ['date']);
    assert.deepEqual(observed.orders!.shipping_address_zipcode, ['integer']);
    assert.deepEqual(observed.orders_items!.tags, ['json']);
    // The longest string of each column, for widening varchar columns.
    const widths = flattener.observedWidths();
    assert.equal(widths.orders!.status, 4);
    assert.equal(widths.orders!.placed_at, 24);
    assert.equal(widths.orders!.total, undefined, 'numbers have no width');
    assert.deepEqual(widths.orders_items, { sku: 1 });
  });

  test('arrays of scalars go to a value column; kinds of one field accumulate', () => {
    const flattener = new DocumentFlattener({ table: 'customers' });
    const rows: [string, FlatRow][] = [];
    flattener.flatten({ _id: 1, tags: ['vip'], zip: 2134 }, (t, r) => rows.push([t, r]));
    flattener.flatten({ _id: 2, tags: [], zip: 'SW1A 1AA' }, (t, r) => rows.push([t, r]));
    assert.deepEqual(rows, [
      ['customers', { source_id: '1', zip: 2134 }],
      ['customers_tags', { parent_source_id: '1', idx: 0, value: 'vip' }],
      ['customers', { source_id: '2', zip: 'SW1A 1AA' }],
    ]);
    assert.deepEqual(flattener.observed().customers!.zip, ['integer', 'string']);
  });

  test('two fields that map to one column: the first wins and the collision is reported', () => {
    const { rows, flattener } = flattenAll({ _id: 'a', address_city: 'X', address: { city: 'Y' } }, 't');
    assert.equal(rows[0]![1].address_city, 'X');
    assert.deepEqual([...flattener.collisions], ['t.address_city']);
  });
});
