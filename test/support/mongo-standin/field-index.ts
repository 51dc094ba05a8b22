/**
 * A single-field secondary index on a top-level field, used to narrow range and equality filters
 * to the documents that can match; the caller still applies the whole filter to each of them.
 *
 * Why the candidates are never too few: a comparison (`$gt`, `$eq`, ...) with a bound matches a
 * document when the field's value, or one element of an array value, is of the bound's type
 * bracket and compares right with it (values.ts). The index holds an entry for the value and for
 * each element of an array, in every bracket whose values it can reduce to an order-preserving
 * key (INDEXED_RANKS); a bound of any other bracket (null, objects, arrays, binData, MinKey, ...)
 * makes the index decline, and the query scans.
 */
import { IndexEntries, type Bound, type IndexKey } from './index-entries.ts';
import { FieldSet } from './raw-bson.ts';
import type { StoredDoc } from './store.ts';
import { bsonTypeName, compareNumbers, compareStrings, numericValue, stringOf } from './values.ts';

export type RangeOperator = '$eq' | '$gt' | '$gte' | '$lt' | '$lte';

export interface RangeConstraint {
  op: RangeOperator;
  value: unknown;
}

interface RankedKey {
  rank: number;
  key: IndexKey;
}

/**
 * A value as (type bracket, key), where keys of one bracket order exactly as compareValues orders
 * the values: numbers of every BSON type by numericValue, strings and symbols by their text,
 * ObjectIds by their bytes (lowercase hex orders as the bytes), booleans false < true, Dates by
 * their milliseconds. Undefined for values the index does not hold.
 */
export function indexKey(value: unknown): RankedKey | undefined {
  switch (bsonTypeName(value)) {
    case 'double':
    case 'int':
    case 'long':
    case 'decimal':
      return { rank: 10, key: numericValue(value)! };
    case 'string':
    case 'symbol':
      return { rank: 15, key: stringOf(value) };
    case 'objectId':
      return { rank: 35, key: (value as { toHexString(): string }).toHexString() };
    case 'bool':
      return { rank: 40, key: value ? 1 : 0 };
    case 'date':
      return { rank: 45, key: (value as Date).getTime() };
    default:
      return undefined;
  }
}

const compareText = (a: IndexKey, b: IndexKey): number => compareStrings(a as string, b as string);
const compareNumeric = (a: IndexKey, b: IndexKey): number => compareNumbers(a as number | bigint, b as number | bigint);

/** The brackets indexKey produces, each with the order of its keys. */
const INDEXED_RANKS = new Map([
  [10, compareNumeric],
  [15, compareText],
  [35, compareText],
  [40, compareNumeric],
  [45, compareNumeric],
]);

export class FieldIndex {
  private readonly fields: FieldSet;
  private readonly brackets = new Map<number, IndexEntries>();
  /**
   * Documents whose value is an array. While there are any, two comparisons may be met by two
   * different elements (`{ $gt: 5, $lt: 3 }` matches `[6, 2]`), so bounds are not intersected.
   */
  private arrayDocs = 0;
  /** Documents with no entry: their value is of a bracket the index does not hold (or missing). */
  private unheld = 0;

  constructor(
    readonly field: string,
    readonly direction: 1 | -1,
  ) {
    this.fields = new FieldSet([field]);
    for (const [rank, compare] of INDEXED_RANKS) this.brackets.set(rank, new IndexEntries(compare));
  }

  /** Indexes every document from scratch (createIndexes on a filled collection). */
  load(docs: Iterable<StoredDoc>): void {
    const keys = new Map<number, { keys: IndexKey[]; docs: StoredDoc[] }>();
    for (const rank of INDEXED_RANKS.keys()) keys.set(rank, { keys: [], docs: [] });
    this.arrayDocs = 0;
    this.unheld = 0;
    for (const doc of docs) {
      const { entries, isArray } = this.entriesOf(doc.raw);
      if (isArray) this.arrayDocs++;
      if (entries.length === 0) this.unheld++;
      for (const { rank, key } of entries) {
        const bracket = keys.get(rank)!;
        bracket.keys.push(key);
        bracket.docs.push(doc);
      }
    }
    for (const [rank, bracket] of keys) this.brackets.get(rank)!.load(bracket.keys, bracket.docs);
  }

