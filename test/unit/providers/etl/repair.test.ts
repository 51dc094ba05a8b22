import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INVALID_DATE_TEXT } from '../../../../src/providers/etl/flatten.ts';
import { coercerFor, noRepairs, Rejection, type WarehouseColumn } from '../../../../src/providers/etl/repair.ts';
import { column } from '../../../support/warehouse-column.ts';

describe('repairs and rejects', () => {
  const coerce = (col: WarehouseColumn, value: Parameters<ReturnType<typeof coercerFor>>[0]) => {
    const repairs = noRepairs();
    return { value: coercerFor(col)(value, repairs), repairs };
  };

  test('impossible dates become NULL and are counted; real ones pass', () => {
    const ts = column('placed_at', 'timestamp with time zone');
    const bads = ['2026-02-30T10:00:00Z', '2026-13-01', '0000-00-00', INVALID_DATE_TEXT, '2026-02-29', 'yesterday', true];
    // The form extract writes (toISOString), checked on a fast path of its own.
    bads.push('2026-02-29T10:00:00.000Z', '1900-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-11-23T24:00:00.000Z', '2026-11-23T10:60:00.000Z', '2026-11-23T10:00:00.000+', '2026-11-2xT10:00:00.000Z');
    for (const bad of bads) {
      assert.deepEqual(coerce(ts, bad), { value: null, repairs: { invalidDate: 1, truncated: 0, invalidUtf8: 0 } }, String(bad));
    }
    assert.equal(coerce(ts, '2028-02-29T23:59:59.123+01:00').value, '2028-02-29T23:59:59.123+01:00');
    for (const good of ['2000-02-29T00:00:00.000Z', '2028-02-29T23:59:59.999Z', '2026-12-31T23:59:59.000Z', '0001-01-01T00:00:00.000Z']) {
      assert.deepEqual(coerce(ts, good), { value: good, repairs: { invalidDate: 0, truncated: 0, invalidUtf8: 0 } }, good);
    }
    assert.equal(coerce(ts, Date.UTC(2026, 0, 2)).value, '2026-01-02T00:00:00.000Z');
    assert.equal(coerce(column('d', 'date'), '2026-11-23T10:00:00Z').value, '2026-11-23');
  });

  test('over-long strings are cut to the width in characters, never inside a surrogate pair', () => {
    const name = column('name', 'character varying', { maxLength: 3 });
    assert.deepEqual(coerce(name, 'abcdef'), { value: 'abc', repairs: { invalidDate: 0, truncated: 1, invalidUtf8: 0 } });
    assert.deepEqual(coerce(name, '😀😀😀😀').value, '😀😀😀');
    assert.deepEqual(coerce(name, '😀😀😀').repairs.truncated, 0, 'six UTF-16 units but three characters fit');
    assert.equal(coerce(name, 12).value, '12');
  });

  test('text that is not valid Unicode is replaced and counted', () => {
    const text = column('t', 'text');
    assert.deepEqual(coerce(text, 'a\uD800b'), { value: 'a\uFFFDb', repairs: { invalidDate: 0, truncated: 0, invalidUtf8: 1 } });
    assert.equal(coerce(text, 'nul\0byte').value, 'nul\uFFFDbyte');
    assert.equal(coerce(text, 'decoded \uFFFD').repairs.invalidUtf8, 1);
    assert.equal(coerce(text, 'fine ✓').repairs.invalidUtf8, 0);
  });

  test('values that cannot be repaired are rejected with a reason', () => {
    const points = column('loyalty_points', 'integer');
    assert.throws(() => coerce(points, 'n/a'), (e: Error) => e instanceof Rejection && /column loyalty_points \(integer\) cannot hold "n\/a"/.test(e.message));
    assert.throws(() => coerce(points, 2 ** 31), /out of range/);
    assert.throws(() => coerce(points, '2147483648'), /out of range/);
    assert.equal(coerce(points, 2 ** 31 - 1).value, '2147483647');
    assert.equal(coerce(points, -(2 ** 31)).value, '-2147483648');
    assert.throws(() => coerce(column('n', 'smallint'), 32768), /out of range/);
    assert.equal(coerce(column('n', 'bigint'), 2 ** 60).value, '1152921504606846976');
    assert.throws(() => coerce(points, 1.5), /not a whole number/);
    assert.equal(coerce(points, ' 42 ').value, '42');
    assert.throws(() => coerce(column('price', 'numeric', { numericPrecision: 5, numericScale: 2 }), 1234.5), /more than 3 digits/);
    assert.equal(coerce(column('price', 'numeric', { numericPrecision: 5, numericScale: 2 }), '999.99').value, '999.99');
    assert.throws(() => coerce(column('ok', 'boolean'), 'maybe'), /not true or false/);
    assert.equal(coerce(column('ok', 'boolean'), 'yes').value, 't');
    assert.throws(() => coerce(column('source_id', 'text', { nullable: false }), null), /requires a value/);
    assert.equal(coerce(column('j', 'jsonb'), ['a', 1]).value, '["a",1]');
  });
});
