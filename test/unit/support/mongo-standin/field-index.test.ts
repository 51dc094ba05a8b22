/**
 * The stand-in's single-field index against the ground truth: the same documents in a collection
 * without the index, scanned. Every filter must give the same documents either way (the index
 * only narrows, the filter decides), in index order when the index is used.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BSONSymbol, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, serialize } from 'bson';
import { compileFilter } from '../../../support/mongo-standin/matcher.ts';
import { findRows, matchingDocs } from '../../../support/mongo-standin/query.ts';
import { prepareForInsert } from '../../../support/mongo-standin/raw-bson.ts';
import { rowDoc } from '../../../support/mongo-standin/rows.ts';
import { Collection, type StoredDoc } from '../../../support/mongo-standin/store.ts';
import { compareValues, type Doc } from '../../../support/mongo-standin/values.ts';

const T0 = Date.UTC(2026, 0, 1);

/** A deterministic pseudo-random sequence (mulberry32): the same documents every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value of one of many BSON types, with deliberate collisions (1, 1.0, 1n are one key). */
function valueOf(next: () => number): unknown {
  const n = Math.floor(next() * 20);
  const k = Math.floor(next() * 8);
  switch (Math.floor(next() * 16)) {
    case 0:
      return new Int32(n);
    case 1:
      return new Double(n / 2);
    case 2:
      return Long.fromNumber(n);
    case 3:
      return Decimal128.fromString(String(n / 4));
    case 4:
      return [NaN, Infinity, -Infinity, -0].map((x) => new Double(x))[k % 4];
    case 5:
      return ['', 'a', 'ab', 'b', 'é', '\u{1F600}', '\uFFFD', 'Z'][k];
    case 6:
      return new BSONSymbol(['a', 'b', 'c'][k % 3]!);
    case 7:
      return new Date(T0 + n * 60_000);
    case 8:
      return ObjectId.createFromTime(1_700_000_000 + n);
    case 9:
      return k % 2 === 0;
    case 10:
      return null;
    case 11:
      return undefined; // the field is missing
    case 12:
      return { n };
    case 13:
      return [new Int32(n), new Int32(k), 'a', new Date(T0 + k * 60_000)];
    case 14:
      return [];
    default:
      return n % 3 === 0 ? new MinKey() : n % 3 === 1 ? new MaxKey() : /ab/;
  }
}

function fill(collection: Collection, docs: Doc[]): void {
  for (const doc of docs) collection.insert(prepareForInsert(serialize(doc, { ignoreUndefined: true })));
}

function ids(docs: Iterable<StoredDoc>): number[] {
  return [...docs].map((d) => Number(rowDoc(d.raw)._id));
}

/** Both collections hold the same documents; `indexed` has `{ v: 1 }`. */
function pair(docs: Doc[]): { indexed: Collection; plain: Collection } {
  const indexed = new Collection('t', 'indexed');
  const plain = new Collection('t', 'plain');
  indexed.createIndex({ v: 2, key: { v: 1 }, name: 'v_1' });
  fill(indexed, docs);
  fill(plain, docs);
  return { indexed, plain };
}

const BOUNDS: unknown[] = [
  new Int32(5),
  new Double(2.5),
  Long.fromNumber(7),
  Decimal128.fromString('3.25'),
  new Double(NaN),
  new Double(Infinity),
  'a',
  'é',
  '\u{1F600}',
  new Date(T0 + 5 * 60_000),
  ObjectId.createFromTime(1_700_000_010),
  true,
  false,
];

/** Filters over `v`, from bounds the index holds and from some it must decline. */
function filters(): Doc[] {
  const out: Doc[] = [];
  for (const bound of BOUNDS) {
    for (const op of ['$gt', '$gte', '$lt', '$lte', '$eq']) out.push({ v: { [op]: bound } });
    out.push({ v: bound });
    out.push({ $and: [{ v: { $gte: bound } }, { k: { $lt: 10 } }] });
  }
  out.push(
    { v: { $gte: new Int32(3), $lt: new Double(9.5) } },
    { v: { $gt: 6, $lt: 3 } }, // met by two elements of one array, never by one value
    { v: { $gte: 'a', $lte: 12 } }, // two brackets
    { $and: [{ v: { $gt: new Date(T0) } }, { v: { $lte: new Date(T0 + 9 * 60_000) } }] },
    { v: { $gte: 2, $ne: 4 }, $or: [{ k: { $lt: 5 } }, { v: 'a' }] },
    { v: { $in: [1, 'a'] } },
    { v: null },
    { v: { $gte: null } },
    { v: { $lt: new MaxKey() } },
    { v: { $gt: { n: 3 } } },
    { v: /a/ },
    { v: [new Int32(3), new Int32(0), 'a', new Date(T0)] },
    { 'v.n': { $gt: 3 } },
  );
  return out;
}

