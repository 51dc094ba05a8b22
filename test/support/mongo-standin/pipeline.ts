/**
 * Aggregation pipelines as chains of lazy stages over rows. $match, $sort, $skip and $limit leave
 * raw rows raw; $group decodes only when its expressions read the document, so countDocuments'
 * `[$match, $group: {_id: 1, n: {$sum: 1}}]` costs a filter pass and nothing more.
 */
import { Double, Int32 } from 'bson';
import { CommandError } from './errors.ts';
import { evaluate, fieldPathValue, readsDocument } from './expressions.ts';
import { compileFilter } from './matcher.ts';
import { addNumbers, isNumber } from './numbers.ts';
import { compileProjection } from './projection.ts';
import { limitRows, mapRows, parseSort, skipRows, sortRows } from './query.ts';
import { rowDoc, rowFields, type Row } from './rows.ts';
import { compareValues, equalityKey, isPlainObject, numericValue, type Doc } from './values.ts';

type Stage = (rows: Iterable<Row>) => Iterable<Row>;

function* filterRows(rows: Iterable<Row>, filter: unknown): Generator<Row, void, undefined> {
  const compiled = compileFilter(filter);
  if (compiled.matchesAll) {
    yield* rows;
    return;
  }
  for (const row of rows) if (compiled.matches(rowFields(row, compiled.fields))) yield row;
}

/** A copy of `doc` with `path` set, copying only the objects along the path. */
function withPath(doc: Doc, path: readonly string[], value: unknown): Doc {
  const [head, ...rest] = path;
  const out = { ...doc };
  if (rest.length === 0) {
    if (value === undefined) delete out[head!];
    else out[head!] = value;
  } else {
    const child = out[head!];
    out[head!] = withPath(isPlainObject(child) ? child : {}, rest, value);
  }
  return out;
}

function withoutPath(doc: Doc, path: readonly string[]): Doc {
  const [head, ...rest] = path;
  if (!(head! in doc)) return doc;
  const out = { ...doc };
  if (rest.length === 0) delete out[head!];
  else if (isPlainObject(out[head!])) out[head!] = withoutPath(out[head!] as Doc, rest);
  return out;
}

interface Accumulator {
  add(doc: Doc | undefined): void;
  result(): unknown;
}

function accumulator(name: string, spec: unknown): () => Accumulator {
  if (!isPlainObject(spec) || Object.keys(spec).length !== 1) throw new CommandError(40234, `The field '${name}' must be an accumulator object`);
  const [op, expr] = Object.entries(spec)[0]!;
  const value = (doc: Doc | undefined): unknown => (doc === undefined ? evaluate(expr, {}) : evaluate(expr, doc));
  switch (op) {
    case '$sum':
    case '$count':
      return () => {
        let total: unknown = new Int32(0);
        return {
          add: (doc) => {
            const v = op === '$count' ? new Int32(1) : value(doc);
            if (isNumber(v)) total = addNumbers(total, v);
          },
          result: () => total,
        };
      };
    case '$avg':
      return () => {
        let sum = 0;
        let n = 0;
        return {
          add: (doc) => {
            const v = numericValue(value(doc));
            if (v !== undefined) {
              sum += Number(v);
              n++;
            }
          },
          result: () => (n === 0 ? null : new Double(sum / n)),
        };
      };
    case '$min':
    case '$max':
      return () => {
        let best: unknown = undefined;
        return {
          add: (doc) => {
            const v = value(doc);
            if (v === undefined || v === null) return;
            const c = best === undefined ? 0 : compareValues(v, best);
            if (best === undefined || (op === '$min' ? c < 0 : c > 0)) best = v;
          },
          result: () => best ?? null,
        };
      };
    case '$first':
    case '$last':
      return () => {
        let chosen: unknown = undefined;
        let seen = false;
        return {
          add: (doc) => {
            if (op === '$first' && seen) return;
            chosen = value(doc);
            seen = true;
          },
          result: () => chosen ?? null,
        };
      };
    case '$push':
    case '$addToSet':
      return () => {
        const values: unknown[] = [];
        const keys = new Set<string>();
        return {
          add: (doc) => {
            const v = value(doc);
            if (v === undefined) return;
            if (op === '$addToSet') {
              const key = equalityKey(v);
              if (keys.has(key)) return;
              keys.add(key);
            }
            values.push(v);
          },
          result: () => values,
        };
      };
    default:
      throw new CommandError(15952, `unknown group operator '${op}' (the MongoDB stand-in supports $sum, $count, $avg, $min, $max, $first, $last, $push, $addToSet)`);
  }
}

function groupStage(spec: unknown): Stage {
  if (!isPlainObject(spec) || !('_id' in spec)) throw new CommandError(15955, 'a group specification must include an _id');
  const idExpr = spec._id;
  const fields = Object.entries(spec)
    .filter(([name]) => name !== '_id')
    .map(([name, acc]) => ({ name, make: accumulator(name, acc), expr: acc }));
  const decode = readsDocument(idExpr) || fields.some((f) => readsDocument(f.expr));
  return function* group(rows) {
    const groups = new Map<string, { id: unknown; accs: Accumulator[] }>();
    for (const row of rows) {
      const doc = decode ? rowDoc(row) : undefined;
      const id = doc === undefined ? evaluate(idExpr, {}) : evaluate(idExpr, doc);
      const key = equalityKey(id);
      let group = groups.get(key);
      if (!group) {
        group = { id: id ?? null, accs: fields.map((f) => f.make()) };
        groups.set(key, group);
      }
      for (const acc of group.accs) acc.add(doc);
    }
    for (const group of groups.values()) {
      const out: Doc = { _id: group.id };
      fields.forEach((f, i) => (out[f.name] = group.accs[i]!.result()));
      yield out;
    }
  };
}

