/**
 * One source value as a column's value (pure): what a decoded document's values become, and the
 * single rule for each kind that the raw BSON flattener applies to bytes as well (dates, numbers,
 * keys), so the two flatteners cannot drift apart. BSON values are recognised by their
 * `_bsontype` tag, so this module needs no MongoDB driver and works on any JSON-like source.
 */
import type { FlatValue, JsonValue, ValueKind } from './flatten.ts';

/** Written for a Date the source holds but JavaScript cannot represent; stage_load turns it into NULL. */
export const INVALID_DATE_TEXT = 'invalid date';

export function dateText(date: Date): string {
  return Number.isNaN(date.getTime()) ? INVALID_DATE_TEXT : date.toISOString();
}

/** Non-finite numbers have no column value; integral ones (-0 too) are integers. */
export function numberKind(value: number): ValueKind {
  if (!Number.isFinite(value)) return 'null';
  return Number.isInteger(value) ? 'integer' : 'number';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (value instanceof Date || ArrayBuffer.isView(value)) return false;
  return typeof (value as { _bsontype?: unknown })._bsontype !== 'string';
}

/** A key as text: ObjectIds as their hex, numbers and strings as themselves. */
export function keyText(key: unknown): string {
  const [flat] = scalar(key);
  return typeof flat === 'string' ? flat : JSON.stringify(flat);
}

/** One source value as a JSON-safe value and the kind it was. */
export function scalar(value: unknown): [FlatValue, ValueKind] {
  switch (typeof value) {
    case 'string':
      return [value, 'string'];
    case 'boolean':
      return [value, 'boolean'];
    case 'number': {
      const kind = numberKind(value);
      return [kind === 'null' ? null : value, kind];
    }
    case 'bigint':
      return [Number.isSafeInteger(Number(value)) ? Number(value) : value.toString(), 'integer'];
    case 'undefined':
      return [null, 'null'];
    case 'object':
      if (value === null) return [null, 'null'];
      if (value instanceof Date) return [dateText(value), 'date'];
      if (Array.isArray(value)) return [toJson(value), 'json'];
      if (ArrayBuffer.isView(value)) return [Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'), 'string'];
      return bsonScalar(value as { _bsontype?: unknown });
    default:
      return [String(value), 'string'];
  }
}

interface BsonLike {
  _bsontype?: unknown;
  toHexString?: () => string;
  toNumber?: () => number;
  toString(format?: string): string;
  valueOf(): unknown;
}

function bsonScalar(value: BsonLike): [FlatValue, ValueKind] {
  switch (value._bsontype) {
    case 'ObjectId':
      return [value.toHexString ? value.toHexString() : value.toString(), 'string'];
    case 'Long': {
      const number = value.toNumber ? value.toNumber() : Number(value.toString());
      return [Number.isSafeInteger(number) ? number : value.toString(), 'integer'];
    }
    case 'Int32':
    case 'Double':
      return scalar(value.valueOf());
    case 'Decimal128':
      return [value.toString(), 'number'];
    case 'Binary':
      return [value.toString('base64'), 'string'];
    case undefined:
      return [toJson(value), 'json'];
    default:
      return [value.toString(), 'string'];
  }
}

/** A nested value as plain JSON (rare: arrays inside array elements). */
function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value, jsonReplacer) ?? 'null') as JsonValue;
}

/** Inside JSON columns, BSON values are written the way `scalar` writes them. */
function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && typeof (value as BsonLike)._bsontype === 'string') {
    return bsonScalar(value as BsonLike)[0];
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
