/**
 * Update documents (`u` of the update command, `update` of findAndModify) applied to a decoded
 * document: a replacement, or operators ($set, $unset, $inc, $mul, $min, $max, $push,
 * $addToSet, $pull, $pullAll, $pop, $rename, $currentDate, $setOnInsert) on dotted paths.
 */
import { Timestamp } from 'bson';
import { CommandError, badValue } from './errors.ts';
import { compileFilter } from './matcher.ts';
import { isNumber, multiplyNumbers, addNumbers } from './numbers.ts';
import { bsonTypeName, compareValues, isPlainObject, numericValue, valuesEqual, type Doc } from './values.ts';

export type UpdateSpec = { kind: 'replacement'; doc: Doc } | { kind: 'operators'; ops: Array<[string, Doc]> };

const OPERATORS = new Set(['$set', '$unset', '$inc', '$mul', '$min', '$max', '$push', '$addToSet', '$pull', '$pullAll', '$pop', '$rename', '$currentDate', '$setOnInsert']);

export function parseUpdate(u: unknown): UpdateSpec {
  if (Array.isArray(u)) throw new CommandError(2, 'pipeline-style updates are not supported by the MongoDB stand-in');
  if (!isPlainObject(u)) throw new CommandError(9, 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  if (keys.length === 0 || !keys[0]!.startsWith('$')) {
    const dollar = keys.find((k) => k.startsWith('$'));
    if (dollar) throw new CommandError(52, `The dollar ($) prefixed field '${dollar}' in '${dollar}' is not allowed in the context of an update's replacement document.`);
    return { kind: 'replacement', doc: u };
  }
  const ops: Array<[string, Doc]> = [];
  for (const key of keys) {
    if (!OPERATORS.has(key)) throw new CommandError(9, `Unknown modifier: ${key}. Expected a valid update modifier or pipeline-style update specified as an array`);
    const arg = u[key];
    if (!isPlainObject(arg)) throw new CommandError(9, `Modifiers operate on fields but we found type ${bsonTypeName(arg)} instead.`);
    for (const path of Object.keys(arg)) {
      if (path.split('.').some((s) => s.startsWith('$'))) throw new CommandError(2, `positional update paths are not supported by the MongoDB stand-in: '${path}'`);
    }
    ops.push([key, arg]);
  }
  return { kind: 'operators', ops };
}

type Container = Doc | unknown[];

function describe(value: unknown): string {
  return bsonTypeName(value);
}

/** The container holding the last segment of `path`, created on the way when `create`. */
function parentOf(doc: Doc, path: string, create: boolean): { parent: Container; key: string } | undefined {
  const segments = path.split('.');
  let container: Container = doc;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    let next: unknown;
    if (Array.isArray(container)) {
      if (!/^\d+$/.test(segment)) throw new CommandError(28, `Cannot create field '${segment}' in element {${segments.slice(0, i).join('.')}: [...]}`);
      next = container[Number(segment)];
    } else {
      next = container[segment];
    }
    if (next === undefined || next === null) {
      if (!create) return undefined;
      if (next === null) throw new CommandError(28, `Cannot create field '${segments[i + 1]}' in element {${segment}: null}`);
      next = {};
      setIn(container, segment, next);
    } else if (!isPlainObject(next) && !Array.isArray(next)) {
      if (!create) return undefined;
      throw new CommandError(28, `Cannot create field '${segments[i + 1]}' in element {${segment}: ${describe(next)}}`);
    }
    container = next as Container;
  }
  return { parent: container, key: segments[segments.length - 1]! };
}

function getIn(container: Container, key: string): unknown {
  if (Array.isArray(container)) return /^\d+$/.test(key) ? container[Number(key)] : undefined;
  return container[key];
}

function setIn(container: Container, key: string, value: unknown): void {
  if (Array.isArray(container)) {
    if (!/^\d+$/.test(key)) throw new CommandError(28, `Cannot create field '${key}' in an array`);
    const index = Number(key);
    while (container.length < index) container.push(null);
    container[index] = value;
  } else {
    container[key] = value;
  }
}