function* unwindRows(rows: Iterable<Row>, spec: unknown): Generator<Row, void, undefined> {
  const options = typeof spec === 'string' ? { path: spec } : isPlainObject(spec) ? spec : {};
  const path = options.path;
  if (typeof path !== 'string' || !path.startsWith('$')) throw new CommandError(28818, "$unwind's path must be a field path starting with '$'");
  const segments = path.slice(1).split('.');
  const preserve = options.preserveNullAndEmptyArrays === true;
  const indexField = typeof options.includeArrayIndex === 'string' ? options.includeArrayIndex : undefined;
  for (const row of rows) {
    const doc = rowDoc(row);
    const value = fieldPathValue(doc, path);
    if (Array.isArray(value) && value.length > 0) {
      for (let i = 0; i < value.length; i++) {
        const out = withPath(doc, segments, value[i]);
        yield indexField ? withPath(out, indexField.split('.'), i) : out;
      }
    } else if (!Array.isArray(value) && value !== undefined && value !== null) {
      yield indexField ? withPath(doc, indexField.split('.'), null) : doc;
    } else if (preserve) {
      const out = Array.isArray(value) ? withoutPath(doc, segments) : doc;
      yield indexField ? withPath(out, indexField.split('.'), null) : out;
    }
  }
}

function* countRows(rows: Iterable<Row>, field: unknown): Generator<Row, void, undefined> {
  if (typeof field !== 'string' || field === '' || field.startsWith('$') || field.includes('.')) throw new CommandError(40156, 'the count field must be a non-empty string without $ or .');
  let n = 0;
  for (const _row of rows) n++;
  if (n > 0) yield { [field]: new Int32(n) };
}

function positiveInt(stage: string, value: unknown): number {
  const n = Number(numericValue(value) ?? NaN);
  if (!Number.isInteger(n) || n < 0) throw new CommandError(15956, `${stage} needs a non-negative integer`);
  return n;
}

function compileStage(stage: unknown): Stage {
  if (!isPlainObject(stage) || Object.keys(stage).length !== 1) throw new CommandError(40323, 'A pipeline stage specification object must contain exactly one field.');
  const [name, spec] = Object.entries(stage)[0]!;
  switch (name) {
    case '$match':
      compileFilter(spec); // fail at compile time, as mongod does, not at the first row
      return (rows) => filterRows(rows, spec);
    case '$sort': {
      const keys = parseSort(spec);
      return (rows) => (keys ? sortRows(rows, keys) : rows);
    }
    case '$skip': {
      const n = positiveInt(name, spec);
      return (rows) => skipRows(rows, n);
    }
    case '$limit': {
      const n = positiveInt(name, spec);
      if (n === 0) throw new CommandError(15958, 'the limit must be positive');
      return (rows) => limitRows(rows, n);
    }
    case '$project': {
      const projection = compileProjection(spec);
      if (!projection) throw new CommandError(51272, '$project requires at least one output field');
      return (rows) => mapRows(rows, projection.apply);
    }
    case '$addFields':
    case '$set': {
      if (!isPlainObject(spec)) throw new CommandError(40272, `${name} specification stage must be an object`);
      const entries = Object.entries(spec).map(([field, expr]) => ({ path: field.split('.'), expr }));
      return (rows) =>
        mapRows(rows, (row) => {
          const doc = rowDoc(row);
          let out = doc;
          for (const { path, expr } of entries) out = withPath(out, path, evaluate(expr, doc));
          return out;
        });
    }
    case '$unset': {
      const fields = (Array.isArray(spec) ? spec : [spec]).map((f) => {
        if (typeof f !== 'string') throw new CommandError(31120, '$unset specification must be a string or an array of strings');
        return f.split('.');
      });
      return (rows) => mapRows(rows, (row) => fields.reduce((doc, path) => withoutPath(doc, path), rowDoc(row)));
    }
    case '$group':
      return groupStage(spec);
    case '$count':
      return (rows) => countRows(rows, spec);
    case '$unwind':
      return (rows) => unwindRows(rows, spec);
    default:
      throw new CommandError(40324, `Unrecognized pipeline stage name: '${name}' (not supported by the MongoDB stand-in)`);
  }
}

/** Compiles every stage up front (so a bad stage fails the aggregate command, not a getMore). */
export function compilePipeline(pipeline: unknown): (rows: Iterable<Row>) => Iterable<Row> {
  if (!Array.isArray(pipeline)) throw new CommandError(14, "'pipeline' option must be specified as an array");
  const stages = pipeline.map(compileStage);
  return (rows) => stages.reduce((acc, stage) => stage(acc), rows);
}
