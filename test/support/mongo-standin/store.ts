/**
 * The in-memory data: databases → collections → documents, each document the BSON bytes it was
 * stored as. A collection keeps insertion order in an array of slots (a delete leaves a hole,
 * filled in only while no scan is walking the array), a unique `_id` index as a Map, and the
 * single-field secondary indexes queries can use (field-index.ts), kept current by every write.
 */
import { deserialize } from 'bson';
import { CommandError } from './errors.ts';
import { FieldIndex } from './field-index.ts';
import type { FieldConstraints } from './index-plan.ts';
import { DECODE_OPTIONS, decodeElement, type PreparedDocument } from './raw-bson.ts';
import { bsonTypeName, isPlainObject, numericValue, type Doc } from './values.ts';

export interface StoredDoc {
  raw: Buffer;
  readonly idKey: string;
  /** Position in the collection's slots; changes only when holes are closed. */
  slot: number;
}

export interface IndexSpec {
  v: number;
  key: Doc;
  name: string;
  [option: string]: unknown;
}

/** Holes are closed once there are this many and more holes than documents. */
const COMPACT_MIN_HOLES = 1024;

export class Collection {
  readonly indexes: IndexSpec[] = [{ v: 2, key: { _id: 1 }, name: '_id_' }];
  /** By index name: the specs among `indexes` that a query can use. */
  private readonly fieldIndexes = new Map<string, FieldIndex>();
  /**
   * The `_id` index in key order (byId finds one `_id`): serves `_id` ranges and sorts on `_id`,
   * which an extract read in `_id` ranges asks for. `_id`s arrive mostly ascending (ObjectIds),
   * so keeping it is mostly appends.
   */
  private readonly idOrder = new FieldIndex('_id', 1);
  private slots: (StoredDoc | undefined)[] = [];
  private readonly byId = new Map<string, StoredDoc>();
  private holes = 0;
  private activeScans = 0;
  private bytes = 0;

  /** db and name change only through renameCollection. */
  constructor(
    public db: string,
    public name: string,
    readonly options: Doc = {},
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get count(): number {
    return this.byId.size;
  }

  get dataSize(): number {
    return this.bytes;
  }

  /** Throws mongod's E11000 error when the `_id` is taken. */
  insert(doc: PreparedDocument): StoredDoc {
    if (this.byId.has(doc.idKey)) throw duplicateKeyError(this.ns, decodeElement(doc.raw, doc.idElement));
    const stored: StoredDoc = { raw: doc.raw, idKey: doc.idKey, slot: this.slots.length };
    this.slots.push(stored);
    this.byId.set(doc.idKey, stored);
    this.bytes += doc.raw.length;
    this.idOrder.add(stored);
    for (const index of this.fieldIndexes.values()) index.add(stored);
    return stored;
  }

  /** Remembers an index (already checked against the others); builds it when queries can use it. */
  createIndex(spec: IndexSpec): void {
    this.indexes.push(spec);
    const usable = usableIndex(spec.key);
    if (!usable) return;
    const index = new FieldIndex(usable.field, usable.direction);
    index.load(this.scan());
    this.fieldIndexes.set(spec.name, index);
  }

  dropIndex(name: string): void {
    const at = this.indexes.findIndex((i) => i.name === name);
    if (at >= 0) this.indexes.splice(at, 1);
    this.fieldIndexes.delete(name);
  }

  /**
   * The documents a secondary index says may satisfy `constraints`, in its order; undefined
   * when no index covers them (then the caller scans).
   */
  indexCandidates(constraints: FieldConstraints): StoredDoc[] | undefined {
    for (const index of [...this.fieldIndexes.values(), this.idOrder]) {
      const on = constraints.get(index.field);
      const candidates = on && index.candidates(on);
      if (candidates) return candidates;
    }
    return undefined;
  }

  /** Every document in `_id` order, when the `_id` index can tell it (field-index.ts `ordered`). */
  byIdOrder(): StoredDoc[] | undefined {
    return this.idOrder.ordered();
  }

  /** Still stored (not removed since it was read from an index). */
  holds(doc: StoredDoc): boolean {
    return this.slots[doc.slot] === doc;
  }

  getById(idKey: string): StoredDoc | undefined {
    return this.byId.get(idKey);
  }

  /** Replaces a document's bytes in place (same `_id`, same position in natural order). */
  replace(doc: StoredDoc, raw: Buffer): void {
    this.bytes += raw.length - doc.raw.length;
    const before = doc.raw;
    doc.raw = raw;
    for (const index of this.fieldIndexes.values()) {
      index.remove(doc, before);
      index.add(doc);
    }
  }

  remove(doc: StoredDoc): void {
    if (this.slots[doc.slot] !== doc) return;
    // Before the slot is let go: index entries are found by it.
    this.idOrder.remove(doc);
    for (const index of this.fieldIndexes.values()) index.remove(doc);
    this.slots[doc.slot] = undefined;
    this.byId.delete(doc.idKey);
    this.bytes -= doc.raw.length;
    this.holes++;
    this.maybeCompact();
  }

  /**
   * The documents in insertion order, lazily. Documents inserted while the scan runs are seen
   * (as in mongod, a collection scan is not a snapshot); updates happen in place, so no document
   * is returned twice.
   */
  *scan(): Generator<StoredDoc, void, undefined> {
    this.activeScans++;
    try {
      for (let i = 0; i < this.slots.length; i++) {
        const doc = this.slots[i];
        if (doc !== undefined) yield doc;
      }
    } finally {
      this.activeScans--;
      this.maybeCompact();
    }
  }

  /** Positions would shift under a running scan, so holes wait for the last scan to end. */
  private maybeCompact(): void {
    if (this.activeScans > 0 || this.holes < COMPACT_MIN_HOLES || this.holes < this.byId.size) return;
    const live: StoredDoc[] = [];
    for (const doc of this.slots) {
      if (doc === undefined) continue;
      doc.slot = live.length;
      live.push(doc);
    }
    this.slots = live;
    this.holes = 0;
  }

  clear(): void {
    this.slots = [];
    this.byId.clear();
    this.holes = 0;
    this.bytes = 0;
    this.idOrder.clear();
    for (const index of this.fieldIndexes.values()) index.clear();
  }
}

/**
 * The field and direction of a key pattern a FieldIndex serves: one top-level field other than
 * `_id`, ascending or descending (mongod takes any positive or negative number as such).
 */
function usableIndex(key: Doc): { field: string; direction: 1 | -1 } | undefined {
  const fields = Object.keys(key);
  if (fields.length !== 1) return undefined;
  const field = fields[0]!;
  const n = Number(numericValue(key[field]) ?? NaN);
  if (field === '_id' || field.includes('.') || field.startsWith('$') || !(n > 0 || n < 0)) return undefined;
  return { field, direction: n > 0 ? 1 : -1 };
}

export class Database {
  readonly collections = new Map<string, Collection>();
  constructor(readonly name: string) {}

