/**
 * One part's NDJSON lines to COPY text for its staging table: each value coerced (and, where
 * needed, repaired) for its column; a record that cannot be repaired is handed to `onReject`
 * instead of breaking the load. A Transform, so a part streams from S3 to PostgreSQL.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { copyLine } from './copy-text.ts';
import type { FlatRow } from './flatten.ts';
import { addRepairs, clearRepairs, coercerFor, noRepairs, Rejection, type Coercer, type RepairCounts, type WarehouseColumn } from './repair.ts';

export interface RejectedRecord {
  lineNumber: number;
  sourceId: string | null;
  reason: string;
  record: string;
}

export interface RowEncoder {
  /** One NDJSON line's values in column order, as the columns' text input; throws Rejection. */
  values(line: string): (string | null)[];
}

/** A record's values in column order, coerced; counts its repairs into `repairs`. */
export function rowEncoder(columns: readonly WarehouseColumn[], repairs: RepairCounts): RowEncoder {
  const names = columns.map((column) => column.name);
  const coercers: Coercer[] = columns.map(coercerFor);
  const values: (string | null)[] = new Array(columns.length);
  const own = noRepairs();
  return {
    values(line) {
      let row: FlatRow;
      try {
        row = JSON.parse(line) as FlatRow;
      } catch (error) {
        throw new Rejection(`the line is not valid JSON (${(error as Error).message})`);
      }
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new Rejection('the line is not a JSON object');
      // Repairs of a record that is then rejected must not count: stage them per record.
      clearRepairs(own);
      for (let i = 0; i < coercers.length; i++) values[i] = coercers[i]!(row[names[i]!], own);
      addRepairs(repairs, own);
      return values;
    },
  };
}

/** The source id of a raw line, for a reject's row in the rejects table. */
export function sourceIdOf(line: string, keyColumn: string): string | null {
  try {
    const value = (JSON.parse(line) as FlatRow)[keyColumn];
    return typeof value === 'string' ? value : value === undefined || value === null ? null : JSON.stringify(value);
  } catch {
    return null;
  }
}

/** Rejected records keep at most this much of their line. */
const MAX_RECORD_CHARS = 10_000;

export class PartRowsTransform extends Transform {
  readonly #encoder: RowEncoder;
  readonly #decoder = new StringDecoder('utf8');
  readonly #onReject: (reject: RejectedRecord) => void;
  readonly #keyColumn: string;
  #carry = '';
  #lineNumber = 0;
  rows = 0;

  constructor(encoder: RowEncoder, keyColumn: string, onReject: (reject: RejectedRecord) => void) {
    super({ readableHighWaterMark: 256 * 1024 });
    this.#encoder = encoder;
    this.#keyColumn = keyColumn;
    this.#onReject = onReject;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = this.#carry + this.#decoder.write(chunk);
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.#carry = text;
      return callback();
    }
    this.#carry = text.slice(end + 1);
    callback(null, this.encodeLines(text, end));
  }

  override _flush(callback: TransformCallback): void {
    const text = this.#carry + this.#decoder.end();
    this.#carry = '';
    callback(null, text.trim() === '' ? undefined : this.encodeLines(text + '\n', text.length));
  }

  private encodeLines(text: string, end: number): string {
    let out = '';
    let start = 0;
    while (start < end) {
      let stop = text.indexOf('\n', start);
      if (stop < 0 || stop > end) stop = end;
      const line = text.slice(start, stop);
      start = stop + 1;
      this.#lineNumber++;
      if (line === '') continue;
      try {
        out += copyLine(this.#encoder.values(line));
        this.rows++;
      } catch (error) {
        if (!(error instanceof Rejection)) throw error;
        this.#onReject({
          lineNumber: this.#lineNumber,
          sourceId: sourceIdOf(line, this.#keyColumn),
          reason: error.message,
          record: line.length > MAX_RECORD_CHARS ? line.slice(0, MAX_RECORD_CHARS) + '…' : line,
        });
      }
    }
    return out;
  }
}
