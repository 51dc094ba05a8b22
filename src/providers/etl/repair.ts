/**
 * Values to what a warehouse column accepts (pure). PostgreSQL's COPY rejects a whole load for
 * one bad value and has no equivalent of Redshift's ACCEPTANYDATE / TRUNCATECOLUMNS /
 * ACCEPTINVCHARS, so the repairs happen here, each one counted: an impossible date becomes NULL,
 * an over-long string is cut to the column's width, text that is not valid Unicode gets
 * replacement characters. A value that cannot be repaired (letters in an integer column, a
 * missing required value) rejects its record, with a reason a person can act on.
 */
import type { FlatValue } from './flatten.ts';

/** A warehouse column, as information_schema describes it. */
export interface WarehouseColumn {
  name: string;
  /** information_schema.columns.data_type, e.g. `character varying`, `integer`, `timestamp with time zone`. */
  dataType: string;
  /** Character limit of varchar(n) / char(n). */
  maxLength: number | null;
  numericPrecision: number | null;
  numericScale: number | null;
  nullable: boolean;
}

export interface RepairCounts {
  invalidDate: number;
  truncated: number;
  invalidUtf8: number;
}

export function noRepairs(): RepairCounts {
  return { invalidDate: 0, truncated: 0, invalidUtf8: 0 };
}

export function hasRepairs(counts: RepairCounts): boolean {
  return counts.invalidDate + counts.truncated + counts.invalidUtf8 > 0;
}

/** Back to zero, in place (a counter reused for every record). */
export function clearRepairs(counts: RepairCounts): void {
  Object.assign(counts, noRepairs());
}

export function addRepairs(into: RepairCounts, more: RepairCounts): RepairCounts {
  into.invalidDate += more.invalidDate;
  into.truncated += more.truncated;
  into.invalidUtf8 += more.invalidUtf8;
  return into;
}

/**
 * The repairs of one record at a time, added to `into` only once the record is encoded whole:
 * the repairs of a record that is then rejected must not count.
 */
export class RecordRepairs {
  /** What the coercers of the current record count into. */
  readonly counts = noRepairs();

  constructor(private readonly into: RepairCounts) {}

  /** A new record: forgets what a rejected one left. */
  begin(): void {
    if (hasRepairs(this.counts)) clearRepairs(this.counts);
  }

  /** The record is encoded: its repairs count. */
  commit(): void {
    if (!hasRepairs(this.counts)) return;
    addRepairs(this.into, this.counts);
    clearRepairs(this.counts);
  }
}

/** Thrown by a coercer for a value that cannot be repaired; its message is the reject reason. */
export class Rejection extends Error {
  override name = 'Rejection';
}

/** A value as the column's text input, or null for NULL; counts repairs; throws Rejection. */
export type Coercer = (value: FlatValue | undefined, repairs: RepairCounts) => string | null;

/** The coercer of one column: chosen once per load, called once per value. */
export function coercerFor(column: WarehouseColumn): Coercer {
  const convert = converterFor(column);
  const label = `column ${column.name} (${describeType(column)})`;
  return (value, repairs) => {
    if (value === null || value === undefined) {
      if (!column.nullable) throw new Rejection(`${label} requires a value and the record has none`);
      return null;
    }
    const converted = convert(value, repairs, label);
    if (converted === null && !column.nullable) throw new Rejection(`${label} requires a value and the record's was unusable`);
    return converted;
  };
}

type Converter = (value: Exclude<FlatValue, null>, repairs: RepairCounts, label: string) => string | null;

function converterFor(column: WarehouseColumn): Converter {
  switch (column.dataType) {
    case 'text':
    case 'character varying':
    case 'character':
      return textConverter(column.maxLength);
    case 'smallint':
      return integerConverter(-32768n, 32767n);
    case 'integer':
      return integerConverter(-2147483648n, 2147483647n);
    case 'bigint':
      return integerConverter(-9223372036854775808n, 9223372036854775807n);
    case 'numeric':
      return numericConverter(column.numericPrecision, column.numericScale);
    case 'double precision':
    case 'real':
      return numericConverter(null, null);
    case 'boolean':
      return booleanConverter;
    case 'timestamp with time zone':
    case 'timestamp without time zone':
      return dateConverter(false);
    case 'date':
      return dateConverter(true);
    case 'json':
    case 'jsonb':
      return (value, repairs) => cleanText(JSON.stringify(value), repairs);
    default:
      // uuid, inet, enums…: the database checks these; a load that fails on one retries row by row.
      return (value, repairs) => cleanText(asText(value), repairs);
  }
}