  get dataSize(): number {
    let total = 0;
    for (const c of this.collections.values()) total += c.dataSize;
    return total;
  }
}

export function validateDbName(name: string): void {
  if (name.length === 0 || /[/\\. "$\0]/.test(name)) throw new CommandError(73, `Invalid database name: '${name}'`);
}

export function validateCollectionName(db: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.includes('\0') || name.startsWith('.') || name.includes('$')) {
    throw new CommandError(73, `Invalid collection name: ${db}.${String(name)}`);
  }
  return name;
}

export class Store {
  readonly databases = new Map<string, Database>();

  database(name: string, create: true): Database;
  database(name: string, create?: boolean): Database | undefined;
  database(name: string, create = false): Database | undefined {
    let db = this.databases.get(name);
    if (!db && create) {
      validateDbName(name);
      db = new Database(name);
      this.databases.set(name, db);
    }
    return db;
  }

  collection(db: string, name: string, create: true): Collection;
  collection(db: string, name: string, create?: boolean): Collection | undefined;
  collection(db: string, name: string, create = false): Collection | undefined {
    const existing = this.databases.get(db)?.collections.get(name);
    if (existing || !create) return existing;
    validateCollectionName(db, name);
    const collection = new Collection(db, name);
    this.database(db, true).collections.set(name, collection);
    return collection;
  }

  createCollection(db: string, name: string, options: Doc): Collection {
    if (this.collection(db, name)) throw new CommandError(48, `Collection ${db}.${name} already exists.`);
    validateCollectionName(db, name);
    const collection = new Collection(db, name, options);
    this.database(db, true).collections.set(name, collection);
    return collection;
  }

  dropCollection(db: string, name: string): Collection | undefined {
    const database = this.databases.get(db);
    const collection = database?.collections.get(name);
    if (!database || !collection) return undefined;
    database.collections.delete(name);
    if (database.collections.size === 0) this.databases.delete(db);
    return collection;
  }

  dropDatabase(db: string): boolean {
    return this.databases.delete(db);
  }

  /** Decoded documents of a collection, in natural order: for tests that look at what is stored. */
  documents(db: string, name: string): Doc[] {
    const collection = this.collection(db, name);
    if (!collection) return [];
    return [...collection.scan()].map((d) => deserialize(d.raw, DECODE_OPTIONS));
  }
}

/** `{ _id: ObjectId('…') }` the way mongod writes a key into its error message. */
function formatKeyValue(value: unknown): string {
  switch (bsonTypeName(value)) {
    case 'objectId':
      return `ObjectId('${(value as { toHexString(): string }).toHexString()}')`;
    case 'string':
      return JSON.stringify(value);
    case 'date':
      return `new Date(${(value as Date).getTime()})`;
    case 'null':
    case 'missing':
      return 'null';
    case 'object':
      if (isPlainObject(value)) return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${formatKeyValue(v)}`).join(', ')} }`;
      return String(value);
    default:
      return String((value as { toString(): string }).toString());
  }
}

export function duplicateKeyError(ns: string, id: unknown): CommandError {
  return new CommandError(11000, `E11000 duplicate key error collection: ${ns} index: _id_ dup key: { _id: ${formatKeyValue(id)} }`, {
    keyPattern: { _id: 1 },
    keyValue: { _id: id },
  });
}
