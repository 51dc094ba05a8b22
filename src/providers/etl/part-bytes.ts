/**
 * A COPY text part that does not fit its staging table as a whole (part-fit.ts), encoded on its
 * bytes: most of its lines go to COPY as they are, and only the others are decoded and coerced.
 *
 * COPY gets the loaded fields in the part's own order (`copyOrder`), so that a line whose
 * fields all fit is a copy of the input line, and a run of such lines one copy (CopyOutput). A
 * field of a column that fits is never looked at; a field of one that does not is checked on
 * its bytes (field-fit.ts), and a line with a field that fails its check, or a line that is not
 * valid UTF-8 or does not have the part's number of fields, is decoded and encoded by the COPY
 * text row encoder (copy-rows.ts) exactly as a line-by-line load does: the same repairs,
 * rejects and reasons, the same staging rows. Warehouse columns the part lacks stay out of
 * COPY's column list, NULL: a required one rejects every record, and then every line is coerced.
 */
import { isUtf8 } from 'node:buffer';
import { copyTextFormat, type CopyTextFormat } from './copy-rows.ts';
import { fieldCheckFor, type FieldCheck } from './field-fit.ts';
import type { PartColumn } from './manifest.ts';
import type { PartPlan } from './part-fit.ts';
import { RecordLinesEncoder, type RejectedRecord } from './part-rows.ts';
import type { WarehouseColumn } from './repair.ts';

const NEWLINE = 0x0a;
const TAB = 0x09;

/** The load columns COPY gets from such a part, in the part's field order (empty: none of its fields is loaded). */
function copyOrder(plan: PartPlan): number[] {
  return plan.sources.map((source, column) => ({ source, column })).filter(({ source }) => source >= 0).sort((a, b) => a.source - b.source).map(({ column }) => column);
}

export class PartBytesEncoder extends RecordLinesEncoder<CopyTextFormat> {
  readonly #fieldCount: number;
  /** Per output field (COPY's column order): its field in the part, its load column, its check (none: it fits). */
  readonly #sources: number[];
  readonly #columns: number[];
  readonly #checks: (FieldCheck | undefined)[];
  /** A required column the part lacks: every record is rejected. */
  readonly #coerceAll: boolean;
  // Where each field of the current line starts and ends (reused for every line).
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;

  constructor(partColumns: readonly PartColumn[], loadColumns: readonly WarehouseColumn[], plan: PartPlan, keyColumn: string, onReject: (reject: RejectedRecord) => void) {
    super(copyTextFormat(partColumns, loadColumns, plan, keyColumn), onReject);
    this.#fieldCount = partColumns.length;
    this.#columns = copyOrder(plan);
    if (this.#columns.length === 0) throw new Error('a part none of whose fields is loaded has no COPY column list; encode it with PartEncoder');
    this.#sources = this.#columns.map((column) => plan.sources[column]!);
    this.#checks = this.#columns.map((column) => (plan.raw[column] ? undefined : fieldCheckFor(loadColumns[column]!, partColumns[plan.sources[column]!]!.kinds)));
    this.#coerceAll = loadColumns.some((column, i) => plan.sources[i]! < 0 && !column.nullable);
    this.#starts = new Int32Array(this.#fieldCount);
    this.#ends = new Int32Array(this.#fieldCount);
  }

  /** COPY's column list for this encoder's output. */
  static copyColumns(loadColumns: readonly WarehouseColumn[], plan: PartPlan): string[] {
    return copyOrder(plan).map((column) => loadColumns[column]!.name);
  }

  protected override encodeLines(bytes: Buffer, from: number, end: number): void {
    const starts = this.#starts;
    const ends = this.#ends;
    const last = this.#fieldCount - 1;
    // One check for all the lines; only when it fails is each line checked on its own.
    const valid = isUtf8(bytes.subarray(from, end));
    // The lines as Latin-1, one character per byte: the string's indexOf finds a newline or tab
    // faster than a loop over the bytes or Buffer's indexOf (a call into C++ each time).
    const text = bytes.toString('latin1', from, end);
    let start = from;
    while (start <= end) {
      let stop = text.indexOf('\n', start - from) + from;
      if (stop < from) stop = end;
      // The line's fields: each ends at its tab, the last one at the newline.
      let field = 0;
      starts[0] = start;
      for (let tab = text.indexOf('\t', start - from) + from; tab >= from && tab < stop; tab = text.indexOf('\t', tab + 1 - from) + from) {
        if (field < last) {
          ends[field] = tab;
          starts[field + 1] = tab + 1;
        }
        field++;
      }
      if (field <= last) ends[field] = stop;
      this.lineNumber++;
      if (stop === start && last > 0) {
        // An empty line of a part of several columns is nothing (as a line-by-line load has it).
      } else if (field === last && !this.#coerceAll && (valid || isUtf8(bytes.subarray(start, stop))) && this.#fits(bytes)) {
        this.#copyLine(bytes);
        this.rows++;
      } else {
        this.encodeRecord(bytes.toString('utf8', start, stop), this.#coerceLine);
      }
      start = stop + 1;
    }
  }

  /** Whether every field of a column that does not fit passes its check. */
  #fits(bytes: Buffer): boolean {
    const checks = this.#checks;
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i];
      if (check && !check(bytes, this.#starts[this.#sources[i]!]!, this.#ends[this.#sources[i]!]!)) return false;
    }
    return true;
  }

  /** The line's loaded fields as they are, each with the tab or newline after it in the input when that is the one COPY needs. */
  #copyLine(bytes: Buffer): void {
    const out = this.out;
    const sources = this.#sources;
    const last = sources.length - 1;
    for (let i = 0; i <= last; i++) {
      const source = sources[i]!;
      const fieldEnd = this.#ends[source]!;
      out.range(bytes, this.#starts[source]!, fieldEnd);
      const separator = i === last ? NEWLINE : TAB;
      if (fieldEnd < bytes.length && bytes[fieldEnd] === separator) out.range(bytes, fieldEnd, fieldEnd + 1);
      else out.byte(separator);
    }
  }

  /** The line's loaded fields, coerced by the row encoder, in COPY's column order. */
  readonly #coerceLine = (line: string): string => {
    const fields = this.encoder.fields(line);
    const columns = this.#columns;
    let text = fields[columns[0]!]!;
    for (let i = 1; i < columns.length; i++) text += '\t' + fields[columns[i]!]!;
    return text + '\n';
  };
}