/** Types whose converters above write only digits, signs, letters, `.`, `:` and spaces. */
const PLAIN_TEXT_TYPES = new Set([
  'smallint', 'integer', 'bigint', 'numeric', 'double precision', 'real', 'boolean',
  'timestamp with time zone', 'timestamp without time zone', 'date',
]);

/** Whether a column's coerced values never hold a tab, newline or backslash (that COPY's text format would need escaped). */
export function coercesToPlainText(column: WarehouseColumn): boolean {
  return PLAIN_TEXT_TYPES.has(column.dataType);
}

export function describeType(column: WarehouseColumn): string {
  if (column.maxLength !== null) return `${column.dataType}(${column.maxLength})`;
  if (column.dataType === 'numeric' && column.numericPrecision !== null) {
    return `numeric(${column.numericPrecision},${column.numericScale ?? 0})`;
  }
  return column.dataType;
}

function asText(value: Exclude<FlatValue, null>): string {
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function textConverter(maxLength: number | null): Converter {
  return (value, repairs) => {
    const text = cleanText(asText(value), repairs);
    // .length counts UTF-16 units, never fewer than characters: the exact count is only needed past it.
    if (maxLength === null || text.length <= maxLength) return text;
    const end = codePointsEnd(text, maxLength);
    if (end === text.length) return text;
    repairs.truncated++;
    return text.slice(0, end);
  };
}

/** Where the first `count` characters (code points) of well-formed text end, in UTF-16 units. */
function codePointsEnd(text: string, count: number): number {
  let end = 0;
  for (let characters = 0; characters < count && end < text.length; characters++) {
    // A high surrogate starts a pair (cleanText left no unpaired one): two units, one character.
    const unit = text.charCodeAt(end);
    end += unit >= 0xd800 && unit <= 0xdbff ? 2 : 1;
  }
  return end;
}

const REPLACEMENT = '\uFFFD';

/**
 * Text PostgreSQL can store: unpaired surrogates and NUL become U+FFFD. Text that already holds
 * U+FFFD counts too: that is what a decoder leaves where the source had invalid UTF-8.
 */
export function cleanText(text: string, repairs: RepairCounts): string {
  if (!needsTextRepair(text)) return text;
  repairs.invalidUtf8++;
  const wellFormed = (text as unknown as { isWellFormed(): boolean }).isWellFormed();
  const fixed = wellFormed ? text : (text as unknown as { toWellFormed(): string }).toWellFormed();
  return fixed.replaceAll('\0', REPLACEMENT);
}

/** Whether cleanText would change (and count) this text. */
export function needsTextRepair(text: string): boolean {
  return !(text as unknown as { isWellFormed(): boolean }).isWellFormed() || text.includes('\0') || text.includes(REPLACEMENT);
}

const INTEGER_TEXT = /^[+-]?\d+$/;

function integerConverter(min: bigint, max: bigint): Converter {
  const [minNumber, maxNumber] = [Number(min), Number(max)];
  return (value, _repairs, label) => {
    let digits: string;
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) throw new Rejection(`${label} cannot hold ${value}: not a whole number`);
      // The common case, without BigInt: a safe integer compares exactly with the bounds as numbers.
      if (Number.isSafeInteger(value)) {
        if (value < minNumber || value > maxNumber) throw new Rejection(`${label} cannot hold ${value}: out of range`);
        return String(value);
      }
      digits = value.toFixed(0);
    } else if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) {
      digits = value.trim();
    } else if (typeof value === 'boolean') {
      throw new Rejection(`${label} cannot hold the boolean ${value}`);
    } else {
      throw new Rejection(`${label} cannot hold ${preview(value)}: not a whole number`);
    }
    const big = BigInt(digits);
    if (big < min || big > max) throw new Rejection(`${label} cannot hold ${digits}: out of range`);
    return big.toString();
  };
}

const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function numericConverter(precision: number | null, scale: number | null): Converter {
  const integerDigits = precision === null ? null : precision - (scale ?? 0);
  return (value, _repairs, label) => {
    let text: string;
    if (typeof value === 'number') text = String(value);
    else if (typeof value === 'string' && DECIMAL_TEXT.test(value.trim())) text = value.trim();
    else throw new Rejection(`${label} cannot hold ${preview(value)}: not a number`);
    if (integerDigits !== null) {
      const magnitude = Math.abs(Number(text));
      const roundedDigits = magnitude < 1 ? 0 : Math.floor(Math.log10(magnitude)) + 1;
      if (!Number.isFinite(magnitude) || roundedDigits > integerDigits) {
        throw new Rejection(`${label} cannot hold ${text}: more than ${integerDigits} digits before the decimal point`);
      }
    }
    return text;
  };
}

