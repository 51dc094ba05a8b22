/**
 * Decoded BSON values (as `bson`'s deserialize returns them with promoteValues: false) classified,
 * compared and ordered the way mongod does: numbers of any BSON numeric type compare as numbers,
 * other values of different types order by their type's rank, strings by their UTF-8 bytes.
 */
import type { Decimal128, Double, Int32, Long, ObjectId } from 'bson';

export type Doc = Record<string, unknown>;

/** A BSON type as mongod names it (`$type` aliases), plus 'missing' for an absent field. */
export type BsonTypeName =
  | 'missing'
  | 'minKey'
  | 'null'
  | 'undefined'
  | 'double'
  | 'int'
  | 'long'
  | 'decimal'
  | 'string'
  | 'symbol'
  | 'object'
  | 'array'
  | 'binData'
  | 'objectId'
  | 'bool'
  | 'date'
  | 'timestamp'
  | 'regex'
  | 'dbPointer'
  | 'javascript'
  | 'javascriptWithScope'
  | 'maxKey';

/** The BSON type numbers `$type` accepts as well as the names. */
export const TYPE_NUMBERS: Record<number, BsonTypeName> = {
  1: 'double',
  2: 'string',
  3: 'object',
  4: 'array',
  5: 'binData',
  6: 'undefined',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  10: 'null',
  11: 'regex',
  12: 'dbPointer',
  13: 'javascript',
  14: 'symbol',
  15: 'javascriptWithScope',
  16: 'int',
  17: 'timestamp',
  18: 'long',
  19: 'decimal',
  [-1]: 'minKey',
  127: 'maxKey',
};

function bsonClass(value: object): string | undefined {
  const tag = (value as { _bsontype?: unknown })._bsontype;
  return typeof tag === 'string' ? tag : undefined;
}

export function isPlainObject(value: unknown): value is Doc {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (value instanceof Date || value instanceof Uint8Array || value instanceof RegExp) return false;
  return bsonClass(value) === undefined;
}

/** `{ $op: ... }`: the value of a field in a filter is a set of operators, not a value to equal. */
export function isOperatorDocument(value: unknown): value is Doc {
  if (!isPlainObject(value)) return false;
  const first = Object.keys(value)[0];
  return first !== undefined && first.startsWith('$');
}

export function bsonTypeName(value: unknown): BsonTypeName {
  switch (typeof value) {
    case 'undefined':
      return 'missing';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) && Math.abs(value) <= 0x7fffffff ? 'int' : 'double';
    case 'bigint':
      return 'long';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'array';
      if (value instanceof Date) return 'date';
      if (value instanceof Uint8Array) return 'binData';
      if (value instanceof RegExp) return 'regex';
      switch (bsonClass(value)) {
        case undefined:
          return 'object';
        case 'Double':
          return 'double';
        case 'Int32':
          return 'int';
        case 'Long':
          return 'long';
        case 'Decimal128':
          return 'decimal';
        case 'ObjectId':
          return 'objectId';
        case 'Binary':
          return 'binData';
        case 'Timestamp':
          return 'timestamp';
        case 'BSONRegExp':
          return 'regex';
        case 'BSONSymbol':
          return 'symbol';
        case 'Code':
          return (value as { scope?: unknown }).scope ? 'javascriptWithScope' : 'javascript';
        case 'MinKey':
          return 'minKey';
        case 'MaxKey':
          return 'maxKey';
        case 'DBRef':
          return 'object';
        default:
          return 'object';
      }
    }
    default:
      return 'object';
  }
}

/**
 * mongod's canonical type order: values of different types sort by this, and range operators
 * ($gt, $lt, ...) only compare values of the same rank ("type bracketing").
 */