function unsetIn(container: Container, key: string): void {
  if (Array.isArray(container)) {
    // mongod keeps array positions: an unset element becomes null.
    if (/^\d+$/.test(key) && Number(key) < container.length) container[Number(key)] = null;
  } else {
    delete container[key];
  }
}

function arrayAt(doc: Doc, path: string, op: string): { parent: Container; key: string; array: unknown[] } {
  const { parent, key } = parentOf(doc, path, true)!;
  const current = getIn(parent, key);
  if (current === undefined) {
    const array: unknown[] = [];
    setIn(parent, key, array);
    return { parent, key, array };
  }
  if (!Array.isArray(current)) throw new CommandError(2, `The field '${path}' must be an array but is of type ${describe(current)} in document {_id: ${String(doc._id)}} (${op})`);
  return { parent, key, array: current };
}

function eachItems(arg: unknown): { items: unknown[]; modifiers: Doc } {
  if (isPlainObject(arg) && '$each' in arg) {
    if (!Array.isArray(arg.$each)) throw badValue('The argument to $each must be an array');
    return { items: arg.$each, modifiers: arg };
  }
  return { items: [arg], modifiers: {} };
}

function pullPredicate(arg: unknown): (element: unknown) => boolean {
  if (isPlainObject(arg)) {
    const first = Object.keys(arg)[0];
    if (first?.startsWith('$')) {
      const filter = compileFilter({ v: arg });
      return (element) => filter.matches({ v: element });
    }
    const filter = compileFilter(arg);
    return (element) => isPlainObject(element) && filter.matches(element);
  }
  return (element) => valuesEqual(element, arg);
}

function applyOperator(doc: Doc, op: string, path: string, arg: unknown): void {
  switch (op) {
    case '$set':
    case '$setOnInsert': {
      const { parent, key } = parentOf(doc, path, true)!;
      setIn(parent, key, arg);
      return;
    }
    case '$unset': {
      const at = parentOf(doc, path, false);
      if (at) unsetIn(at.parent, at.key);
      return;
    }
    case '$inc':
    case '$mul': {
      if (!isNumber(arg)) throw new CommandError(14, `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${String(arg)}}`);
      const { parent, key } = parentOf(doc, path, true)!;
      const current = getIn(parent, key);
      if (current === undefined) {
        setIn(parent, key, op === '$inc' ? arg : multiplyNumbers(arg, 0));
        return;
      }
      if (!isNumber(current)) throw new CommandError(14, `Cannot apply ${op} to a value of non-numeric type. {_id: ${String(doc._id)}} has the field '${path}' of non-numeric type ${describe(current)}`);
      setIn(parent, key, op === '$inc' ? addNumbers(current, arg) : multiplyNumbers(current, arg));
      return;
    }
    case '$min':
    case '$max': {
      const { parent, key } = parentOf(doc, path, true)!;
      const current = getIn(parent, key);
      const c = current === undefined ? 0 : compareValues(arg, current);
      if (current === undefined || (op === '$min' ? c < 0 : c > 0)) setIn(parent, key, arg);
      return;
    }
    case '$push': {
      const { items, modifiers } = eachItems(arg);
      const { array } = arrayAt(doc, path, op);
      const position = modifiers.$position === undefined ? array.length : Number(numericValue(modifiers.$position));
      const at = position < 0 ? Math.max(0, array.length + position) : Math.min(position, array.length);
      array.splice(at, 0, ...items);
      if (modifiers.$sort !== undefined) {
        const direction = Number(numericValue(modifiers.$sort) ?? 1);
        if (direction !== 1 && direction !== -1) throw new CommandError(2, '$push $sort is supported with 1 or -1 only by the MongoDB stand-in');
        array.sort((a, b) => compareValues(a, b) * direction);
      }
      if (modifiers.$slice !== undefined) {
        const n = Number(numericValue(modifiers.$slice));
        const kept = n >= 0 ? array.slice(0, n) : array.slice(Math.max(0, array.length + n));
        array.splice(0, array.length, ...kept);
      }
      return;
    }
    case '$addToSet': {
      const { items } = eachItems(arg);
      const { array } = arrayAt(doc, path, op);
      for (const item of items) if (!array.some((e) => valuesEqual(e, item))) array.push(item);
      return;
    }
    case '$pull':
    case '$pullAll': {
      const at = parentOf(doc, path, false);
      const current = at ? getIn(at.parent, at.key) : undefined;
      if (current === undefined) return;
      if (!Array.isArray(current)) throw new CommandError(2, `Cannot apply ${op} to a non-array value`);
      let remove: (element: unknown) => boolean;
      if (op === '$pull') remove = pullPredicate(arg);
      else {
        if (!Array.isArray(arg)) throw badValue('$pullAll requires an array argument');
        remove = (element) => arg.some((v) => valuesEqual(element, v));
      }
      setIn(at!.parent, at!.key, current.filter((e) => !remove(e)));
      return;
    }
    case '$pop': {
      const at = parentOf(doc, path, false);
      const current = at ? getIn(at.parent, at.key) : undefined;
      if (current === undefined) return;
      if (!Array.isArray(current)) throw new CommandError(14, `Path '${path}' contains an element of non-array type '${describe(current)}'`);
      if (Number(numericValue(arg)) === -1) current.shift();
      else current.pop();
      return;
    }
    case '$rename': {
      if (typeof arg !== 'string') throw badValue(`The 'to' field for $rename must be a string: ${path}: ${String(arg)}`);
      const from = parentOf(doc, path, false);
      const value = from ? getIn(from.parent, from.key) : undefined;
      if (value === undefined) return;
      unsetIn(from!.parent, from!.key);
      const to = parentOf(doc, arg, true)!;
      setIn(to.parent, to.key, value);
      return;
    }
    case '$currentDate': {
      const wantsTimestamp = isPlainObject(arg) && arg.$type === 'timestamp';
      const { parent, key } = parentOf(doc, path, true)!;
      const now = Date.now();
      setIn(parent, key, wantsTimestamp ? new Timestamp({ t: Math.floor(now / 1000), i: 1 }) : new Date(now));
      return;
    }
  }
}