const BOOLEAN_TEXT = new Map<string, string>([
  ['true', 't'], ['t', 't'], ['yes', 't'], ['y', 't'], ['1', 't'],
  ['false', 'f'], ['f', 'f'], ['no', 'f'], ['n', 'f'], ['0', 'f'],
]);

const booleanConverter: Converter = (value, _repairs, label) => {
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value === 0 || value === 1) return value === 1 ? 't' : 'f';
  const text = typeof value === 'string' ? BOOLEAN_TEXT.get(value.trim().toLowerCase()) : undefined;
  if (text === undefined) throw new Rejection(`${label} cannot hold ${preview(value)}: not true or false`);
  return text;
};

// 2026-11-23, 2026-11-23T10:00, 2026-11-23 10:00:00.123+01:00, …Z
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function dateConverter(dateOnly: boolean): Converter {
  return (value, repairs) => {
    const text = typeof value === 'number' && Number.isFinite(value) ? epochText(value) : typeof value === 'string' ? value.trim() : null;
    if (text === null || !isValidDateText(text)) {
      repairs.invalidDate++;
      return null;
    }
    return dateOnly ? text.slice(0, 10) : text;
  };
}

function epochText(milliseconds: number): string | null {
  const date = new Date(milliseconds);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** What toISOString writes: `d` a digit, every other character itself. */
const CANONICAL_ISO = 'dddd-dd-ddTdd:dd:dd.dddZ';
/** The same as bytes, 0 for a digit. */
const CANONICAL_BYTES = Uint8Array.from(CANONICAL_ISO, (c) => (c === 'd' ? 0 : c.charCodeAt(0)));

/** An ISO 8601 date or timestamp naming a day, hour, minute and second that exist. */
function isValidDateText(text: string): boolean {
  // Extract writes dates with toISOString (2026-11-23T10:00:00.000Z): checked without a regex.
  if (text.length === CANONICAL_ISO.length && isCanonicalIso(text)) return isRealCanonicalDate(text);
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const part = (i: number) => (match[i] === undefined ? 0 : Number(match[i]));
  return isRealDate(part(1), part(2), part(3), part(4), part(5), part(6));
}

/**
 * A real timestamp in the form extract writes dates (toISOString): what a timestamp column takes
 * as it is, the date converter above passing it through unchanged.
 */
export function isCanonicalTimestamp(text: string): boolean {
  return text.length === CANONICAL_ISO.length && isCanonicalIso(text) && isRealCanonicalDate(text);
}

/** The same, on the bytes of a COPY text field, bytes[start, end): for stage_load's check of a field (field-fit.ts). */
export function isCanonicalTimestampBytes(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start !== CANONICAL_ISO.length) return false;
  for (let i = 0; i < CANONICAL_ISO.length; i++) {
    const c = bytes[start + i]!;
    const expected = CANONICAL_BYTES[i]!;
    if (expected === 0 ? c < 48 || c > 57 : c !== expected) return false;
  }
  return isRealDate(byteDigits(bytes, start, 4), byteDigits(bytes, start + 5, 2), byteDigits(bytes, start + 8, 2), byteDigits(bytes, start + 11, 2), byteDigits(bytes, start + 14, 2), byteDigits(bytes, start + 17, 2));
}

function byteDigits(bytes: Uint8Array, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) value = value * 10 + bytes[i]! - 48;
  return value;
}

function isRealCanonicalDate(text: string): boolean {
  return isRealDate(digitsAt(text, 0, 4), digitsAt(text, 5, 2), digitsAt(text, 8, 2), digitsAt(text, 11, 2), digitsAt(text, 14, 2), digitsAt(text, 17, 2));
}

function isCanonicalIso(text: string): boolean {
  for (let i = 0; i < CANONICAL_ISO.length; i++) {
    const c = text.charCodeAt(i);
    const ok = CANONICAL_ISO[i] === 'd' ? c >= 48 && c <= 57 : c === CANONICAL_ISO.charCodeAt(i);
    if (!ok) return false;
  }
  return true;
}

function digitsAt(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isRealDate(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0) && hour <= 23 && minute <= 59 && second <= 59;
}

function preview(value: Exclude<FlatValue, null>): string {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
