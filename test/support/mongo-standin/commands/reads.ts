/**
 * find, getMore, killCursors, aggregate, count and distinct. Results go out through cursors in
 * batches, computed lazily as the client asks for them.
 */
import type { Long } from 'bson';
import { CommandError } from '../errors.ts';
import { compileFilter, valuesAtPath } from '../matcher.ts';
import { compilePipeline } from '../pipeline.ts';
import { findRows, intOption, matchingDocs, rawRows } from '../query.ts';
import { FieldSet } from '../raw-bson.ts';
import type { Row } from '../rows.ts';
import { equalityKey, isLong, isPlainObject, type Doc } from '../values.ts';
import { collectionArg, cursorBatchSize, namespace, type Handler } from './context.ts';

function objectOption(body: Doc, name: string): Doc | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw new CommandError(14, `'${name}' must be an object`);
  return value;
}

const find: Handler = (command, context) => {
  const body = command.body;
  const name = collectionArg(command);
  if (body.tailable === true || body.awaitData === true) throw new CommandError(2, 'tailable cursors are not supported by the MongoDB stand-in');
  const limit = intOption(body, 'limit', true) ?? 0;
  const rows = findRows(context.store.collection(command.db, name), {
    filter: objectOption(body, 'filter'),
    sort: objectOption(body, 'sort'),
    projection: objectOption(body, 'projection'),
    skip: intOption(body, 'skip'),
    limit: Math.abs(limit),
  });
  return context.cursors.open({
    ns: namespace(command, name),
    rows,
    owner: context.connectionId,
    batchSize: intOption(body, 'batchSize'),
    // A negative limit is the legacy way to ask for one batch only.
    singleBatch: body.singleBatch === true || limit < 0,
  });
};

const getMore: Handler = (command, context) => {
  const id = command.body.getMore;
  if (!isLong(id)) throw new CommandError(14, "Field 'getMore' must be of type long in: getMore");
  const collection = command.body.collection;
  if (typeof collection !== 'string') throw new CommandError(14, "Field 'collection' must be of type string in: getMore");
  return context.cursors.getMore(id.toBigInt(), namespace(command, collection), intOption(command.body, 'batchSize'));
};

const killCursors: Handler = (command, context) => {
  collectionArg(command);
  const ids = command.body.cursors;
  if (!Array.isArray(ids)) throw new CommandError(14, "Field 'cursors' must be an array");
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const id of ids) {
    if (!isLong(id)) throw new CommandError(14, 'cursor ids must be longs');
    (context.cursors.kill(id.toBigInt()) ? killed : notFound).push(id);
  }
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

const count: Handler = (command, context) => {
  const body = command.body;
  const collection = context.store.collection(command.db, collectionArg(command));
  const filter = compileFilter(objectOption(body, 'query'));
  const skip = intOption(body, 'skip') ?? 0;
  const limit = Math.abs(intOption(body, 'limit', true) ?? 0);
  let n: number;
  if (filter.matchesAll) {
    // estimatedDocumentCount: no scan, like mongod reading its collection metadata.
    n = collection?.count ?? 0;
  } else {
    n = 0;
    for (const _doc of matchingDocs(collection, filter)) n++;
  }
  n = Math.max(0, n - skip);
  if (limit > 0) n = Math.min(n, limit);
  return { n, ok: 1 };
};

const distinct: Handler = (command, context) => {
  const body = command.body;
  const key = body.key;
  if (typeof key !== 'string' || key === '') throw new CommandError(14, "'key' must be a non-empty string");
  const path = key.split('.');
  const fields = new FieldSet([path[0]!]);
  const seen = new Set<string>();
  const values: unknown[] = [];
  const add = (value: unknown): void => {
    if (value === undefined) return;
    const k = equalityKey(value);
    if (seen.has(k)) return;
    seen.add(k);
    values.push(value);
  };
  const collection = context.store.collection(command.db, collectionArg(command));
  for (const doc of matchingDocs(collection, compileFilter(objectOption(body, 'query')))) {
    for (const value of valuesAtPath(fields.extract(doc.raw), path)) {
      if (Array.isArray(value)) value.forEach(add);
      else add(value);
    }
  }
  return { values, ok: 1 };
};

const aggregate: Handler = (command, context) => {
  const body = command.body;
  if (body.explain === true) throw new CommandError(2, 'explain is not supported by the MongoDB stand-in');
  if (typeof body.aggregate !== 'string') throw new CommandError(2, 'collection-less aggregate is not supported by the MongoDB stand-in');
  const name = collectionArg(command);
  const pipeline = body.pipeline;
  if (!Array.isArray(pipeline)) throw new CommandError(14, "'pipeline' option must be specified as an array");
  if (body.cursor === undefined) throw new CommandError(9, "The 'cursor' option is required, except for aggregate with the explain argument");
  const collection = context.store.collection(command.db, name);
  // A leading $match can use the _id index, as find does.
  const first = pipeline[0];
  const leadingMatch = isPlainObject(first) && Object.keys(first).length === 1 && '$match' in first;
  const run = compilePipeline(leadingMatch ? pipeline.slice(1) : pipeline);
  const source: Iterable<Row> = rawRows(leadingMatch ? matchingDocs(collection, compileFilter(first.$match)) : matchingDocs(collection, compileFilter({})));
  return context.cursors.open({ ns: namespace(command, name), rows: run(source), owner: context.connectionId, batchSize: cursorBatchSize(body) });
};

export const readCommands: Record<string, Handler> = { find, getMore, killCursors, count, distinct, aggregate };
