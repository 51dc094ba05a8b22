import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectId, Long, Decimal128, Int32 } from 'mongodb';
import { columnName, childTableName, snakeCase } from '../../src/providers/etl/column-names.ts';
import { copyField } from '../../src/providers/etl/copy-text.ts';
import { DocumentFlattener, INVALID_DATE_TEXT, type FlatRow, type ObservedColumns } from '../../src/providers/etl/flatten.ts';
import { coercerFor, noRepairs, Rejection, type WarehouseColumn } from '../../src/providers/etl/repair.ts';
import { compareSchema, evolutionStatements, typeForKinds } from '../../src/providers/etl/schema-drift.ts';
import { planCleanup, groupByRun } from '../../src/providers/etl/cleanup-plan.ts';
import { manifestKey, partKey, runSegment, stagingTable } from '../../src/providers/etl/layout.ts';
import { windowFilter } from '../../src/providers/mongo/source.ts';
import { etlSettings } from '../../src/providers/etl/settings.ts';
import { resolveCollection } from '../../src/providers/etl/collection.ts';

const column = (name: string, dataType: string, extra: Partial<WarehouseColumn> = {}): WarehouseColumn => ({
  name, dataType, maxLength: null, numericPrecision: null, numericScale: null, nullable: true, ...extra,
});

function flattenAll(doc: Record<string, unknown>, table = 'orders') {
  const flattener = new DocumentFlattener({ table });
  const rows: [string, FlatRow][] = [];
  flattener.flatten(doc, (t, row) => rows.push([t, row]));
  return { rows, flattener };
}

describe('column names', () => {
  test('camelCase and dotted paths become snake_case columns', () => {
    assert.equal(snakeCase('weightKg'), 'weight_kg');
    assert.equal(snakeCase('HTTPStatus'), 'http_status');
    assert.equal(columnName(['address', 'zipCode']), 'address_zip_code');
    assert.equal(columnName(['2fa']), 'f_2fa');
    assert.equal(childTableName('orders', ['items']), 'orders_items');
    const long = columnName(['a'.repeat(80)]);
    assert.ok(long.length <= 63);
    assert.notEqual(long, columnName(['a'.repeat(81)]), 'shortened names stay distinct');
  });
});

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

describe('COPY text', () => {
  test('escapes what would end a field or line; NULL is \\N', () => {
    assert.equal(copyField(null), '\\N');
    assert.equal(copyField('a\tb\nc\\d\re'), 'a\\tb\\nc\\\\d\\re');
  });
});

describe('schema drift', () => {
  test('missing fields get the narrowest type; types only widen', () => {
    assert.equal(typeForKinds(['integer', 'null']), 'bigint');
    assert.equal(typeForKinds(['integer', 'number']), 'double precision');
    assert.equal(typeForKinds(['integer', 'string']), 'text');
    assert.equal(typeForKinds(['date']), 'timestamptz');
    const drift = compareSchema(
      { source_id: ['string'], coupon: ['string'], zip: ['integer', 'string'], placed_at: ['string'], qty: ['integer', 'number'] },
      [column('source_id', 'text'), column('zip', 'integer'), column('placed_at', 'timestamp with time zone'), column('qty', 'integer')],
    );
    assert.deepEqual(drift, {
      missing: [{ column: 'coupon', type: 'text' }],
      widen: [{ column: 'zip', from: 'integer', to: 'text' }, { column: 'qty', from: 'integer', to: 'numeric' }],
    });
    assert.deepEqual(evolutionStatements('"public"."orders"', drift), [
      'ALTER TABLE "public"."orders" ADD COLUMN IF NOT EXISTS "coupon" text',
      'ALTER TABLE "public"."orders" ALTER COLUMN "zip" TYPE text USING "zip"::text',
      'ALTER TABLE "public"."orders" ALTER COLUMN "qty" TYPE numeric USING "qty"::numeric',
    ]);
  });

  test('strings longer than a varchar widen it (at least twice, to a power of two); text and short strings do not', () => {
    const columns = [column('name', 'character varying', { maxLength: 200 }), column('city', 'character varying', { maxLength: 100 }), column('notes', 'text')];
    const kinds: ObservedColumns = { name: ['string'], city: ['string'], notes: ['string'] };
    assert.deepEqual(compareSchema(kinds, columns, { name: 201, city: 100, notes: 5000 }).widen, [
      { column: 'name', from: 'character varying(200)', to: 'varchar(400)' },
    ]);
    assert.deepEqual(compareSchema(kinds, columns, { name: 3000 }).widen, [{ column: 'name', from: 'character varying(200)', to: 'varchar(4096)' }]);
    assert.deepEqual(compareSchema(kinds, columns, { name: 20_000_000 }).widen, [{ column: 'name', from: 'character varying(200)', to: 'text' }]);
    assert.deepEqual(compareSchema(kinds, columns).widen, [], 'no widths (an older manifest): nothing to widen');
  });
});

