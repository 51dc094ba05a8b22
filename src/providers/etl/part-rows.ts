/**
 * One part's lines to COPY text for its staging table: each value coerced (and, where needed,
 * repaired) for its column; a record that cannot be repaired is handed to `onReject` instead of
 * breaking the load. The lines are NDJSON (parts of version-1 manifests; rowEncoder here) or
 * COPY text (copy-rows.ts), each format a LineFormat. PartEncoder is the logic line by line (a
 * COPY text part's bytes have their own, part-bytes.ts), PartRowsTransform the stream stage
 * between S3 and COPY.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { LinesEncoder } from './copy-output.ts';
import { copyField, NULL_FIELD } from './copy-text.ts';
import type { FlatRow } from './flatten.ts';
import { coercerFor, coercesToPlainText, noRepairs, RecordRepairs, Rejection, type Coercer, type RepairCounts, type WarehouseColumn } from './repair.ts';

export interface RejectedRecord {
  lineNumber: number;
  sourceId: string | null;
  reason: string;
  record: string;
}

export interface RowEncoder {
  /** One line's values in column order, as the columns' text input; throws Rejection. */
  values(line: string): (string | null)[];
  /** The same values as one line of COPY text, newline included; throws Rejection. */
  copyLine(line: string): string;
}

/** A record's values in column order, coerced; counts its repairs into `repairs`. */
export function rowEncoder(columns: readonly WarehouseColumn[], repairs: RepairCounts): RowEncoder {
  const names = columns.map((column) => column.name);
  const coercers: Coercer[] = columns.map(coercerFor);
  const plain = columns.map(coercesToPlainText);
  const values: (string | null)[] = new Array(columns.length);
  const record = new RecordRepairs(repairs);
  const own = record.counts;
  const parse = (line: string): FlatRow => {
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new Rejection(`the line is not valid JSON (${(error as Error).message})`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new Rejection('the line is not a JSON object');
    record.begin();
    return row as FlatRow;
  };
  return {
    values(line) {
      const row = parse(line);
      for (let i = 0; i < coercers.length; i++) values[i] = coercers[i]!(row[names[i]!], own);
      record.commit();
      return values;
    },
    copyLine(line) {
      const row = parse(line);
      let text = '';
      for (let i = 0; i < coercers.length; i++) {
        const value = coercers[i]!(row[names[i]!], own);
        const field = value === null ? NULL_FIELD : plain[i] ? value : copyField(value);
        text = i === 0 ? field : text + '\t' + field;
      }
      record.commit();
      return text + '\n';
    },
  };
}

/** How the lines of one part's format are read. */
export interface LineFormat {
  /** An encoder of lines for the staging table's columns; counts repairs into `repairs`. */
  encoder(repairs: RepairCounts): RowEncoder;
  /** The record's source id, for a reject's row in the rejects table. */
  sourceId(line: string): string | null;
  /** The record as the rejects table shows it. */
  record(line: string): string;
  /** An empty line is a record (COPY text of a part with one column), not nothing. */
  emptyLineIsRecord: boolean;
}

/** NDJSON lines: a record is its line. */
export function ndjsonFormat(columns: readonly WarehouseColumn[], keyColumn: string): LineFormat {
  return {
    encoder: (repairs) => rowEncoder(columns, repairs),
    sourceId: (line) => sourceIdOf(line, keyColumn),
    record: (line) => line,
    emptyLineIsRecord: false,
  };
}

/** Rejected records keep at most this much of their line. */
const MAX_RECORD_CHARS = 10_000;

/** A record's text for the rejects table, cut to a size a row there can hold. */
export function rejectRecord(text: string): string {
  return text.length > MAX_RECORD_CHARS ? text.slice(0, MAX_RECORD_CHARS) + '…' : text;
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

const NEWLINE = 0x0a;

/** A part's bytes in chunks, to COPY text: what PartRowsTransform runs. */
export interface ChunkEncoder {
  /** The COPY text of the lines this chunk completes, or null when it completes none. */
  write(chunk: Buffer): Buffer | null;
  /** The COPY text of a last line with no newline after it, or null. */
  end(): Buffer | null;
  readonly rows: number;
  /** Repairs of the records encoded so far. */
  readonly repairs: RepairCounts;
}

/**
 * What both encoders of a part share (this one and part-bytes.ts): the records and repairs they
 * count, and how a line the row encoder refuses becomes a reject, numbered by its line in the part.
 */
export abstract class RecordLinesEncoder<F extends LineFormat> extends LinesEncoder implements ChunkEncoder {
  readonly repairs = noRepairs();
  rows = 0;
  /** The number of the line being encoded, from 1. */
  protected lineNumber = 0;
  protected readonly encoder: ReturnType<F['encoder']>;

  constructor(
    protected readonly format: F,
    private readonly onReject: (reject: RejectedRecord) => void,
  ) {
    super();
    this.encoder = format.encoder(this.repairs) as ReturnType<F['encoder']>;
  }

  /** Writes the COPY line `encode` makes of `line`, or, refused, records the line as rejected. */
  protected encodeRecord(line: string, encode: (line: string) => string): void {
    try {
      this.out.text(encode(line));
      this.rows++;
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      this.onReject(rejectedLine(this.format, this.lineNumber, line, error));
    }
  }
}

/**
 * One part's lines, fed in chunks as they arrive, to COPY text (UTF-8), line by line through a
 * RowEncoder. Each line is decoded on its own, so that one non-ASCII character makes only its
 * own line a two-byte string (decoding and copying those is several times slower), and each
 * COPY line is written straight into the output buffer (encoding a long string of many pieces
 * to UTF-8 at once is slow too).
 */
export class PartEncoder extends RecordLinesEncoder<LineFormat> {
  /** `format` is how the part's lines are read: NDJSON unless told otherwise. */
  constructor(columns: readonly WarehouseColumn[], keyColumn: string, onReject: (reject: RejectedRecord) => void, format: LineFormat = ndjsonFormat(columns, keyColumn)) {
    super(format, onReject);
  }

  readonly #copyLine = (line: string) => this.encoder.copyLine(line);

  protected override encodeLines(bytes: Buffer, from: number, end: number): void {
    let start = from;
    while (start <= end) {
      let stop = bytes.indexOf(NEWLINE, start);
      if (stop < 0 || stop > end) stop = end;
      const line = bytes.toString('utf8', start, stop);
      start = stop + 1;
      this.lineNumber++;
      if (line === '' && !this.format.emptyLineIsRecord) continue;
      this.encodeRecord(line, this.#copyLine);
    }
  }
}

/** A rejected line as the rejects table gets it. */
export function rejectedLine(format: LineFormat, lineNumber: number, line: string, error: Rejection): RejectedRecord {
  return { lineNumber, sourceId: format.sourceId(line), reason: error.message, record: rejectRecord(format.record(line)) };
}

/** A part's bytes in, COPY text out; `rows` and `repairs` are final once it has ended. */
export class PartRowsTransform extends Transform {
  readonly #part: ChunkEncoder;

  constructor(part: ChunkEncoder) {
    super({ readableHighWaterMark: 256 * 1024 });
    this.#part = part;
  }

  get rows(): number {
    return this.#part.rows;
  }

  get repairs(): RepairCounts {
    return this.#part.repairs;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, this.#part.write(chunk) ?? undefined);
  }

  override _flush(callback: TransformCallback): void {
    callback(null, this.#part.end() ?? undefined);
  }
}
