import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Binary,
  BSONRegExp,
  BSONSymbol,
  Code,
  DBRef,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  UUID,
  deserialize,
  serialize,
} from 'bson';
import { generateCustomers, generateOrders, generateProducts, type ProductDoc } from '../../../../demo/shop-data.ts';
import { DRIVER_DECODING } from '../../../../src/providers/etl/bson-bytes.ts';
import { DocumentFlattener, type FlatRow } from '../../../../src/providers/etl/flatten.ts';
import { RawFlattener } from '../../../../src/providers/etl/raw-flatten.ts';

/**
 * Both flatteners over the same documents: the decoded one gets what the driver would give
 * (deserialize with the source's options), the raw one the bytes. Rows, kinds, widths and
 * collisions must be identical.
 */
function compare(documents: Uint8Array[], options: { table?: string; keyField?: string } = {}) {
  const config = { table: options.table ?? 't', keyField: options.keyField };
  const plain = new DocumentFlattener(config);
  const raw = new RawFlattener(new DocumentFlattener(config));
  const plainRows: [string, FlatRow][] = [];
  const rawRows: [string, FlatRow][] = [];
  for (const bytes of documents) {
    plain.flatten(deserialize(bytes, DRIVER_DECODING), (t, r) => plainRows.push([t, r]));
    raw.flatten(bytes, (t, r) => rawRows.push([t, r]));
  }
  assert.deepStrictEqual(rawRows, plainRows);
  // Same columns in the same order: the order a row's columns were added in is what a part writer sees.
  assert.deepStrictEqual(rawRows.map(([t, r]) => [t, Object.keys(r)]), plainRows.map(([t, r]) => [t, Object.keys(r)]));
  assert.deepStrictEqual(raw.flattener.observed(), plain.observed());
  assert.deepStrictEqual(raw.flattener.observedWidths(), plain.observedWidths());
  assert.deepStrictEqual([...raw.flattener.collisions].sort(), [...plain.collisions].sort());
  return { rows: rawRows, decoded: raw.decoded, flattener: raw.flattener };
}

const bson = (document: Record<string, unknown>) => serialize(document);

// Hand-made BSON for what a driver will not write: repeated names, invalid UTF-8, undefined, bad lengths.
function element(type: number, name: string | Buffer, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), Buffer.isBuffer(name) ? name : Buffer.from(name), Buffer.from([0]), value]);
}
function documentOf(...elements: Buffer[]): Buffer {
  const body = Buffer.concat(elements);
  const out = Buffer.alloc(body.length + 5);
  out.writeInt32LE(out.length, 0);
  body.copy(out, 4);
  return out;
}
function stringValue(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length + 5);
  out.writeInt32LE(bytes.length + 1, 0);
  bytes.copy(out, 4);
  return out;
}
const int32Value = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};
const int64Value = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return b;
};

