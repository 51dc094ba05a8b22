/**
 * Which of a COPY text part's columns the warehouse takes as they are (pure). A column fits
 * when every value the part holds in it is text the column's type accepts unchanged and that the
 * coercer (repair.ts) would have passed through untouched: then stage_load need not look at its
 * values. A part whose every column fits, with every required column present, is loaded by
 * piping its bytes into COPY; the others have only their non-fitting columns coerced.
 *
 * The rules decide from what the writer noted per part and column (PartColumn), so they must
 * never say "fits" for a value the coercer would change, repair or reject; saying "does not
 * fit" too often only costs speed.
 */
import type { PartColumn, PartValueKind } from './manifest.ts';
import type { WarehouseColumn } from './repair.ts';

export const INTEGER_RANGES: Record<string, readonly [number, number]> = {
  smallint: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  // Beyond the safe integers a JavaScript number is not exact, and prints in exponent form past 1e21.
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
const NUMBER_KINDS = new Set<PartValueKind>(['integer', 'number']);
export const TEXT_TYPES = new Set(['text', 'character varying', 'character']);
const FLOAT_TYPES = new Set(['double precision', 'real']);
export const TIMESTAMP_TYPES = new Set(['timestamp with time zone', 'timestamp without time zone']);
/** Types the coercer converts (repair.ts); any other type gets the value's text and the database checks it. */
const CONVERTED_TYPES = new Set([...TEXT_TYPES, ...FLOAT_TYPES, ...TIMESTAMP_TYPES, ...Object.keys(INTEGER_RANGES), 'numeric', 'boolean', 'date', 'json', 'jsonb']);

export function fitsColumn(part: PartColumn, column: WarehouseColumn): boolean {
  if (part.nulls && !column.nullable) return false;
  if (part.repair) return false;
  const kinds = part.kinds;
  const only = (...allowed: PartValueKind[]) => kinds.every((kind) => allowed.includes(kind));
  const type = column.dataType;
  // The writer's text of a value is the text converter's (strings as they are, numbers as
  // JavaScript prints them, booleans true/false, JSON): only the width can be too much.
  if (TEXT_TYPES.has(type)) return column.maxLength === null || part.width <= column.maxLength;
  const range = INTEGER_RANGES[type];
  if (range) return only('integer') && withinRange(part, range[0], range[1]);
  if (type === 'numeric') {
    if (!kinds.every((kind) => NUMBER_KINDS.has(kind))) return false;
    if (column.numericPrecision === null || kinds.length === 0) return true;
    const limit = 10 ** (column.numericPrecision - (column.numericScale ?? 0));
    return Math.max(Math.abs(part.min ?? 0), Math.abs(part.max ?? 0)) < limit;
  }
  if (FLOAT_TYPES.has(type)) return kinds.every((kind) => NUMBER_KINDS.has(kind));
  if (type === 'boolean') return only('boolean');
  if (TIMESTAMP_TYPES.has(type)) return kinds.length === 0 || (only('string') && part.dates);
  if (type === 'json' || type === 'jsonb') return only('json');
  // `date` keeps only the day of a timestamp: its values are converted, so they never fit.
  if (CONVERTED_TYPES.has(type)) return false;
  // uuid, inet, enums, arrays: the coercer hands over the value's text (repaired, and these are not).
  return true;
}

function withinRange(part: PartColumn, min: number, max: number): boolean {
  return part.kinds.length === 0 || ((part.min ?? 0) >= min && (part.max ?? 0) <= max);
}

export interface PartPlan {
  /** The part's bytes go to COPY as they are, with the part's own column list. */
  fast: boolean;
  /** Per load column (in order): the position of the part's field that holds it, or -1. */
  sources: number[];
  /** Per load column: its field is copied as it is (true) or coerced (false). */
  raw: boolean[];
}

/** How one part's fields become a staging table's columns. */
export function planPart(partColumns: readonly PartColumn[], loadColumns: readonly WarehouseColumn[]): PartPlan {
  const position = new Map(partColumns.map((column, i) => [column.name, i]));
  const sources = loadColumns.map((column) => position.get(column.name) ?? -1);
  const raw = loadColumns.map((column, i) => sources[i]! >= 0 && fitsColumn(partColumns[sources[i]!]!, column));
  const loaded = new Set(loadColumns.map((column) => column.name));
  const fast =
    partColumns.every((column) => loaded.has(column.name)) &&
    loadColumns.every((column, i) => (sources[i]! >= 0 ? raw[i] : column.nullable));
  return { fast, sources, raw };
}