  add(doc: StoredDoc): void {
    const { entries, isArray } = this.entriesOf(doc.raw);
    if (isArray) this.arrayDocs++;
    if (entries.length === 0) this.unheld++;
    for (const { rank, key } of entries) this.brackets.get(rank)!.insert(key, doc);
  }

  /** `raw` is what the document held when it was indexed (before an update replaces it). */
  remove(doc: StoredDoc, raw: Buffer = doc.raw): void {
    const { entries, isArray } = this.entriesOf(raw);
    if (isArray) this.arrayDocs--;
    if (entries.length === 0) this.unheld--;
    for (const { rank, key } of entries) this.brackets.get(rank)!.remove(key, doc);
  }

  clear(): void {
    this.load([]);
  }

  /**
   * The documents that may satisfy all of `constraints` (comparisons on this field), each once,
   * in index order; undefined when no constraint has a bound the index holds.
   */
  candidates(constraints: readonly RangeConstraint[]): StoredDoc[] | undefined {
    let rank: number | undefined;
    let lower: Bound | undefined;
    let upper: Bound | undefined;
    for (const { op, value } of constraints) {
      const bound = indexKey(value);
      if (!bound) continue;
      // Bounds of another bracket, or any second bound over arrays: left to the filter.
      if (rank !== undefined && (bound.rank !== rank || this.arrayDocs > 0)) continue;
      rank = bound.rank;
      const compare = INDEXED_RANKS.get(rank)!;
      if (op !== '$lt' && op !== '$lte') lower = tighter(lower, { key: bound.key, inclusive: op !== '$gt' }, compare, 1);
      if (op !== '$gt' && op !== '$gte') upper = tighter(upper, { key: bound.key, inclusive: op !== '$lt' }, compare, -1);
    }
    if (rank === undefined) return undefined;
    let docs = this.brackets.get(rank)!.range(lower, upper);
    if (this.arrayDocs > 0) docs = [...new Set(docs)];
    return this.direction === 1 ? docs : docs.reverse();
  }

  /**
   * Every document once, in the order a sort on the field gives (ascending; equal keys in natural
   * order), when the index can tell it: each holds one entry (no arrays, none of a bracket the
   * index leaves out); otherwise undefined. The brackets the index holds are in mongod's order.
   */
  ordered(): StoredDoc[] | undefined {
    if (this.arrayDocs > 0 || this.unheld > 0) return undefined;
    const docs = [...INDEXED_RANKS.keys()].sort((a, b) => a - b).flatMap((rank) => this.brackets.get(rank)!.range(undefined, undefined));
    return this.direction === 1 ? docs : docs.reverse();
  }

  /** The entries a document's bytes give: its value's key, or each distinct element's key. */
  private entriesOf(raw: Buffer): { entries: RankedKey[]; isArray: boolean } {
    const value = this.fields.extract(raw)[this.field];
    if (!Array.isArray(value)) {
      const key = indexKey(value);
      return { entries: key ? [key] : [], isArray: false };
    }
    const entries: RankedKey[] = [];
    const seen = new Set<string>();
    for (const element of value) {
      const key = indexKey(element);
      if (!key) continue;
      const id = `${key.rank}:${String(key.key)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      entries.push(key);
    }
    return { entries, isArray: true };
  }
}

/** Of two bounds on one side, the one that admits less: `side` 1 for lower bounds, -1 for upper. */
function tighter(current: Bound | undefined, next: Bound, compare: (a: IndexKey, b: IndexKey) => number, side: 1 | -1): Bound {
  if (!current) return next;
  const c = compare(next.key, current.key) * side;
  if (c !== 0) return c > 0 ? next : current;
  return current.inclusive ? next : current;
}
