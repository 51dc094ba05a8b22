/**
 * Databases, collections and indexes: list, create, drop, rename, stats. Single-field indexes
 * narrow queries (field-index.ts); no index other than `_id` is enforced (`unique` is not checked).
 */
import { Long } from 'bson';
import { CommandError } from '../errors.ts';
import { compileFilter } from '../matcher.ts';
import { validateCollectionName, type Collection, type IndexSpec } from '../store.ts';
import { isPlainObject, valuesEqual, type Doc } from '../values.ts';
import { requireAdmin } from './admin.ts';
import { collectionArg, cursorBatchSize, namespace, type Handler } from './context.ts';

function filterDocs<T extends Doc>(docs: T[], filter: unknown): T[] {
  const compiled = compileFilter(filter);
  return docs.filter((d) => compiled.matches(d));
}

const ID_INDEX = { v: 2, key: { _id: 1 }, name: '_id_' };

const listCollections: Handler = (command, context) => {
  const db = context.store.database(command.db);
  const all = [...(db?.collections.values() ?? [])].map((c) => ({
    name: c.name,
    type: 'collection',
    options: c.options,
    info: { readOnly: false },
    idIndex: ID_INDEX,
  }));
  const matching = filterDocs(all, command.body.filter);
  const docs = command.body.nameOnly === true ? matching.map((c) => ({ name: c.name, type: c.type })) : matching;
  return context.cursors.open({ ns: `${command.db}.$cmd.listCollections`, rows: docs, owner: context.connectionId, batchSize: cursorBatchSize(command.body) });
};

const listDatabases: Handler = (command, context) => {
  requireAdmin(command);
  const all = [...context.store.databases.values()].map((db) => ({ name: db.name, sizeOnDisk: Long.fromNumber(db.dataSize), empty: db.dataSize === 0 }));
  const matching = filterDocs(all, command.body.filter);
  const totalSize = matching.reduce((sum, db) => sum + db.sizeOnDisk.toNumber(), 0);
  if (command.body.nameOnly === true) return { databases: matching.map((db) => ({ name: db.name })), ok: 1 };
  return { databases: matching, totalSize, totalSizeMb: Long.fromNumber(Math.floor(totalSize / 2 ** 20)), ok: 1 };
};

function existing(command: Parameters<Handler>[0], context: Parameters<Handler>[1]): Collection {
  const name = collectionArg(command);
  const collection = context.store.collection(command.db, name);
  if (!collection) throw new CommandError(26, `ns does not exist: ${namespace(command, name)}`);
  return collection;
}

const listIndexes: Handler = (command, context) => {
  const collection = existing(command, context);
  return context.cursors.open({ ns: collection.ns, rows: collection.indexes.map((i) => ({ ...i })), owner: context.connectionId, batchSize: cursorBatchSize(command.body) });
};

const createIndexes: Handler = (command, context) => {
  const name = collectionArg(command);
  const specs = command.body.indexes;
  if (!Array.isArray(specs) || specs.length === 0) throw new CommandError(2, 'Must specify at least one index to create');
  const created = context.store.collection(command.db, name) === undefined;
  const collection = context.store.collection(command.db, name, true);
  const before = collection.indexes.length;
  for (const spec of specs) {
    if (!isPlainObject(spec) || !isPlainObject(spec.key) || Object.keys(spec.key).length === 0) throw new CommandError(67, 'Index key pattern must be a non-empty object');
    if (typeof spec.name !== 'string' || spec.name === '') throw new CommandError(2, "The 'name' field is a required property of an index specification");
    const sameName = collection.indexes.find((i) => i.name === spec.name);
    const sameKey = collection.indexes.find((i) => valuesEqual(i.key, spec.key));
    if (sameName) {
      if (!valuesEqual(sameName.key, spec.key)) throw new CommandError(86, `An existing index has the same name as the requested index. Requested index: ${spec.name}`);
      continue;
    }
    if (sameKey) throw new CommandError(85, `Index already exists with a different name: ${sameKey.name}`);
    collection.createIndex({ v: 2, ...spec, key: spec.key, name: spec.name } as IndexSpec);
  }
  const after = collection.indexes.length;
  return { numIndexesBefore: before, numIndexesAfter: after, createdCollectionAutomatically: created, ...(after === before ? { note: 'all indexes already exist' } : {}), ok: 1 };
};