function immutableIdError(): CommandError {
  return new CommandError(66, "Performing an update on the path '_id' would modify the immutable field '_id'");
}

/** The document after the update; `original` is a decoded copy the update may change in place. */
export function applyUpdate(original: Doc, spec: UpdateSpec, isInsert: boolean): Doc {
  const id = original._id;
  if (spec.kind === 'replacement') {
    const replacement = spec.doc;
    if (replacement._id !== undefined && id !== undefined && !(bsonTypeName(replacement._id) === bsonTypeName(id) && valuesEqual(replacement._id, id))) {
      throw new CommandError(66, `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${String(replacement._id)}`);
    }
    const { _id: _ignored, ...rest } = replacement;
    return id === undefined ? { ...replacement } : { _id: id, ...rest };
  }
  for (const [op, fields] of spec.ops) {
    if (op === '$setOnInsert' && !isInsert) continue;
    for (const [path, arg] of Object.entries(fields)) applyOperator(original, op, path, arg);
  }
  if (id !== undefined && !(bsonTypeName(original._id) === bsonTypeName(id) && valuesEqual(original._id, id))) throw immutableIdError();
  return original;
}

/** The fields an upsert starts from: the filter's equality conditions (also inside $and). */
export function upsertSeed(filter: Doc): Doc {
  const seed: Doc = {};
  const visit = (clause: Doc): void => {
    for (const [key, value] of Object.entries(clause)) {
      if (key === '$and' && Array.isArray(value)) {
        for (const c of value) if (isPlainObject(c)) visit(c);
        continue;
      }
      if (key.startsWith('$')) continue;
      let v = value;
      if (isPlainObject(value) && Object.keys(value)[0]?.startsWith('$')) {
        if (!('$eq' in value)) continue;
        v = value.$eq;
      }
      if (bsonTypeName(v) === 'regex') continue;
      const { parent, key: last } = parentOf(seed, key, true)!;
      setIn(parent, last, v);
    }
  };
  visit(filter);
  return seed;
}
