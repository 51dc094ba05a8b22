/**
 * Arithmetic on BSON numbers with mongod's result types: int32 + int32 stays int32 until it
 * overflows into a long, anything with a double is a double, anything with a decimal a decimal.
 * $inc, $mul, $sum and $add all go through here so stored types stay what mongod would store.
 */
import { Decimal128, Double, Int32, Long } from 'bson';
import { bsonTypeName, numericValue } from './values.ts';

type NumberKind = 'int' | 'long' | 'double' | 'decimal';
const ORDER: NumberKind[] = ['int', 'long', 'double', 'decimal'];

function kindOf(value: unknown): NumberKind | undefined {
  const type = bsonTypeName(value);
  return type === 'int' || type === 'long' || type === 'double' || type === 'decimal' ? type : undefined;
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Wraps a result so it serializes as the BSON type mongod would give it. */
function make(kind: NumberKind, value: number | bigint): unknown {
  if (kind === 'decimal') return Decimal128.fromString(String(value));
  if (kind === 'double') return new Double(Number(value));
  const big = typeof value === 'bigint' ? value : BigInt(value);
  if (kind === 'int' && big >= INT32_MIN && big <= INT32_MAX) return new Int32(Number(big));
  if (big >= INT64_MIN && big <= INT64_MAX) return Long.fromBigInt(big);
  return new Double(Number(big));
}

function widest(a: NumberKind, b: NumberKind): NumberKind {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

export function isNumber(value: unknown): boolean {
  return kindOf(value) !== undefined;
}

function combine(a: unknown, b: unknown, exact: (x: bigint, y: bigint) => bigint, approx: (x: number, y: number) => number): unknown {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (!ka || !kb) throw new TypeError('not a number');
  const kind = widest(ka, kb);
  const x = numericValue(a)!;
  const y = numericValue(b)!;
  if (kind === 'int' || kind === 'long') return make(kind, exact(BigInt(x), BigInt(y)));
  return make(kind, approx(Number(x), Number(y)));
}

export function addNumbers(a: unknown, b: unknown): unknown {
  return combine(a, b, (x, y) => x + y, (x, y) => x + y);
}

export function subtractNumbers(a: unknown, b: unknown): unknown {
  return combine(a, b, (x, y) => x - y, (x, y) => x - y);
}

export function multiplyNumbers(a: unknown, b: unknown): unknown {
  return combine(a, b, (x, y) => x * y, (x, y) => x * y);
}

/** Division is always a double in mongod (a decimal with decimals). */
export function divideNumbers(a: unknown, b: unknown): unknown {
  const kind = kindOf(a) === 'decimal' || kindOf(b) === 'decimal' ? 'decimal' : 'double';
  return make(kind, Number(numericValue(a)) / Number(numericValue(b)));
}

export const int32 = (n: number): Int32 => new Int32(n);