describe('layout, windows, settings', () => {
  const run = { dagId: 'etl', runId: 'scheduled__2026-11-01T00:00:00+00:00' };
  test('keys of a run share one prefix; staging names are unique per run', () => {
    assert.equal(runSegment(run.runId), 'scheduled__2026-11-01T00-00-00-00-00');
    assert.equal(manifestKey('etl/', run, 'orders'), 'etl/etl/scheduled__2026-11-01T00-00-00-00-00/orders/manifest.json');
    assert.equal(partKey('etl', run, 'orders', 2, 'orders_items', 7), 'etl/etl/scheduled__2026-11-01T00-00-00-00-00/orders/try-2/orders_items/part-00007.ndjson.gz');
    assert.notEqual(stagingTable(run, 'orders'), stagingTable({ ...run, runId: 'manual__x' }, 'orders'));
    assert.match(stagingTable(run, 'orders'), /^"sluice_staging"\."orders__[0-9a-f]{10}"$/);
  });

  test('a window is a modified-date range; a first load takes everything before the cutoff', () => {
    const until = new Date('2026-11-02T00:00:00Z');
    const from = new Date('2026-11-01T00:00:00Z');
    assert.deepEqual(windowFilter({ modifiedField: 'updatedAt', from, until }), { updatedAt: { $gte: from, $lt: until } });
    assert.deepEqual(windowFilter({ modifiedField: 'updatedAt', from: null, until }), { $nor: [{ updatedAt: { $gte: until } }] });
  });

  test('settings come from the environment and are checked', () => {
    assert.equal(etlSettings({}, {}).rowsPerPart, 100_000);
    assert.equal(etlSettings({}, { ETL_ROWS_PER_PART: '500', ETL_SCHEMA_EVOLUTION: '1' }).schemaEvolution, true);
    assert.throws(() => etlSettings({}, { ETL_ROWS_PER_PART: 'lots' }), /ETL_ROWS_PER_PART must be a whole number/);
    assert.throws(() => resolveCollection({ collection: 'a b', modifiedField: 'x' }), /letters, digits/);
    assert.equal(resolveCollection({ collection: 'orderLines', modifiedField: 'meta.updatedAt' }).modifiedColumn, 'meta_updated_at');
  });
});

describe('cleanup plan', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000);
  const object = (key: string, hoursAgo: number) => ({ key, bytes: 10, lastModified: at(hoursAgo) });
  test('old runs go whole; unreferenced parts go after the grace period; manifest parts stay', () => {
    const listed = [
      object('etl/d/old/orders/manifest.json', 200),
      object('etl/d/old/orders/try-1/orders/part-00001.ndjson.gz', 200),
      object('etl/d/new/orders/manifest.json', 1),
      object('etl/d/new/orders/try-2/orders/part-00001.ndjson.gz', 10),
      object('etl/d/new/orders/try-1/orders/part-00001.ndjson.gz', 10),
      object('etl/d/new/orders/try-3/orders/part-00001.ndjson.gz', 1),
      object('etl/d/new/customers/try-1/customers/part-00001.ndjson.gz', 10),
    ];
    const runs = [...groupByRun('etl', listed)].map(([runPrefix, objects]) => ({
      runPrefix,
      objects,
      manifests: new Map(runPrefix.endsWith('new/') ? [['orders', new Set(['etl/d/new/orders/try-2/orders/part-00001.ndjson.gz'])]] : []),
    }));
    const decision = planCleanup(runs, { now, retentionMs: 7 * 24 * 3_600_000, orphanGraceMs: 6 * 3_600_000 });
    assert.deepEqual(decision.expiredRuns, ['etl/d/old/']);
    assert.equal(decision.expired.length, 2);
    assert.deepEqual(decision.orphans.map((o) => o.key).sort(), [
      'etl/d/new/customers/try-1/customers/part-00001.ndjson.gz',
      'etl/d/new/orders/try-1/orders/part-00001.ndjson.gz',
    ]);
  });
});
