/**
 * From a collection and a find-style query to a lazy sequence of documents: an `_id` lookup, a
 * secondary index's range or a scan in natural order, the filter, then sort, skip, limit and
 * projection. Nothing is read ahead of what the cursor asks for except when sorting, which has to
 * see every match first (and an index's candidates, which are only references).
 */
import { CommandError } from './errors.ts';
import { compileFilter, valuesAtPath, type CompiledFilter } from './matcher.ts';
import { compileProjection } from './projection.ts';
import { FieldSet } from './raw-bson.ts';
import { rowFields, type Row } from './rows.ts';
import type { Collection, StoredDoc } from './store.ts';
import { compareValues, equalityKey, isPlainObject, numericValue, type Doc } from './values.ts';

/**
 * The stored documents a filter matches, lazily: in natural order, or in index order when a
 * secondary index narrows the filter's range (as mongod returns an index scan's results).
 */
export function* matchingDocs(collection: Collection | undefined, filter: CompiledFilter): Generator<StoredDoc, void, undefined> {
  if (!collection) return;
  if (filter.idValues) {
    const found: StoredDoc[] = [];
    const seen = new Set<string>();
    for (const id of filter.idValues) {
      const key = equalityKey(id);
      if (seen.has(key)) continue;
      seen.add(key);
      const doc = collection.getById(key);
      if (doc) found.push(doc);
    }
    found.sort((a, b) => a.slot - b.slot);
    for (const doc of found) if (filter.matches(filter.fields.extract(doc.raw))) yield doc;
    return;
  }
  if (filter.matchesAll) {
    yield* collection.scan();
    return;
  }
  const { fields, matches } = filter;
  // Candidates are taken when the query starts; each is checked when its turn comes, so a
  // document removed or changed meanwhile is skipped or judged by what it holds by then.
  const candidates = filter.constraints && collection.indexCandidates(filter.constraints);
  if (candidates) {
    for (const doc of candidates) if (collection.holds(doc) && matches(fields.extract(doc.raw))) yield doc;
    return;
  }
  for (const doc of collection.scan()) if (matches(fields.extract(doc.raw))) yield doc;
}

export function* rawRows(docs: Iterable<StoredDoc>): Generator<Row, void, undefined> {
  for (const doc of docs) yield doc.raw;
}

export interface SortKey {
  path: string[];
  direction: 1 | -1;
}

export function parseSort(spec: unknown): SortKey[] | 'natural-reverse' | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainObject(spec)) throw new CommandError(14, 'sort must be an object');
  const keys: SortKey[] = [];
  for (const [field, value] of Object.entries(spec)) {
    if (isPlainObject(value)) throw new CommandError(17312, `$meta sort keys are not supported by the MongoDB stand-in (${field})`);
    const n = Number(numericValue(value) ?? NaN);
    if (n !== 1 && n !== -1) throw new CommandError(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    if (field === '$natural') {
      if (Object.keys(spec).length > 1) throw new CommandError(2, '$natural cannot be combined with other sort keys');
      return n === -1 ? 'natural-reverse' : undefined;
    }
    keys.push({ path: field.split('.'), direction: n });
  }
  return keys.length > 0 ? keys : undefined;
}

/** An array sorts by its smallest element ascending and its largest descending, as in mongod. */
function sortValue(doc: Doc, key: SortKey): unknown {
  let best: unknown = undefined;
  let seen = false;
  const consider = (value: unknown): void => {
    if (!seen || compareValues(value, best) * key.direction < 0) {
      best = value;
      seen = true;
    }
  };
  for (const value of valuesAtPath(doc, key.path)) {
    if (Array.isArray(value)) {
      if (value.length === 0) consider(undefined);
      for (const element of value) consider(element);
    } else {
      consider(value);
    }
  }
  return best;
}

/** Sorting needs every row first; the sort keys are decoded once per row, not per comparison. */
export function sortRows(rows: Iterable<Row>, keys: SortKey[] | 'natural-reverse'): Row[] {
  if (keys === 'natural-reverse') return [...rows].reverse();
  const fields = new FieldSet(keys.map((k) => k.path[0]!));
  const keyed = [...rows].map((row) => {
    const doc = rowFields(row, fields);
    return { row, values: keys.map((k) => sortValue(doc, k)) };
  });
  keyed.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareValues(a.values[i], b.values[i]);
      if (c !== 0) return c * keys[i]!.direction;
    }
    return 0;
  });
  return keyed.map((k) => k.row);
}

export function* skipRows(rows: Iterable<Row>, n: number): Generator<Row, void, undefined> {
  let skipped = 0;
  for (const row of rows) {
    if (skipped < n) {
      skipped++;
      continue;
    }
    yield row;
  }
}

export function* limitRows(rows: Iterable<Row>, n: number): Generator<Row, void, undefined> {
  if (n <= 0) return;
  let count = 0;
  for (const row of rows) {
    yield row;
    if (++count >= n) return;
  }
}

export function* mapRows(rows: Iterable<Row>, f: (row: Row) => Row): Generator<Row, void, undefined> {
  for (const row of rows) yield f(row);
}

/** A non-negative integer option (skip, limit, batchSize), or undefined when absent. */
export function intOption(body: Doc, name: string, allowNegative = false): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  const n = numericValue(value);
  if (n === undefined) throw new CommandError(14, `${name} must be a number`);
  const v = Number(n);
  if (!Number.isFinite(v) || (!allowNegative && v < 0)) throw new CommandError(2, `${name} must be a non-negative number`);
  return Math.trunc(v);
}

/**
 * A sort on `_id` alone read from the `_id` index, lazily, rather than every match sorted in
 * memory (a skip to the middle of a large collection, as a ranged extract's split asks, then
 * reads half of it, not all of it sorted); undefined when the index cannot give the order.
 */
function byIdOrder(collection: Collection, filter: CompiledFilter, sort: SortKey[] | 'natural-reverse'): Iterable<Row> | undefined {
  if (sort === 'natural-reverse' || sort.length !== 1 || sort[0]!.path.length !== 1 || sort[0]!.path[0] !== '_id') return undefined;
  const ordered = collection.byIdOrder();
  if (!ordered) return undefined;
  if (sort[0]!.direction === -1) ordered.reverse();
  const { fields, matches } = filter;
  return (function* () {
    for (const doc of ordered) if (collection.holds(doc) && (filter.matchesAll || matches(fields.extract(doc.raw)))) yield doc.raw;
  })();
}

export interface FindQuery {
  filter?: unknown;
  sort?: unknown;
  projection?: unknown;
  skip?: number;
  limit?: number;
}

export function findRows(collection: Collection | undefined, query: FindQuery): Iterable<Row> {
  const filter = compileFilter(query.filter);
  const sort = parseSort(query.sort);
  const projection = compileProjection(query.projection);
  const inIdOrder = sort && collection ? byIdOrder(collection, filter, sort) : undefined;
  let rows: Iterable<Row> = inIdOrder ?? rawRows(matchingDocs(collection, filter));
  if (sort && !inIdOrder) rows = sortRows(rows, sort);
  if (query.skip) rows = skipRows(rows, query.skip);
  if (query.limit) rows = limitRows(rows, query.limit);
  if (projection) rows = mapRows(rows, projection.apply);
  return rows;
}
