/**
 * The lines of a COPY text part (manifest version 2) for a staging table that does not take the
 * part as it is (part-fit.ts): fields whose column fits are copied as they are, still escaped;
 * the others are decoded, coerced like NDJSON values (repair.ts) and escaped again; fields the
 * warehouse has no column for are dropped. Repairs, rejects and their reasons are those the
 * same record gets from an NDJSON part.
 *
 * COPY text keeps a value's text, not its JSON type. A column the part holds one kind of value
 * in is read back exactly; in a column that mixes strings with numbers, booleans or JSON, a
 * string spelled exactly as one of those is read as that kind. Only a date column (a number is
 * epoch milliseconds, a numeric string an impossible date), a JSON column, and the wording of a
 * reject's reason can tell the difference, and only for such a string in such a column.
 */
import { copyField, copyFields, FIELD_SEPARATOR, NULL_FIELD, parseCopyField } from './copy-text.ts';
import type { FlatRow, FlatValue } from './flatten.ts';
import type { PartColumn, PartValueKind } from './manifest.ts';
import type { PartPlan } from './part-fit.ts';
import type { LineFormat, RowEncoder } from './part-rows.ts';
import { coercerFor, coercesToPlainText, RecordRepairs, Rejection, type Coercer, type RepairCounts, type WarehouseColumn } from './repair.ts';

// Read once: an imported binding is a getter call where tsx compiles modules to CommonJS, and these are used per field.
const SEPARATOR = FIELD_SEPARATOR;
const NULL_TEXT = NULL_FIELD;

/** A COPY text line's encoder, which also hands out the line's fields for COPY one by one. */
export interface CopyRowEncoder extends RowEncoder {
  /** The line's fields as COPY text, in load column order (the array is reused); throws Rejection. */
  fields(line: string): readonly string[];
}

export interface CopyTextFormat extends LineFormat {
  encoder(repairs: RepairCounts): CopyRowEncoder;
}

/** How to read a part of COPY text whose columns are `partColumns`, for `loadColumns` as `plan` maps them. */
export function copyTextFormat(partColumns: readonly PartColumn[], loadColumns: readonly WarehouseColumn[], plan: PartPlan, keyColumn: string): CopyTextFormat {
  const key = partColumns.findIndex((column) => column.name === keyColumn);
  return {
    encoder: (repairs) => copyRowEncoder(partColumns, loadColumns, plan, repairs),
    sourceId(line) {
      const field = key < 0 ? undefined : copyFields(line)[key];
      return field === undefined ? null : parseCopyField(field);
    },
    record: (line) => JSON.stringify(decodeCopyLine(line, partColumns)),
    emptyLineIsRecord: partColumns.length === 1,
  };
}

/** A line of COPY text as the row extract wrote (for a reject's record); fields past the column list are kept by position. */
export function decodeCopyLine(line: string, partColumns: readonly PartColumn[]): FlatRow {
  const row: FlatRow = {};
  copyFields(line).forEach((field, i) => {
    const column = partColumns[i];
    const text = parseCopyField(field);
    row[column?.name ?? `field_${i + 1}`] = text === null || !column ? text : flatValueOf(text, column.kinds);
  });
  return row;
}

/** A value's text back to the value extract wrote, knowing which kinds the part holds in its column. */
export function flatValueOf(text: string, kinds: readonly PartValueKind[]): FlatValue {
  if (kinds.length === 1) {
    const [kind] = kinds;
    if (kind === 'string') return text;
    if (kind === 'boolean') return text === 'true';
    if (kind === 'json') return parseJson(text);
    return Number(text);
  }
  // Mixed kinds: the texts of numbers, booleans and JSON never look alike; only a string can look like one.
  if ((kinds.includes('integer') || kinds.includes('number')) && String(Number(text)) === text) return Number(text);
  if (kinds.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (kinds.includes('json') && (text.startsWith('[') || text.startsWith('{'))) return parseJson(text);
  return text;
}

function parseJson(text: string): FlatValue {
  try {
    return JSON.parse(text) as FlatValue;
  } catch {
    return text;
  }
}

function copyRowEncoder(partColumns: readonly PartColumn[], loadColumns: readonly WarehouseColumn[], plan: PartPlan, repairs: RepairCounts): CopyRowEncoder {
  const coercers: Coercer[] = loadColumns.map(coercerFor);
  const plain = loadColumns.map(coercesToPlainText);
  const kinds = plan.sources.map((source) => (source < 0 ? [] : partColumns[source]!.kinds));
  const fieldCount = partColumns.length;
  // Where each field of the current line starts and ends (reused for every line).
  const starts = new Int32Array(fieldCount);
  const ends = new Int32Array(fieldCount);
  const values: (string | null)[] = new Array(loadColumns.length);
  const fields: string[] = new Array(loadColumns.length);
  const record = new RecordRepairs(repairs);
  const own = record.counts;
  const findFields = (line: string): void => {
    let at = 0;
    for (let field = 0; field < fieldCount; field++) {
      const tab = line.indexOf(SEPARATOR, at);
      const last = field === fieldCount - 1;
      if (last !== (tab < 0)) {
        const found = last ? copyFields(line).length : field + 1;
        throw new Rejection(`the line has ${found} fields where the part's column list has ${fieldCount}`);
      }
      starts[field] = at;
      ends[field] = last ? line.length : tab;
      at = tab + 1;
    }
    record.begin();
  };
  /** A coerced load column's value, as the column's text input. */
  const coerced = (line: string, column: number): string | null => {
    const source = plan.sources[column]!;
    if (source < 0) return coercers[column]!(undefined, own);
    const text = parseCopyField(line.slice(starts[source], ends[source]));
    return coercers[column]!(text === null ? null : flatValueOf(text, kinds[column]!), own);
  };
  const encoder: CopyRowEncoder = {
    values(line) {
      findFields(line);
      for (let column = 0; column < loadColumns.length; column++) {
        const source = plan.sources[column]!;
        values[column] = plan.raw[column] ? parseCopyField(line.slice(starts[source], ends[source])) : coerced(line, column);
      }
      record.commit();
      return values;
    },
    fields(line) {
      findFields(line);
      for (let column = 0; column < loadColumns.length; column++) {
        const source = plan.sources[column]!;
        if (plan.raw[column]) {
          fields[column] = line.slice(starts[source], ends[source]);
        } else {
          const value = coerced(line, column);
          fields[column] = value === null ? NULL_TEXT : plain[column] ? value : copyField(value);
        }
      }
      record.commit();
      return fields;
    },
    copyLine(line) {
      return encoder.fields(line).join(SEPARATOR) + '\n';
    },
  };
  return encoder;
}