describe('RawFlattener makes the rows DocumentFlattener makes from decoded documents', () => {
  test('every BSON type, at the top, nested, and as array elements', () => {
    const id = new ObjectId('65a1b2c3d4e5f60718293a4b');
    const values: Record<string, unknown> = {
      double: 12.5,
      wholeDouble: 3.0,
      negativeZero: -0,
      nan: Number.NaN,
      infinity: Number.POSITIVE_INFINITY,
      boxedDouble: new Double(2),
      int32: new Int32(-7),
      smallLong: Long.fromNumber(42),
      longAtLimit: Long.fromString('9007199254740992'),
      longPastLimit: Long.fromString('9007199254740993'),
      negativeLong: Long.fromString('-9007199254740993'),
      longMin: Long.MIN_VALUE,
      decimal: Decimal128.fromString('19.99'),
      string: 'plain',
      unicode: 'Zoë 東京 🚀',
      longAscii: 'a string of more than twenty-four ASCII characters',
      longUnicode: 'ü'.repeat(40),
      empty: '',
      objectId: id,
      boolTrue: true,
      boolFalse: false,
      date: new Date('2026-11-01T10:00:00.123Z'),
      epoch: new Date(0),
      beforeEpoch: new Date('1901-01-01T00:00:00Z'),
      invalidDate: new Date(Number.NaN),
      nothing: null,
      binary: new Binary(Buffer.from([1, 2, 3, 250]), 0),
      oldBinary: new Binary(Buffer.from('abc'), 2),
      uuid: new UUID('0f8fad5b-d9cb-469f-a165-70867728950e'),
      regex: /ab+c/i,
      bsonRegex: new BSONRegExp('x.y', 'm'),
      code: new Code('function () { return 1; }'),
      codeWithScope: new Code('function () { return a; }', { a: 1 }),
      symbol: new BSONSymbol('sym'),
      timestamp: new Timestamp({ t: 1_700_000_000, i: 3 }),
      minKey: new MinKey(),
      maxKey: new MaxKey(),
      nested: { deeper: { value: 1, text: 'x' }, list: [1, 2] },
      emptyObject: {},
    };
    const array = Object.values(values);
    const { decoded } = compare([
      bson({ _id: id, ...values, all: array, docs: [values, { nested: { inner: [1, [2, 3]] } }, [values]], emptyArray: [] }),
      bson({ _id: 'second', all: [...array].reverse(), ...values }),
      bson({ _id: 'ref', owner: new DBRef('customers', id), owners: [new DBRef('customers', id, 'db')] }),
    ]);
    // Only the DBRefs (sub-documents with $ref and $id) send their document the decoded way.
    assert.equal(decoded, 1);
  });

  test('the demo shop, document after document, never needs the decoded form', () => {
    const range = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z'), badRecordRate: 0.05 };
    const customers = [...generateCustomers(400, range)];
    const products: ProductDoc[] = [...generateProducts(50, range)];
    const orders = [...generateOrders(600, customers.map((c) => c._id), products, range)];
    for (const [table, docs] of [['customers', customers], ['products', products], ['orders', orders]] as const) {
      const result = compare(docs.map((d) => serialize(d)), { table });
      assert.equal(result.decoded, 0, table);
      assert.ok(result.rows.length >= docs.length);
    }
  });

  test('fields that come and go, change type and order between documents', () => {
    const documents: Uint8Array[] = [];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
    const names = ['a', 'b', 'c', 'name', 'names', 'nameX', 'city'];
    const valueOf = (depth: number): unknown =>
      pick<() => unknown>([
        () => Math.floor(next() * 100),
        () => next(),
        () => pick(['x', 'yy', 'zzz', 'ünï']),
        () => null,
        () => new Date(Math.floor(next() * 2e12)),
        () => (depth > 1 ? 'leaf' : objectOf(depth + 1)),
        () => (depth > 1 ? 0 : [valueOf(depth + 1), valueOf(depth + 1)]),
      ])();
    const objectOf = (depth: number) => {
      const object: Record<string, unknown> = {};
      for (const name of names) if (next() < 0.6) object[name] = valueOf(depth);
      return object;
    };
    for (let i = 0; i < 300; i++) documents.push(bson({ _id: i, ...objectOf(0) }));
    assert.equal(compare(documents).decoded, 0);
  });

  test('keys: any type, missing, not first, another key field', () => {
    compare([bson({ _id: 5 }), bson({ _id: 1.5 }), bson({ _id: Long.fromString('9007199254740993') }), bson({ x: 1 }), bson({ _id: null })]);
    compare([bson({ _id: { a: 1 } }), bson({ _id: new Date(0) }), bson({ _id: true }), bson({ _id: Number.NaN })]);
    compare([documentOf(element(0x10, 'n', int32Value(1)), element(0x02, '_id', stringValue(Buffer.from('late'))))]);
    const { rows } = compare([bson({ _id: 1, sku: 'A-1', items: [{ q: 1 }] }), bson({ sku: 7, _id: 2 })], { keyField: 'sku' });
    assert.equal(rows[0]![1].source_id, 'A-1');
    assert.equal(rows[0]![1].id, 1);
  });

  test('invalid UTF-8 in values and names arrives as U+FFFD, as the driver gives it', () => {
    const bad = Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x61, 0x75]); // "Caf\xe9 au"
    const badLong = Buffer.concat([Buffer.from('S'), Buffer.from([0xe3]), Buffer.from('o Paulo and a long way past twenty-four bytes')]);
    const badName = Buffer.from([0x6e, 0xff, 0x6d]);
    const { rows } = compare([
      documentOf(element(0x02, '_id', stringValue(Buffer.from('a'))), element(0x02, 'name', stringValue(bad)), element(0x02, 'city', stringValue(badLong)), element(0x10, badName, int32Value(1))),
      documentOf(element(0x02, '_id', stringValue(Buffer.from('b'))), element(0x10, Buffer.from([0x6e, 0xfe, 0x6d]), int32Value(2))),
    ]);
    assert.equal(rows[0]![1].name, 'Caf\uFFFD au');
  });

  test('two fields naming one column: the first wins and the collision is reported', () => {
    const { flattener } = compare([bson({ _id: 'a', address_city: 'X', address: { city: 'Y' } }), bson({ _id: 'b', address: { city: 'Z' }, address_city: 'W' })]);
    assert.deepEqual([...flattener.collisions], ['t.address_city']);
  });

  test('documents whose decoded form differs from their bytes are flattened decoded', () => {
    const id = (s: string) => element(0x02, '_id', stringValue(Buffer.from(s)));
    const result = compare([
      // A repeated name: the decoded object keeps the last value at the first position.
      documentOf(id('dup'), element(0x02, 'a', stringValue(Buffer.from('first'))), element(0x10, 'b', int32Value(1)), element(0x10, 'a', int32Value(2))),
      // Array-index names come first in a decoded object.
      bson({ _id: 'index', b: 1, 2: 'two', scores: { z: 1, 2024: 5 } }),
      // $-names: a DBRef, and a document that only looks like one.
      bson({ _id: 'ref', owner: { $ref: 'c', $id: 1, $db: 'x', extra: 2 } }),
      bson({ _id: 'dollar', query: { $gt: 1 } }),
      documentOf(element(0x02, '$ref', stringValue(Buffer.from('c'))), element(0x10, '$id', int32Value(1))),
      // undefined (BSON type 6): skipped as a field, null as an array element.
      documentOf(id('undef'), element(0x06, 'gone', Buffer.alloc(0)), element(0x04, 'list', documentOf(element(0x06, '0', Buffer.alloc(0)), element(0x10, '1', int32Value(3))))),
      documentOf(id('long'), element(0x12, 'big', int64Value(-(2n ** 53n))), element(0x12, 'big2', int64Value(2n ** 63n - 1n))),
    ]);
    assert.equal(result.decoded, 5);
  });

  test('malformed bytes fail as the driver fails', () => {
    const raw = new RawFlattener(new DocumentFlattener({ table: 't' }));
    const good = Buffer.from(bson({ _id: 1, s: 'text' }));
    const truncated = Buffer.from(good);
    truncated.writeInt32LE(200, 14); // the string's length runs past the document
    assert.throws(() => deserialize(truncated, DRIVER_DECODING), (error: Error) => {
      assert.throws(() => raw.flatten(truncated, () => undefined), { message: error.message });
      return true;
    });
    const badBoolean = documentOf(element(0x08, 'flag', Buffer.from([2])));
    assert.throws(() => raw.flatten(badBoolean, () => undefined), /illegal boolean/);
  });
});
