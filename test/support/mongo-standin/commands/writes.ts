/**
 * insert, update, delete and findAndModify. Write errors are per statement (`writeErrors` with
 * the statement's index) in an `ok: 1` reply, as mongod does; an ordered batch stops at the first.
 */
import { deserialize } from 'bson';
import { CommandError } from '../errors.ts';
import { compileFilter } from '../matcher.ts';
import { compileProjection } from '../projection.ts';
import { matchingDocs, parseSort, sortRows } from '../query.ts';
import { DECODE_OPTIONS, asBuffer, decodeElement, prepareForInsert } from '../raw-bson.ts';
import { rowDoc, toBson } from '../rows.ts';
import type { Collection, StoredDoc } from '../store.ts';
import { applyUpdate, parseUpdate, upsertSeed, type UpdateSpec } from '../update.ts';
import { isPlainObject, numericValue, type Doc } from '../values.ts';
import { collectionArg, commandArray, type CommandContext, type Handler, type ParsedCommand } from './context.ts';

interface WriteError {
  index: number;
  code: number;
  errmsg: string;
  [extra: string]: unknown;
}

function writeErrorOf(index: number, error: unknown): WriteError {
  if (error instanceof CommandError) return { index, code: error.code, errmsg: error.message, ...error.extra };
  throw error;
}

/** Runs each statement; a failure becomes a write error, and an ordered batch stops at it. */
function eachStatement<T>(items: readonly T[], ordered: boolean, run: (item: T, index: number) => void): WriteError[] {
  const errors: WriteError[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      run(items[i]!, i);
    } catch (error) {
      errors.push(writeErrorOf(i, error));
      if (ordered) break;
    }
  }
  return errors;
}

function writeReply(fields: Doc, errors: WriteError[]): Doc {
  return errors.length > 0 ? { ...fields, writeErrors: errors, ok: 1 } : { ...fields, ok: 1 };
}

const rejectTransactions = (command: ParsedCommand): void => {
  if (command.body.txnNumber !== undefined || command.body.startTransaction !== undefined) {
    throw new CommandError(20, 'Transaction numbers are only allowed on a replica set member or mongos');
  }
};

/** The insert's documents as the client's bytes: from the `documents` sequence or the body. */
function rawDocuments(command: ParsedCommand): Buffer[] {
  const sequence = command.sequences.get('documents');
  if (sequence) return sequence;
  const documents = command.body.documents;
  if (!Array.isArray(documents)) throw new CommandError(14, 'insert needs a documents array');
  return documents.map((d) => {
    if (!(d instanceof Uint8Array)) throw new CommandError(14, 'documents entries must be objects');
    return asBuffer(d);
  });
}

/** Stores a decoded document (an upsert's or a replacement's): `_id` goes first, as mongod puts it. */
function insertDoc(collection: Collection, doc: Doc): { stored: StoredDoc; id: unknown } {
  const prepared = prepareForInsert(toBson(doc));
  return { stored: collection.insert(prepared), id: decodeElement(prepared.raw, prepared.idElement) };
}

/** Applies an update to one stored document; true when its bytes changed (nModified). */
function updateStored(collection: Collection, doc: StoredDoc, spec: UpdateSpec): boolean {
  const updated = applyUpdate(deserialize(doc.raw, DECODE_OPTIONS), spec, false);
  const raw = prepareForInsert(toBson(updated)).raw;
  if (raw.equals(doc.raw)) return false;
  collection.replace(doc, raw);
  return true;
}

function upsert(command: ParsedCommand, context: CommandContext, filter: Doc, spec: UpdateSpec): { stored: StoredDoc; id: unknown } {
  const collection = context.store.collection(command.db, collectionArg(command), true);
  return insertDoc(collection, applyUpdate(upsertSeed(filter), spec, true));
}

const insert: Handler = (command, context) => {
  rejectTransactions(command);
  const name = collectionArg(command);
  const documents = rawDocuments(command);
  const collection = context.store.collection(command.db, name, true);
  let n = 0;
  const errors = eachStatement(documents, command.body.ordered !== false, (document) => {
    collection.insert(prepareForInsert(document));
    n++;
  });
  return writeReply({ n }, errors);
};