export function typeRank(type: BsonTypeName): number {
  switch (type) {
    case 'minKey':
      return -1;
    case 'missing':
    case 'undefined':
    case 'null':
      return 5;
    case 'double':
    case 'int':
    case 'long':
    case 'decimal':
      return 10;
    case 'string':
    case 'symbol':
      return 15;
    case 'object':
      return 20;
    case 'array':
      return 25;
    case 'binData':
      return 30;
    case 'objectId':
      return 35;
    case 'bool':
      return 40;
    case 'date':
      return 45;
    case 'timestamp':
      return 47;
    case 'regex':
      return 50;
    case 'dbPointer':
      return 55;
    case 'javascript':
      return 60;
    case 'javascriptWithScope':
      return 65;
    case 'maxKey':
      return 100;
  }
}

export const rankOf = (value: unknown): number => typeRank(bsonTypeName(value));

/** A numeric BSON value as a JS number, or a bigint where a Long would lose precision. */
export function numericValue(value: unknown): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  // By _bsontype, not instanceof: bson's ESM and CommonJS builds have classes of their own.
  switch (bsonClass(value)) {
    case 'Double':
    case 'Int32':
      return (value as Double | Int32).value;
    case 'Long': {
      const long = value as Long;
      const n = long.toNumber();
      return Number.isSafeInteger(n) ? n : long.toBigInt();
    }
    case 'Decimal128':
      return Number((value as Decimal128).toString());
    default:
      return undefined;
  }
}

/** A Long (cursor ids are), from either build of bson. */
export function isLong(value: unknown): value is Long {
  return typeof value === 'object' && value !== null && bsonClass(value) === 'Long';
}

export function isNumeric(value: unknown): boolean {
  return numericValue(value) !== undefined;
}

/** NaN sorts below every other number and equals itself, as in mongod. */
export function compareNumbers(a: number | bigint, b: number | bigint): number {
  const aNaN = typeof a === 'number' && Number.isNaN(a);
  const bNaN = typeof b === 'number' && Number.isNaN(b);
  if (aNaN || bNaN) return aNaN && bNaN ? 0 : aNaN ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code point order, which is UTF-8 byte order; UTF-16 order differs only past the surrogates. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x - y;
    const cx = a.codePointAt(i) ?? x;
    const cy = b.codePointAt(i) ?? y;
    return cx < cy ? -1 : cx > cy ? 1 : 0;
  }
  return a.length - b.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length - b.length;
}

function binaryBytes(value: unknown): { subType: number; bytes: Uint8Array } {
  if (value instanceof Uint8Array) return { subType: 0, bytes: value };
  const binary = value as { sub_type: number; value(): Uint8Array };
  return { subType: binary.sub_type, bytes: binary.value() };
}

/** A string or symbol's text. */
export function stringOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return String((value as { value?: unknown }).value ?? value);
}

function compareDocs(a: Doc, b: Doc): number {
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  const n = Math.min(ak.length, bk.length);
  for (let i = 0; i < n; i++) {
    const an = ak[i]!;
    const bn = bk[i]!;
    const av = a[an];
    const bv = b[bn];
    const byType = rankOf(av) - rankOf(bv);
    if (byType !== 0) return byType < 0 ? -1 : 1;
    const byName = compareStrings(an, bn);
    if (byName !== 0) return byName;
    const byValue = compareValues(av, bv);
    if (byValue !== 0) return byValue;
  }
  return ak.length - bk.length;
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** A total order over decoded BSON values, mongod's (missing counts as null). */
export function compareValues(a: unknown, b: unknown): number {
  const ta = bsonTypeName(a);
  const tb = bsonTypeName(b);
  const ra = typeRank(ta);
  const rb = typeRank(tb);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case -1:
    case 5:
    case 100:
      return 0; // null and missing are equal, as are MinKeys and MaxKeys
    case 10:
      return compareNumbers(numericValue(a)!, numericValue(b)!);
    case 15:
      return compareStrings(stringOf(a), stringOf(b));
    case 20:
      return compareDocs(objectFields(a), objectFields(b));
    case 25:
      return compareArrays(a as unknown[], b as unknown[]);
    case 30: {
      const x = binaryBytes(a);
      const y = binaryBytes(b);
      if (x.bytes.length !== y.bytes.length) return x.bytes.length < y.bytes.length ? -1 : 1;
      if (x.subType !== y.subType) return x.subType < y.subType ? -1 : 1;
      return compareBytes(x.bytes, y.bytes);
    }
    case 35:
      return compareBytes((a as ObjectId).id, (b as ObjectId).id);
    case 40:
      return a === b ? 0 : a ? 1 : -1;
    case 45:
      return compareNumbers((a as Date).getTime(), (b as Date).getTime());
    case 47: {
      const x = a as { t: number; i: number };
      const y = b as { t: number; i: number };
      return x.t !== y.t ? (x.t < y.t ? -1 : 1) : x.i !== y.i ? (x.i < y.i ? -1 : 1) : 0;
    }
    case 50: {
      const x = regexParts(a);
      const y = regexParts(b);
      return compareStrings(x.pattern, y.pattern) || compareStrings(x.flags, y.flags);
    }
    default:
      return compareStrings(String(a), String(b));
  }
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}

