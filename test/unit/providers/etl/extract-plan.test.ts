/**
 * A ranged extract's plan: how many readers, where to cut, and `_id` conditions that are a true
 * partition of any window, whatever types its `_id`s have. The conditions are judged by the MongoDB
 * stand-in's matcher (mongod's type bracketing) over collections of mixed `_id` types, with split
 * values as a window gives them and as no window would (mixed brackets, repeats, past the end).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Binary, Double, Int32, Long, ObjectId, serialize } from 'bson';
import { idBracket, idRanges, MAX_AUTO_READERS, readersFor, splitPositions } from '../../../../src/providers/etl/extract-plan.ts';
import { compileFilter } from '../../../support/mongo-standin/matcher.ts';
import { findRows, matchingDocs } from '../../../support/mongo-standin/query.ts';
import { prepareForInsert } from '../../../support/mongo-standin/raw-bson.ts';
import { rowDoc } from '../../../support/mongo-standin/rows.ts';
import { Collection } from '../../../support/mongo-standin/store.ts';
import type { Doc } from '../../../support/mongo-standin/values.ts';

const T0 = Date.UTC(2026, 0, 1);

/** `_id`s of every bracket a split may be of, several of each, and of types no split may be. */
function mixedIds(): unknown[] {
  const ids: unknown[] = [];
  for (let i = 0; i < 12; i++) {
    ids.push(new Int32(i * 3), new Double(i * 3 + 0.5), Long.fromNumber(i * 3 + 1), `k${String(i).padStart(2, '0')}`, ObjectId.createFromTime(1_700_000_000 + i), new Date(T0 + i * 1000));
  }
  ids.push(null, { nested: 1 }, { nested: 2 }, new Binary(Buffer.from([1, 2])), true, false);
  return ids;
}

function collectionOf(ids: readonly unknown[]): Collection {
  const collection = new Collection('t', 'c');
  ids.forEach((id, i) => collection.insert(prepareForInsert(serialize({ _id: id, n: i }))));
  return collection;
}

/** For each document (by its `n`), how many of the ranges' conditions it matches. */
function coverage(collection: Collection, conditions: readonly (Doc | undefined)[]): number[] {
  const hits = new Array<number>(collection.count).fill(0);
  for (const ids of conditions) {
    const filter = compileFilter(ids === undefined ? {} : { $and: [{ n: { $gte: 0 } }, { _id: ids }] });
    for (const doc of matchingDocs(collection, filter)) hits[Number(rowDoc(doc.raw).n)]!++;
  }
  return hits;
}

/** The `_id`s at `positions` of the collection in `_id` order, as a window's split queries find them. */
function idsAt(collection: Collection, positions: readonly number[]): unknown[] {
  return positions.flatMap((skip) => [...findRows(collection, { sort: { _id: 1 }, skip, limit: 1, projection: { _id: 1 } })].map((row) => rowDoc(row)._id));
}

describe('ranged extract: plan', () => {
  test('auto reads a small window whole and splits a large one across the cores, up to the cap', () => {
    assert.equal(readersFor(0, 'auto', 8), 1);
    assert.equal(readersFor(200_000, 'auto', 8), 1, 'the shop customers stay one range');
    assert.equal(readersFor(780_000, 'auto', 2), 1, 'one reader keeps more than a core busy: on 2 cores, one');
    assert.equal(readersFor(780_000, 'auto', 4), 2, 'one reader per two cores');
    assert.equal(readersFor(780_000, 'auto', 1), 1);
    assert.equal(readersFor(10_000_000, 'auto', 32), MAX_AUTO_READERS);
    assert.equal(readersFor(10, 3, 1), 3, 'a number is taken as given');
    assert.equal(readersFor(2, 3), 2, 'never more readers than documents');
    assert.equal(readersFor(1, 3), 1);
  });

  test('cuts at k·n/R', () => {
    assert.deepEqual(splitPositions(10, 3), [3, 6]);
    assert.deepEqual(splitPositions(780_000, 2), [390_000]);
    assert.deepEqual(splitPositions(5, 1), []);
  });

  test('split values are of four brackets; others are not', () => {
    assert.deepEqual([1, new Int32(1), Long.fromNumber(1), new Double(1), 'a', new ObjectId(), new Date(T0)].map(idBracket), ['number', 'number', 'number', 'number', 'string', 'objectId', 'date']);
    assert.deepEqual([null, undefined, NaN, { a: 1 }, new Binary(Buffer.from([1])), true, new Date(NaN)].map(idBracket), [undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  test('no split: one range of every _id', () => {
    assert.deepEqual(idRanges([]), [{ ids: undefined, label: '1/1 (every _id)' }]);
    assert.equal(idRanges([null, { a: 1 }]).length, 1, 'splits of no bracket are dropped');
  });

  test('the ranges are a partition of a window of mixed _id types, wherever it is cut', () => {
    const ids = mixedIds();
    const collection = collectionOf(ids);
    const n = collection.count;
    const splitLists: unknown[][] = [
      ...[2, 3, 4, 7].map((readers) => idsAt(collection, splitPositions(n, readers))),
      idsAt(collection, [0, 1, 2]), // the first _ids: leading ranges empty
      idsAt(collection, [n - 1]), // the last _id
      [new Int32(3), new Int32(3), new Double(3), Long.fromNumber(3), 9], // repeats, one key in three types
      [5, 'k05', ObjectId.createFromTime(1_700_000_005), 'k09'], // mixed brackets: the strings win
      [-100, 1000], // outside every _id: empty first and last ranges
      ['zzz'],
      [new Date(T0 - 1), new Date(T0 + 5500)],
    ];
    for (const splits of splitLists) {
      const ranges = idRanges(splits);
      assert.ok(ranges.length >= 1);
      assert.deepEqual(coverage(collection, ranges.map((r) => r.ids)), new Array(n).fill(1), `each document in exactly one range, splits ${ranges.map((r) => r.label).join(' | ')}`);
    }
    // Mixed brackets: the most common one is kept, in order, repeats dropped.
    assert.deepEqual(
      idRanges([5, 'k05', ObjectId.createFromTime(1_700_000_005), 'k09', 'k09']).map((r) => r.label),
      ['1/3 (_id < k05, and _ids of other types)', '2/3 (_id ≥ k05, < k09)', '3/3 (_id ≥ k09)'],
    );
  });

  test('cut at k·n/R of one bracket, the ranges are about equal', () => {
    const collection = collectionOf(Array.from({ length: 1000 }, (_, i) => ObjectId.createFromTime(1_700_000_000 + i)));
    const ranges = idRanges(idsAt(collection, splitPositions(1000, 3)));
    const sizes = ranges.map((r) => [...matchingDocs(collection, compileFilter({ _id: r.ids! }))].length);
    assert.deepEqual(sizes, [333, 333, 334]);
  });
});
