/**
 * Query filters compiled once into predicates over decoded documents, with mongod's matching
 * rules: a dotted path descends into arrays of documents, a condition holds when any value the
 * path reaches (or any element of an array it reaches) satisfies it, `null` matches a missing
 * field, and range operators only compare values of the same type.
 */
import { CommandError, badValue } from './errors.ts';
import { rangeConstraints, type FieldConstraints } from './index-plan.ts';
import { FieldSet } from './raw-bson.ts';
import {
  TYPE_NUMBERS,
  bsonTypeName,
  compareValues,
  isNumeric,
  isOperatorDocument,
  isPlainObject,
  numericValue,
  rankOf,
  regexParts,
  toRegExp,
  valuesEqual,
  type BsonTypeName,
  type Doc,
} from './values.ts';

/** Values a path reaches in a document; `undefined` stands for "missing". */
type Candidates = unknown[];
type CandidatePredicate = (candidates: Candidates) => boolean;
export type Predicate = (doc: Doc) => boolean;

export interface CompiledFilter {
  matches: Predicate;
  /** True for an empty filter: no need to decode anything. */
  matchesAll: boolean;
  /** The top-level fields the filter reads: all a raw document needs decoded. */
  fields: FieldSet;
  /** When the filter pins `_id` to these values (equality or $in): an index lookup suffices. */
  idValues?: unknown[];
  /** The comparisons every match has to satisfy, by top-level field: for a secondary index. */
  constraints?: FieldConstraints;
}

const MISSING: Candidates = [undefined];

function collect(value: unknown, path: readonly string[], i: number, out: unknown[]): void {
  if (i === path.length) {
    out.push(value);
    return;
  }
  const segment = path[i]!;
  if (Array.isArray(value)) {
    const before = out.length;
    if (/^\d+$/.test(segment)) {
      const index = Number(segment);
      if (index < value.length) collect(value[index], path, i + 1, out);
    }
    for (const element of value) if (isPlainObject(element)) collect(element, path, i, out);
    if (out.length === before) out.push(undefined);
    return;
  }
  if (isPlainObject(value)) {
    collect(value[segment], path, i + 1, out);
    return;
  }
  out.push(undefined);
}

/** What a (possibly dotted) path reaches in `doc`. */
export function valuesAtPath(doc: Doc, path: readonly string[]): Candidates {
  if (path.length === 1) {
    const value = doc[path[0]!];
    return value === undefined ? MISSING : [value];
  }
  const out: unknown[] = [];
  collect(doc, path, 0, out);
  return out;
}

/** True when `test` holds for a candidate or, for an array candidate, one of its elements. */
function anyValue(candidates: Candidates, test: (value: unknown) => boolean): boolean {
  for (const value of candidates) {
    if (test(value)) return true;
    if (Array.isArray(value)) for (const element of value) if (test(element)) return true;
  }
  return false;
}

const isRegex = (value: unknown): boolean => bsonTypeName(value) === 'regex';

function regexTest(regex: unknown): (value: unknown) => boolean {
  const { pattern, flags } = regexParts(regex);
  const re = toRegExp(pattern, flags);
  return (value) => {
    const type = bsonTypeName(value);
    if (type === 'string') return re.test(value as string);
    if (type === 'symbol') return re.test(String((value as { value: unknown }).value));
    if (type === 'regex') {
      const other = regexParts(value);
      return other.pattern === pattern && other.flags === flags;
    }
    return false;
  };
}

function equalityTest(expected: unknown): (value: unknown) => boolean {
  if (expected === null || expected === undefined) return (value) => value === null || value === undefined;
  const rank = rankOf(expected);
  return (value) => rankOf(value) === rank && valuesEqual(value, expected);
}

function rangeTest(op: string, bound: unknown): (value: unknown) => boolean {
  const boundType = bsonTypeName(bound);
  const unbracketed = boundType === 'minKey' || boundType === 'maxKey';
  const rank = rankOf(bound);
  const accept = op === '$gt' ? (c: number) => c > 0 : op === '$gte' ? (c: number) => c >= 0 : op === '$lt' ? (c: number) => c < 0 : (c: number) => c <= 0;
  return (value) => (unbracketed || rankOf(value) === rank) && accept(compareValues(value, bound));
}