describe('mongo stand-in: single-field index', () => {
  const next = random(17);
  const docs = Array.from({ length: 3_000 }, (_, i) => ({ _id: i, v: valueOf(next), k: i % 20 }));

  it('returns exactly what a scan returns, for bounds of every type and filters it cannot narrow', () => {
    const { indexed, plain } = pair(docs);
    for (const filter of filters()) {
      const compiled = compileFilter(filter);
      const viaIndex = ids(matchingDocs(indexed, compiled));
      const scanned = ids(matchingDocs(plain, compiled));
      assert.deepEqual([...viaIndex].sort((a, b) => a - b), scanned, `same documents for ${JSON.stringify(filter)}`);
    }
  });

  it('is used for bounds it holds and declines the others', () => {
    const { indexed } = pair(docs);
    const plan = (filter: Doc) => compileFilter(filter).constraints;
    assert.ok(indexed.indexCandidates(plan({ v: { $gte: new Date(T0), $lt: new Date(T0 + 60_000) } })!), 'a Date range uses the index');
    assert.ok(indexed.indexCandidates(plan({ $and: [{ k: 1 }, { v: 'a' }] })!), 'an equality inside $and uses it');
    assert.equal(indexed.indexCandidates(plan({ v: null })!), undefined, 'null is declined');
    assert.equal(indexed.indexCandidates(plan({ v: { $gt: new MinKey() } })!), undefined, 'MinKey is declined');
    assert.equal(plan({ $or: [{ v: 1 }, { v: 2 }] }), undefined, '$or gives no constraint');
    assert.equal(plan({ _id: 3, v: 1 }), undefined, 'the _id index wins');
  });

  it('returns index order: by value, equal values in natural order', () => {
    const scalars = Array.from({ length: 2_000 }, (_, i) => ({ _id: i, v: new Date(T0 + Math.floor(next() * 50) * 60_000) }));
    const { indexed, plain } = pair(scalars);
    const filter = compileFilter({ v: { $gte: new Date(T0 + 10 * 60_000), $lt: new Date(T0 + 30 * 60_000) } });
    const expected = [...matchingDocs(plain, filter)]
      .map((d) => rowDoc(d.raw))
      .sort((a, b) => compareValues(a.v, b.v) || Number(a._id) - Number(b._id))
      .map((d) => Number(d._id));
    assert.ok(expected.length > 0, 'the window is not empty');
    assert.deepEqual(ids(matchingDocs(indexed, filter)), expected);
  });

  it('follows updates, removals and inserts, and an index created on a filled collection', () => {
    const first = docs.slice(0, 1_500);
    const more = docs.slice(1_500);
    const changes = new Map<number, unknown>();
    for (let i = 0; i < first.length; i += 3) changes.set(i, valueOf(next));
    const removed = first.filter((_, i) => i % 7 === 1).map((d) => d._id);
    const edit = (collection: Collection): void => {
      for (const [i, v] of changes) collection.replace(collection.getById(`n${i}`)!, prepareForInsert(serialize({ _id: i, v, k: i % 20 }, { ignoreUndefined: true })).raw);
      for (const i of removed) collection.remove(collection.getById(`n${i}`)!);
    };
    const { indexed, plain } = pair(first);
    const late = new Collection('t', 'late');
    fill(late, first);
    for (const collection of [indexed, plain, late]) edit(collection);
    // Built from documents that were changed and removed, then kept up by inserts.
    late.createIndex({ v: 2, key: { v: -1 }, name: 'v_-1' });
    for (const collection of [indexed, plain, late]) fill(collection, more);
    for (const filter of filters()) {
      const compiled = compileFilter(filter);
      const scanned = ids(matchingDocs(plain, compiled));
      for (const collection of [indexed, late]) {
        const viaIndex = ids(matchingDocs(collection, compiled)).sort((a, b) => a - b);
        assert.deepEqual(viaIndex, scanned, `${collection.name}: same documents for ${JSON.stringify(filter)}`);
      }
    }
  });

  it('skips a candidate removed after the query started, and sees a changed one as it is now', () => {
    const { indexed } = pair(Array.from({ length: 10 }, (_, i) => ({ _id: i, v: i })));
    const results = matchingDocs(indexed, compileFilter({ v: { $gte: 2, $lt: 8 } }));
    assert.equal(ids([results.next().value as StoredDoc])[0], 2);
    indexed.remove(indexed.getById('n3')!);
    indexed.replace(indexed.getById('n4')!, prepareForInsert(serialize({ _id: 4, v: 100 })).raw);
    assert.deepEqual(ids(results), [5, 6, 7]);
  });

  it('keeps _id in order: _id ranges and sorts on _id read it, and give what a scan and a sort give', () => {
    const idOf = (i: number): unknown => [new Int32(i), `s${1000 - i}`, ObjectId.createFromTime(1_700_000_000 + ((i * 7919) % 1000)), new Date(T0 - i)][i % 4];
    const plainIds = Array.from({ length: 1_000 }, (_, i) => idOf((i * 389) % 1000));
    const withDocumentIds = [...plainIds, { a: 1 }, null];
    for (const all of [plainIds, withDocumentIds]) {
      const collection = new Collection('t', 'ids');
      fill(collection, all.map((_id, n) => ({ _id, n })));
      const sorted = [...all].sort(compareValues);
      for (const direction of [1, -1]) {
        const found = [...findRows(collection, { sort: { _id: direction }, skip: 10, limit: 500 })].map((row) => rowDoc(row)._id);
        const expected = (direction === 1 ? sorted : [...sorted].reverse()).slice(10, 510);
        assert.deepEqual(found.map(String), expected.map(String), `sort ${direction} over ${all.length} _ids`);
      }
      for (const filter of [{ _id: { $gte: new Int32(100), $lt: new Int32(300) } }, { _id: { $gte: 's500' } }, { _id: { $not: { $gte: new Date(T0 - 500) } } }]) {
        const compiled = compileFilter(filter);
        const expected = all.filter((_id) => compiled.matches({ _id } as Doc));
        const found = [...matchingDocs(collection, compiled)].map((d) => rowDoc(d.raw)._id);
        assert.deepEqual(found.map(String).sort(), expected.map(String).sort(), JSON.stringify(filter));
      }
      assert.ok(collection.indexCandidates(compileFilter({ _id: { $gte: 's500' } }).constraints!), 'an _id range reads the _id index');
      assert.equal(collection.byIdOrder() === undefined, all === withDocumentIds, 'an _id the index does not hold leaves sorts to memory');
    }
  });
});