const update: Handler = (command, context) => {
  rejectTransactions(command);
  const name = collectionArg(command);
  const upserted: Doc[] = [];
  let n = 0;
  let nModified = 0;
  const errors = eachStatement(commandArray(command, 'updates'), command.body.ordered !== false, (statement, index) => {
    if (Array.isArray(statement.arrayFilters) && statement.arrayFilters.length > 0) throw new CommandError(2, 'arrayFilters are not supported by the MongoDB stand-in');
    const q = statement.q ?? {};
    if (!isPlainObject(q)) throw new CommandError(14, 'q must be an object');
    const spec = parseUpdate(statement.u);
    if (statement.multi === true && spec.kind === 'replacement') throw new CommandError(9, 'multi update is not supported for replacement-style update');
    const collection = context.store.collection(command.db, name);
    let matched = 0;
    for (const doc of matchingDocs(collection, compileFilter(q))) {
      matched++;
      if (updateStored(collection!, doc, spec)) nModified++;
      if (statement.multi !== true) break;
    }
    n += matched;
    if (matched === 0 && statement.upsert === true) {
      upserted.push({ index, _id: upsert(command, context, q, spec).id });
      n++;
    }
  });
  return writeReply(upserted.length > 0 ? { n, nModified, upserted } : { n, nModified }, errors);
};

const remove: Handler = (command, context) => {
  rejectTransactions(command);
  const name = collectionArg(command);
  let n = 0;
  const errors = eachStatement(commandArray(command, 'deletes'), command.body.ordered !== false, (statement) => {
    const limit = Number(numericValue(statement.limit) ?? 0);
    if (limit !== 0 && limit !== 1) throw new CommandError(9, 'The limit field in delete objects must be 0 or 1');
    const collection = context.store.collection(command.db, name);
    const victims: StoredDoc[] = [];
    for (const doc of matchingDocs(collection, compileFilter(statement.q ?? {}))) {
      victims.push(doc);
      if (limit === 1) break;
    }
    for (const doc of victims) collection!.remove(doc);
    n += victims.length;
  });
  return writeReply({ n }, errors);
};

const findAndModify: Handler = (command, context) => {
  rejectTransactions(command);
  const body = command.body;
  const name = collectionArg(command);
  const query = body.query ?? {};
  if (!isPlainObject(query)) throw new CommandError(14, 'query must be an object');
  const collection = context.store.collection(command.db, name);
  const sort = parseSort(body.sort);
  let candidates = [...matchingDocs(collection, compileFilter(query))];
  if (sort && candidates.length > 1) {
    const byRaw = new Map(candidates.map((d) => [d.raw, d]));
    candidates = sortRows(candidates.map((d) => d.raw), sort).map((raw) => byRaw.get(raw as Buffer)!);
  }
  const target = candidates[0];
  const projection = compileProjection(body.fields);
  const shape = (doc: Doc | null): Doc | null => (doc && projection ? rowDoc(projection.apply(doc)) : doc);

  if (body.remove === true) {
    if (body.update !== undefined) throw new CommandError(9, 'Cannot specify both an update and remove=true');
    if (!target) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    const before = deserialize(target.raw, DECODE_OPTIONS);
    collection!.remove(target);
    return { lastErrorObject: { n: 1 }, value: shape(before), ok: 1 };
  }
  if (body.update === undefined) throw new CommandError(9, 'Either an update or remove=true must be specified');
  const spec = parseUpdate(body.update);
  if (target) {
    const before = deserialize(target.raw, DECODE_OPTIONS);
    updateStored(collection!, target, spec);
    const after = body.new === true ? deserialize(target.raw, DECODE_OPTIONS) : before;
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: shape(after), ok: 1 };
  }
  if (body.upsert !== true) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  const { stored, id } = upsert(command, context, query, spec);
  const value = body.new === true ? shape(deserialize(stored.raw, DECODE_OPTIONS)) : null;
  return { lastErrorObject: { n: 1, updatedExisting: false, upserted: id }, value, ok: 1 };
};

export const writeCommands: Record<string, Handler> = { insert, update, delete: remove, findAndModify };
