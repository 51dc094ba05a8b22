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
import { copyField, copyFields, NULL_FIELD, parseCopyField } from './copy-text.ts';
import type { FlatRow, FlatValue } from './flatten.ts';
import type { PartColumn, PartValueKind } from './manifest.ts';
import type { PartPlan } from './part-fit.ts';
import type { LineFormat, RowEncoder } from './part-rows.ts';
import { addRepairs, clearRepairs, coercerFor, coercesToPlainText, hasRepairs, noRepairs, Rejection, type Coercer, type RepairCounts, type WarehouseColumn } from './repair.ts';

/** How to read a part of COPY text whose columns are `partColumns`, for `loadColumns` as `plan` maps them. */
export function copyTextFormat(partColumns: readonly PartColumn[], loadColumns: readonly WarehouseColumn[], plan: PartPlan, keyColumn: string): LineFormat {
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

function copyRowEncoder(partColumns: readonly PartColumn[], loadColumns: readonly WarehouseColumn[], plan: PartPlan, repairs: RepairCounts): RowEncoder {
  const coercers: Coercer[] = loadColumns.map(coercerFor);
  const plain = loadColumns.map(coercesToPlainText);
  const kinds = plan.sources.map((source) => (source < 0 ? [] : partColumns[source]!.kinds));
  const values: (string | null)[] = new Array(loadColumns.length);
  // Repairs of a record that is then rejected must not count: they are staged per record.
  const own = noRepairs();
  /** The load column's value as the column's text input (COPY-escaped when `escaped`). */
  const valueAt = (fields: readonly string[], i: number, escaped: boolean): string | null => {
    const source = plan.sources[i]!;
    if (source < 0) return coercers[i]!(undefined, own);
    const field = fields[source]!;
    if (plan.raw[i]) return escaped ? field : parseCopyField(field);
    const text = parseCopyField(field);
    const value = coercers[i]!(text === null ? null : flatValueOf(text, kinds[i]!), own);
    return escaped && value !== null && !plain[i] ? copyField(value) : value;
  };
  const fieldsOf = (line: string): string[] => {
    const fields = copyFields(line);
    if (fields.length !== partColumns.length) {
      throw new Rejection(`the line has ${fields.length} fields where the part's column list has ${partColumns.length}`);
    }
    if (hasRepairs(own)) clearRepairs(own); // left by a rejected record
    return fields;
  };
  const commitRepairs = () => {
    if (!hasRepairs(own)) return;
    addRepairs(repairs, own);
    clearRepairs(own);
  };
  return {
    values(line) {
      const fields = fieldsOf(line);
      for (let i = 0; i < loadColumns.length; i++) values[i] = valueAt(fields, i, false);
      commitRepairs();
      return values;
    },
    copyLine(line) {
      const fields = fieldsOf(line);
      let text = '';
      for (let i = 0; i < loadColumns.length; i++) {
        const field = valueAt(fields, i, true) ?? NULL_FIELD;
        text = i === 0 ? field : text + '\t' + field;
      }
      commitRepairs();
      return text + '\n';
    },
  };
}
