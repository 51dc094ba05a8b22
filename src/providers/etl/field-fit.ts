/**
 * Whether one field of a COPY text part goes to its column as it is (pure): part-fit.ts decides
 * per column, from the part's notes; this decides per value, for a column that did not fit
 * because a few of its values need a repair or a reject. A field fits when its bytes are exactly
 * what the coercer (repair.ts) would give back for its value, unchanged and with no repair
 * counted, once COPY text (copy-rows.ts) had decoded it and escaped it again.
 *
 * The checks read the bytes of a part whose every line is valid UTF-8 (the caller makes sure).
 * Like part-fit, they may say "does not fit" too often, which only sends the record through the
 * coercers; they never say "fits" for a value the coercer would change, repair or reject.
 */
import type { PartValueKind } from './manifest.ts';
import { INTEGER_RANGES, TEXT_TYPES, TIMESTAMP_TYPES } from './part-fit.ts';
import { isCanonicalTimestampBytes, type WarehouseColumn } from './repair.ts';

/** Whether bytes[start, end), one field, fits its column. */
export type FieldCheck = (bytes: Buffer, start: number, end: number) => boolean;

const BACKSLASH = 0x5c;
const never: FieldCheck = () => false;

/** The check of a column, or undefined when no value of it can fit but NULL (every non-NULL value is coerced). */
export function fieldCheckFor(column: WarehouseColumn, kinds: readonly PartValueKind[]): FieldCheck {
  const value = valueCheckFor(column, kinds) ?? never;
  // `\N` is NULL, which the coercer keeps for a nullable column and rejects otherwise.
  return (bytes, start, end) =>
    end - start === 2 && bytes[start] === BACKSLASH && bytes[start + 1] === 0x4e ? column.nullable : value(bytes, start, end);
}

function valueCheckFor(column: WarehouseColumn, kinds: readonly PartValueKind[]): FieldCheck | undefined {
  const type = column.dataType;
  // copy-rows.ts reads a field back as the kinds the part holds say (flatValueOf): these keep the
  // field's text, or give the number whose text it is.
  const single = kinds.length === 1 ? kinds[0] : undefined;
  if (TEXT_TYPES.has(type)) {
    // A string, or a number or boolean whose text is the field's; never JSON, which comes back re-serialized.
    return (single === undefined || single === 'string') && !kinds.includes('json') ? textCheck(column.maxLength) : undefined;
  }
  // A timestamp as extract writes dates (toISOString), of a day and time that exist: the converter keeps it.
  if (TIMESTAMP_TYPES.has(type)) return kinds.every((kind) => kind === 'string') ? isCanonicalTimestampBytes : undefined;
  const range = INTEGER_RANGES[type];
  if (range) return single === 'boolean' || single === 'json' ? undefined : integerCheck(range[0], range[1]);
  return undefined;
}

/**
 * Text the converter keeps: no NUL or U+FFFD (a repair), no raw CR (escaped again it would be
 * `\r`), only the escapes copyField writes, and at most `maxLength` characters (code points).
 */
function textCheck(maxLength: number | null): FieldCheck {
  return (bytes, start, end) => {
    let characters = 0;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      if (byte === BACKSLASH) {
        const next = bytes[i + 1];
        // \\ \t \n \r: the escapes copyField writes; any other would come back written otherwise.
        if (next !== BACKSLASH && next !== 0x74 && next !== 0x6e && next !== 0x72) return false;
        i++;
      } else if (byte === 0 || byte === 0x0d) {
        return false;
      } else if (byte >= 0x80) {
        // U+FFFD is EF BF BD; a continuation byte (10xxxxxx) is no new character.
        if (byte === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) return false;
        if ((byte & 0xc0) === 0x80) continue;
      }
      characters++;
    }
    return maxLength === null || characters <= maxLength;
  };
}

/**
 * An integer in the form JavaScript prints it (no `+`, no leading zero, no `-0`), within the
 * column's range: as a number or as a string of digits, the converter gives back the same text.
 * The ranges end at the safe integers (bigint's too, part-fit.ts), below which the digits add up
 * exactly; past them the sum is out of range whatever its rounding.
 */
function integerCheck(min: number, max: number): FieldCheck {
  return (bytes, start, end) => {
    const negative = bytes[start] === 0x2d;
    const first = negative ? start + 1 : start;
    if (first === end) return false;
    if (bytes[first] === 0x30 && (end - first > 1 || negative)) return false;
    let value = 0;
    for (let i = first; i < end; i++) {
      const digit = bytes[i]! - 0x30;
      if (digit < 0 || digit > 9) return false;
      value = value * 10 + digit;
    }
    if (negative) value = -value;
    return value >= min && value <= max;
  };
}