function typeTest(spec: unknown): (value: unknown) => boolean {
  const wanted = (Array.isArray(spec) ? spec : [spec]).map((t): BsonTypeName | 'number' => {
    if (typeof t === 'string') {
      if (t === 'number' || (Object.values(TYPE_NUMBERS) as string[]).includes(t)) return t as BsonTypeName | 'number';
      throw badValue(`Unknown type name alias: ${t}`);
    }
    const n = numericValue(t);
    const name = n === undefined ? undefined : TYPE_NUMBERS[Number(n)];
    if (name === undefined) throw badValue(`Invalid numerical type code: ${String(n)}`);
    return name;
  });
  return (value) => {
    if (value === undefined) return false;
    const type = bsonTypeName(value);
    return wanted.some((w) => w === type || (w === 'number' && isNumeric(value)));
  };
}

const anyOf =
  (test: (value: unknown) => boolean): CandidatePredicate =>
  (candidates) =>
    anyValue(candidates, test);

const not =
  (predicate: CandidatePredicate): CandidatePredicate =>
  (candidates) =>
    !predicate(candidates);

/** `$in`, `$nin` and `$all` lists: regexes match strings, anything else by equality. */
function valueTests(arg: unknown, op: string): Array<(value: unknown) => boolean> {
  return asArray(arg, op).map((v) => (isRegex(v) ? regexTest(v) : equalityTest(v)));
}

function asArray(value: unknown, op: string): unknown[] {
  if (!Array.isArray(value)) throw badValue(`${op} needs an array`);
  return value;
}

/** Compiles `{ $op: arg, ... }` (the value of one path in a filter) into a candidate predicate. */
function compileOperators(spec: Doc): CandidatePredicate {
  const parts: CandidatePredicate[] = [];
  const options = spec.$options;
  if (options !== undefined && spec.$regex === undefined) throw badValue('$options needs a $regex');
  for (const [op, arg] of Object.entries(spec)) {
    switch (op) {
      case '$eq':
        parts.push(anyOf(equalityTest(arg)));
        break;
      case '$ne':
        parts.push(not(anyOf(equalityTest(arg))));
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        parts.push(anyOf(rangeTest(op, arg)));
        break;
      case '$in':
      case '$nin': {
        const tests = valueTests(arg, op);
        const inList = anyOf((value) => tests.some((t) => t(value)));
        parts.push(op === '$in' ? inList : not(inList));
        break;
      }
      case '$exists': {
        const wanted = Boolean(numericValue(arg) ?? arg);
        parts.push((c) => c.some((v) => v !== undefined) === wanted);
        break;
      }
      case '$regex': {
        const flags = typeof options === 'string' ? options : '';
        let regex: unknown;
        if (typeof arg === 'string') regex = { pattern: arg, options: flags };
        else if (isRegex(arg)) regex = flags ? { pattern: regexParts(arg).pattern, options: flags } : arg;
        else throw badValue('$regex has to be a string');
        parts.push(anyOf(regexTest(regex)));
        break;
      }
      case '$options':
        break;
      case '$not': {
        let inner: CandidatePredicate;
        if (isRegex(arg)) {
          inner = anyOf(regexTest(arg));
        } else if (isPlainObject(arg) && Object.keys(arg).length > 0 && Object.keys(arg).every((k) => k.startsWith('$'))) {
          inner = compileOperators(arg);
        } else {
          throw badValue('$not needs a regex or a document of operators');
        }
        parts.push(not(inner));
        break;
      }
      case '$type':
        parts.push(anyOf(typeTest(arg)));
        break;
      case '$size': {
        const n = numericValue(arg);
        if (n === undefined) throw badValue('$size needs a number');
        parts.push((c) => c.some((v) => Array.isArray(v) && v.length === Number(n)));
        break;
      }
      case '$all': {
        const tests = valueTests(arg, op);
        parts.push((c) => tests.length > 0 && tests.every((t) => anyValue(c, t)));
        break;
      }
      case '$elemMatch': {
        if (!isPlainObject(arg)) throw badValue('$elemMatch needs an Object');
        const keys = Object.keys(arg);
        const onValues = keys.length > 0 && keys.every((k) => k.startsWith('$') && k !== '$and' && k !== '$or' && k !== '$nor');
        const element: (value: unknown) => boolean = onValues
          ? ((inner) => (value: unknown) => inner([value]))(compileOperators(arg))
          : ((inner) => (value: unknown) => isPlainObject(value) && inner(value))(compileDocument(arg, new Set()));
        parts.push((c) => c.some((v) => Array.isArray(v) && v.some(element)));
        break;
      }
      case '$mod': {
        const [divisor, remainder] = asArray(arg, op).map((v) => Number(numericValue(v)));
        if (divisor === undefined || remainder === undefined || !divisor) throw badValue('$mod needs [divisor, remainder]');
        parts.push(
          anyOf((value) => {
            const n = numericValue(value);
            return n !== undefined && Math.trunc(Number(n)) % divisor === remainder;
          }),
        );
        break;
      }
      default:
        throw badValue(`unknown operator: ${op}`);
    }
  }
  if (parts.length === 1) return parts[0]!;
  return (c) => parts.every((p) => p(c));
}