const dropIndexes: Handler = (command, context) => {
  const collection = existing(command, context);
  const was = collection.indexes.length;
  const which = command.body.index;
  const names: string[] = [];
  if (which === '*') names.push(...collection.indexes.filter((i) => i.name !== '_id_').map((i) => i.name));
  else if (typeof which === 'string') names.push(which);
  else if (Array.isArray(which)) names.push(...which.map(String));
  else if (isPlainObject(which)) {
    const found = collection.indexes.find((i) => valuesEqual(i.key, which));
    if (!found) throw new CommandError(27, `can't find index with key: ${JSON.stringify(which)}`);
    names.push(found.name);
  } else throw new CommandError(14, "'index' must be a string, an array of strings or a key pattern");
  for (const name of names) {
    if (name === '_id_') throw new CommandError(72, 'cannot drop _id index');
    if (!collection.indexes.some((i) => i.name === name)) throw new CommandError(27, `index not found with name [${name}]`);
    collection.dropIndex(name);
  }
  return { nIndexesWas: was, ok: 1 };
};

const create: Handler = (command, context) => {
  const name = collectionArg(command);
  const { [command.name]: _name, $db: _db, lsid: _lsid, $readPreference: _rp, writeConcern: _wc, ...options } = command.body;
  if (options.viewOn !== undefined) throw new CommandError(2, 'views are not supported by the MongoDB stand-in');
  context.store.createCollection(command.db, name, options);
  return { ok: 1 };
};

const drop: Handler = (command, context) => {
  const name = collectionArg(command);
  const dropped = context.store.dropCollection(command.db, name);
  // Since MongoDB 7.0 dropping a collection that does not exist succeeds.
  return dropped ? { nIndexesWas: dropped.indexes.length, ns: dropped.ns, ok: 1 } : { ok: 1 };
};

const dropDatabase: Handler = (command, context) => {
  context.store.dropDatabase(command.db);
  return { ok: 1 };
};

function splitNamespace(ns: unknown, field: string): { db: string; name: string } {
  if (typeof ns !== 'string' || !ns.includes('.')) throw new CommandError(73, `Invalid ${field} namespace: ${String(ns)}`);
  const dot = ns.indexOf('.');
  const db = ns.slice(0, dot);
  return { db, name: validateCollectionName(db, ns.slice(dot + 1)) };
}

const renameCollection: Handler = (command, context) => {
  requireAdmin(command);
  const from = splitNamespace(command.body.renameCollection, 'source');
  const to = splitNamespace(command.body.to, 'target');
  const source = context.store.collection(from.db, from.name);
  if (!source) throw new CommandError(26, `Source collection ${from.db}.${from.name} does not exist`);
  if (from.db === to.db && from.name === to.name) throw new CommandError(20, "Can't rename a collection to itself");
  if (context.store.collection(to.db, to.name)) {
    if (command.body.dropTarget !== true) throw new CommandError(48, 'target namespace exists');
    context.store.dropCollection(to.db, to.name);
  }
  context.store.dropCollection(from.db, from.name);
  source.db = to.db;
  source.name = to.name;
  context.store.database(to.db, true).collections.set(to.name, source);
  return { ok: 1 };
};

const dbStats: Handler = (command, context) => {
  const db = context.store.database(command.db);
  const collections = [...(db?.collections.values() ?? [])];
  const objects = collections.reduce((n, c) => n + c.count, 0);
  const dataSize = db?.dataSize ?? 0;
  return {
    db: command.db,
    collections: collections.length,
    views: 0,
    objects,
    avgObjSize: objects ? dataSize / objects : 0,
    dataSize,
    storageSize: dataSize,
    indexes: collections.reduce((n, c) => n + c.indexes.length, 0),
    indexSize: 0,
    totalSize: dataSize,
    scaleFactor: 1,
    ok: 1,
  };
};

const collStats: Handler = (command, context) => {
  const collection = existing(command, context);
  return {
    ns: collection.ns,
    count: collection.count,
    size: collection.dataSize,
    avgObjSize: collection.count ? collection.dataSize / collection.count : 0,
    storageSize: collection.dataSize,
    nindexes: collection.indexes.length,
    totalIndexSize: 0,
    indexSizes: Object.fromEntries(collection.indexes.map((i) => [i.name, 0])),
    ok: 1,
  };
};

export const catalogCommands: Record<string, Handler> = {
  listCollections,
  listDatabases,
  listIndexes,
  createIndexes,
  dropIndexes,
  create,
  drop,
  dropDatabase,
  renameCollection,
  dbStats,
  collStats,
};