/** A DBRef compares as the document it is stored as. */
function objectFields(value: unknown): Doc {
  if (isPlainObject(value)) return value;
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  const json = typeof toJSON === 'function' ? toJSON.call(value) : undefined;
  return isPlainObject(json) ? json : {};
}

export function regexParts(value: unknown): { pattern: string; flags: string } {
  if (value instanceof RegExp) return { pattern: value.source, flags: value.flags };
  const r = value as { pattern: string; options: string };
  return { pattern: r.pattern, flags: r.options };
}

/**
 * A BSON regular expression as a JS RegExp. mongod's PCRE options i, m, s map directly; x
 * (extended) has no JS equivalent, so its whitespace and comments are stripped first.
 */
export function toRegExp(pattern: string, options: string): RegExp {
  const source = options.includes('x') ? stripExtended(pattern) : pattern;
  const flags = [...new Set(options.split(''))].filter((f) => f === 'i' || f === 'm' || f === 's' || f === 'u').join('');
  return new RegExp(source, flags);
}

/** PCRE's extended mode: unescaped whitespace and #-comments outside a character class go. */
function stripExtended(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '#') {
      while (i + 1 < pattern.length && pattern[i + 1] !== '\n') i++;
    } else if (!/\s/.test(c)) {
      out += c;
    }
  }
  return out;
}

/** A stable key for equality (numbers of any type with the same value share one) for Maps. */
export function equalityKey(value: unknown): string {
  const type = bsonTypeName(value);
  switch (type) {
    case 'missing':
    case 'undefined':
    case 'null':
      return 'z';
    case 'double':
    case 'int':
    case 'long':
    case 'decimal':
      return `n${String(numericValue(value))}`;
    case 'string':
    case 'symbol':
      return `s${stringOf(value)}`;
    case 'bool':
      return value ? 'bt' : 'bf';
    case 'date':
      return `d${(value as Date).getTime()}`;
    case 'objectId':
      return `o${(value as ObjectId).toHexString()}`;
    case 'array':
      return `a[${(value as unknown[]).map(equalityKey).join(',')}]`;
    case 'object': {
      const doc = objectFields(value);
      return `{${Object.keys(doc).map((k) => `${JSON.stringify(k)}:${equalityKey(doc[k])}`).join(',')}}`;
    }
    case 'binData': {
      const { subType, bytes } = binaryBytes(value);
      return `B${subType}:${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
    }
    case 'regex': {
      const { pattern, flags } = regexParts(value);
      return `r/${pattern}/${flags}`;
    }
    case 'timestamp': {
      const t = value as { t: number; i: number };
      return `t${t.t}:${t.i}`;
    }
    default:
      return `${type}:${String(value)}`;
  }
}