function compileLogical(op: string, arg: unknown, fields: Set<string>): Predicate {
  const clauses = asArray(arg, op);
  if (clauses.length === 0) throw badValue(`${op} argument must be a non-empty array`);
  const predicates = clauses.map((clause) => {
    if (!isPlainObject(clause)) throw badValue(`${op} argument's entries must be objects`);
    return compileDocument(clause, fields);
  });
  if (op === '$and') return (doc) => predicates.every((p) => p(doc));
  if (op === '$or') return (doc) => predicates.some((p) => p(doc));
  return (doc) => !predicates.some((p) => p(doc));
}

function compileDocument(filter: Doc, fields: Set<string>): Predicate {
  const predicates: Predicate[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$')) {
      if (key === '$and' || key === '$or' || key === '$nor') predicates.push(compileLogical(key, value, fields));
      else if (key === '$comment') continue;
      else if (key === '$expr' || key === '$where' || key === '$text' || key === '$jsonSchema') throw new CommandError(2, `${key} is not supported by the MongoDB stand-in`);
      else throw badValue(`unknown top level operator: ${key}`);
      continue;
    }
    const path = key.split('.');
    fields.add(path[0]!);
    const test = isOperatorDocument(value) ? compileOperators(value) : anyOf(isRegex(value) ? regexTest(value) : equalityTest(value));
    predicates.push((doc) => test(valuesAtPath(doc, path)));
  }
  if (predicates.length === 0) return () => true;
  if (predicates.length === 1) return predicates[0]!;
  return (doc) => {
    for (const p of predicates) if (!p(doc)) return false;
    return true;
  };
}

/** The `_id` values a filter pins, when it has a top-level `_id` equality or `$in`. */
function pinnedIds(filter: Doc): unknown[] | undefined {
  const id = filter._id;
  if (id === undefined) return undefined;
  if (isRegex(id)) return undefined;
  if (!isOperatorDocument(id)) return [id];
  const keys = Object.keys(id);
  if (keys.length !== 1) return undefined;
  if (keys[0] === '$eq' && !isRegex(id.$eq)) return [id.$eq];
  if (keys[0] === '$in' && Array.isArray(id.$in) && !id.$in.some(isRegex)) return id.$in;
  return undefined;
}

export function compileFilter(filter: unknown): CompiledFilter {
  if (filter === undefined || filter === null) filter = {};
  if (!isPlainObject(filter)) throw new CommandError(14, 'filter must be an object');
  const fields = new Set<string>();
  const matches = compileDocument(filter, fields);
  const ids = pinnedIds(filter);
  const constraints = ids ? undefined : rangeConstraints(filter);
  return {
    matches,
    matchesAll: Object.keys(filter).every((k) => k === '$comment'),
    fields: new FieldSet(fields),
    ...(ids ? { idValues: ids } : {}),
    ...(constraints && constraints.size > 0 ? { constraints } : {}),
  };
}
