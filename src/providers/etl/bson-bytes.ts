/**
 * Reading values out of BSON bytes without the driver's objects (pure). Each reader gives what
 * the driver's decoding (promoteValues, promoteLongs, no UTF-8 validation) followed by
 * flat-values.ts would give, for the types documents are mostly made of; `decodeValue` decodes
 * any other element exactly as the driver does, for the rest.
 */
import { deserialize } from 'bson';
import { dateText } from './flat-values.ts';

/** The driver's decoding as the ETL's MongoDB client sets it up (mongo/source.ts): invalid UTF-8 becomes U+FFFD. */
export const DRIVER_DECODING = { validation: { utf8: false } } as const;

export const BSON = {
  double: 0x01,
  string: 0x02,
  document: 0x03,
  array: 0x04,
  undefined: 0x06,
  objectId: 0x07,
  boolean: 0x08,
  date: 0x09,
  null: 0x0a,
  int32: 0x10,
  int64: 0x12,
} as const;

/** A malformed document: the caller decodes it with the driver's code, which says what is wrong. */
export class MalformedBson extends Error {
  override name = 'MalformedBson';
}

export function int32(bytes: Buffer, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

/** An int64 as the driver promotes it: a number within ±2^53, else a Long (written as its decimal digits). */
export function int64(bytes: Buffer, at: number): number | string {
  const high = int32(bytes, at + 4);
  const low = int32(bytes, at) >>> 0;
  if (high >= -0x200000 && high < 0x200000) return high * 0x1_0000_0000 + low;
  if (high === 0x200000 && low === 0) return 2 ** 53;
  return bytes.readBigInt64LE(at).toString();
}

let lastMs = Number.NaN;
let lastText = '';

/**
 * A UTC datetime as ISO text, or INVALID_DATE_TEXT outside JavaScript's range. The last one is
 * remembered: documents often hold one instant twice (created and last updated at once).
 */
export function dateAt(bytes: Buffer, at: number): string {
  const ms = int32(bytes, at + 4) * 0x1_0000_0000 + (int32(bytes, at) >>> 0);
  if (ms !== lastMs) {
    lastText = isoText(ms);
    lastMs = ms;
  }
  return lastText;
}

const DAY_MS = 86_400_000;
/** 0000-01-01 and 10000-01-01: the years toISOString writes with four digits. */
const FOUR_DIGIT_YEARS = [-62_167_219_200_000, 253_402_300_800_000] as const;
const digit = (n: number) => 48 + (n % 10);

/**
 * Milliseconds since the epoch as `new Date(ms).toISOString()` writes them, without the Date:
 * a third of the time, and dates are in most rows. Civil date from the day number as in Howard
 * Hinnant's `civil_from_days`; years outside 0000-9999 and invalid dates go through Date.
 */
export function isoText(ms: number): string {
  if (!(ms >= FOUR_DIGIT_YEARS[0] && ms < FOUR_DIGIT_YEARS[1])) return dateText(new Date(ms));
  const days = Math.floor(ms / DAY_MS);
  let time = ms - days * DAY_MS;
  const shifted = days + 719_468; // days since 0000-03-01
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153); // 0 = March
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(time / 3_600_000);
  time -= hours * 3_600_000;
  const minutes = Math.floor(time / 60_000);
  time -= minutes * 60_000;
  const seconds = Math.floor(time / 1000);
  const millis = time - seconds * 1000;
  return String.fromCharCode(
    digit(year / 1000 | 0), digit(year / 100 | 0), digit(year / 10 | 0), digit(year), 45,
    digit(month / 10 | 0), digit(month), 45, digit(day / 10 | 0), digit(day), 84,
    digit(hours / 10 | 0), digit(hours), 58, digit(minutes / 10 | 0), digit(minutes), 58,
    digit(seconds / 10 | 0), digit(seconds), 46, digit(millis / 100 | 0), digit(millis / 10 | 0), digit(millis), 90,
  );
}

/**
 * UTF-8 text between two offsets; invalid sequences become U+FFFD as in the driver. Short
 * ASCII text (most names and values) is sliced as latin1, which skips the UTF-8 decoder.
 */
export function utf8(bytes: Buffer, start: number, end: number): string {
  if (end - start <= 24) {
    let i = start;
    while (i < end && bytes[i]! < 0x80) i++;
    if (i === end) return bytes.toString('latin1', start, end);
  }
  return bytes.toString('utf8', start, end);
}

/** The offset of the NUL that ends the C string at `start`, before `limit`. */
export function cstringEnd(bytes: Buffer, start: number, limit: number): number {
  const end = bytes.indexOf(0, start);
  if (end < 0 || end >= limit) throw new MalformedBson('unterminated field name');
  return end;
}

/** Where the text of the length-prefixed string at `at` ends (its NUL), checked to be inside `limit`. */
export function stringEnd(bytes: Buffer, at: number, limit: number): number {
  const size = int32(bytes, at);
  if (size <= 0 || at + 4 + size > limit || bytes[at + 3 + size] !== 0) throw new MalformedBson('bad string length');
  return at + 3 + size;
}

/** The end of an embedded document or array starting at `at`, checked against `limit`. */
export function documentEnd(bytes: Buffer, at: number, limit: number): number {
  const size = int32(bytes, at);
  if (size < 5 || at + size > limit || bytes[at + size - 1] !== 0) throw new MalformedBson('bad embedded document length');
  return at + size;
}

/** Where the value of an element of `type` starting at `at` ends. */
export function valueEnd(bytes: Buffer, type: number, at: number, limit: number): number {
  let end: number;
  switch (type) {
    case 0x06: case 0x0a: case 0x7f: case 0xff: end = at; break; // undefined, null, MinKey, MaxKey
    case 0x08: end = at + 1; break; // boolean
    case 0x10: end = at + 4; break; // int32
    case 0x01: case 0x09: case 0x11: case 0x12: end = at + 8; break; // double, date, timestamp, int64
    case 0x07: end = at + 12; break; // ObjectId
    case 0x13: end = at + 16; break; // Decimal128
    case 0x02: case 0x0d: case 0x0e: end = at + 4 + int32(bytes, at); break; // string, code, symbol
    case 0x03: case 0x04: case 0x0f: end = at + int32(bytes, at); break; // document, array, code with scope
    case 0x05: end = at + 5 + int32(bytes, at); break; // binary
    case 0x0c: end = at + 4 + int32(bytes, at) + 12; break; // DBPointer
    case 0x0b: end = cstringEnd(bytes, cstringEnd(bytes, at, limit) + 1, limit) + 1; break; // regex
    default: throw new MalformedBson(`unknown BSON type 0x${type.toString(16)}`);
  }
  if (end <= at && type !== 0x06 && type !== 0x0a && type !== 0x7f && type !== 0xff) throw new MalformedBson('bad value length');
  if (end > limit) throw new MalformedBson('value runs past its document');
  return end;
}

/** One element's value decoded by the driver's code, as it would appear in the decoded document. */
export function decodeValue(bytes: Buffer, type: number, start: number, end: number): unknown {
  const wrapper = Buffer.allocUnsafe(4 + 3 + (end - start) + 1);
  wrapper.writeInt32LE(wrapper.length, 0);
  wrapper[4] = type;
  wrapper[5] = 0x76; // "v"
  wrapper[6] = 0;
  bytes.copy(wrapper, 7, start, end);
  wrapper[wrapper.length - 1] = 0;
  return (deserialize(wrapper, DRIVER_DECODING) as { v?: unknown }).v;
}
