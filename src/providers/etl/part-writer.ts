/**
 * Rows of one table to S3 as gzip-compressed parts of PostgreSQL COPY text, of at most
 * `rowsPerPart` rows and about `MAX_PART_BYTES` compressed bytes each. A part is compressed
 * while it is written and sent with one PUT when it is full; nothing touches the local disk, and
 * memory stays at two parts per table (the one being filled, the one being sent) whatever the
 * table's size.
 *
 * A part's lines have the fields of its column list, which the manifest records with what the
 * part holds in each column (PartColumns). Rows stream into gzip as they come, so the list is
 * fixed by the part's first row: a row with a field the part has no column for closes the part,
 * and the next one starts with every column seen so far. New fields are rare after a table's
 * first rows, so this makes few extra parts (one per field first seen late).
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import type { ObjectStore } from '../s3/objects.ts';
import { putObject } from '../s3/objects.ts';
import type { FlatRow } from './flatten.ts';
import type { PartInfo } from './manifest.ts';
import { PartColumns } from './part-columns.ts';

/** Lines are encoded straight into buffers of this size and handed to gzip a buffer at a time. */
const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 10;
/**
 * The fastest compression: the parts are read once, soon, and the extract is CPU-bound. On the
 * shop's COPY text, level 1 takes 27% less CPU than level 3 for 5% more bytes.
 */
const GZIP_LEVEL = 1;
/**
 * A part is closed once this many compressed bytes are out of gzip, whatever its row count:
 * wide rows cannot make a part (and so a worker's memory) large. Small enough for one PUT.
 */
export const MAX_PART_BYTES = 8 * 1024 * 1024;

interface OpenPart {
  number: number;
  columns: PartColumns;
  gzip: Gzip;
  chunks: Buffer[];
  bytes: number;
  rows: number;
}

export class PartWriter {
  readonly #parts: PartInfo[] = [];
  /** The part being sent, if any: the next one fills meanwhile, a third waits for it. */
  #sending: Promise<void> | undefined;
  #open: OpenPart | undefined;
  #failure: unknown;
  #chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  #used = 0;
  #rows = 0;
  #opened = 0;
  /** Every column seen so far, in the order first seen: the column list of the next part. */
  readonly #names: string[] = [];
  readonly #known = new Set<string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly keyOf: (part: number) => string,
    private readonly rowsPerPart: number,
    private readonly signal?: AbortSignal,
  ) {}

  get rows(): number {
    return this.#rows;
  }

  /**
   * Writes one row. Returns a promise only when the row has to wait (its chunk goes to gzip, its
   * part closes, or it starts a new part): await it then, that is the backpressure. Most rows only
   * land in the chunk, and returning nothing for them saves a promise per row, which costs more
   * than the copy itself in a runner process, where AsyncLocalStorage hooks every promise.
   */
  write(row: FlatRow): Promise<void> | undefined {
    if (this.#failure) throw this.#failure;
    const part = this.#open;
    const line = part?.columns.line(row);
    if (part === undefined || line === undefined) return this.writeToNewPart(row);
    if (this.#used + line.length * 3 + 1 > CHUNK_BYTES) return this.append(part, line);
    this.putInChunk(line);
    return this.counted(part);
  }

  /** The row's fields are not all columns of the open part (or none is open): a part that has them. */
  private async writeToNewPart(row: FlatRow): Promise<void> {
    if (this.#open) await this.closePart(this.#open);
    const part = this.openPart(row);
    await this.append(part, part.columns.line(row)!);
  }

  /** A line that may need the chunk flushed first, or be the part's last. */
  private async append(part: OpenPart, line: string): Promise<void> {
    // At most 3 UTF-8 bytes per UTF-16 unit: when that may not fit, the chunk goes to gzip first.
    const worstCase = line.length * 3 + 1;
    if (this.#used + worstCase > CHUNK_BYTES) await this.flush(part);
    if (worstCase > CHUNK_BYTES) await this.compress(part, Buffer.from(line + '\n'));
    else this.putInChunk(line);
    await this.counted(part);
  }

  /** A line that fits the chunk (the caller checked), with its newline. */
  private putInChunk(line: string): void {
    this.#used += this.#chunk.write(line, this.#used);
    this.#chunk[this.#used++] = NEWLINE;
  }

  /** Counts a row written to `part`; when that filled the part, its closing (to wait on). */
  private counted(part: OpenPart): Promise<void> | undefined {
    part.rows++;
    this.#rows++;
    return part.rows >= this.rowsPerPart || part.bytes >= MAX_PART_BYTES ? this.closePart(part) : undefined;
  }

  /** Closes the last part and waits for every upload; the parts in order. */
  async finish(): Promise<PartInfo[]> {
    if (this.#open) await this.closePart(this.#open);
    await this.#sending;
    return [...this.#parts].sort((a, b) => a.key.localeCompare(b.key));
  }

  /** A part with every column seen so far and the fields of the row it starts with. */
  private openPart(first: FlatRow): OpenPart {
    for (const name in first) {
      if (!this.#known.has(name)) {
        this.#known.add(name);
        this.#names.push(name);
      }
    }
    const gzip = createGzip({ level: GZIP_LEVEL });
    const part: OpenPart = { number: ++this.#opened, columns: new PartColumns(this.#names), gzip, chunks: [], bytes: 0, rows: 0 };
    gzip.on('data', (chunk: Buffer) => {
      part.chunks.push(chunk);
      part.bytes += chunk.length;
    });
    this.#open = part;
    return part;
  }

  /** Hands the filled part of the chunk to gzip (which keeps it until compressed: a new chunk follows). */
  private async flush(part: OpenPart): Promise<void> {
    if (this.#used === 0) return;
    const filled = this.#chunk.subarray(0, this.#used);
    this.#chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.#used = 0;
    await this.compress(part, filled);
  }

  private async compress(part: OpenPart, bytes: Buffer): Promise<void> {
    if (!part.gzip.write(bytes)) await once(part.gzip, 'drain', { signal: this.signal });
  }

  private async closePart(part: OpenPart): Promise<void> {
    await this.flush(part);
    this.#open = undefined;
    const ended = once(part.gzip, 'end', { signal: this.signal });
    part.gzip.end();
    await ended;
    const body = Buffer.concat(part.chunks, part.bytes);
    part.chunks = [];
    const info: PartInfo = {
      key: this.keyOf(part.number),
      rows: part.rows,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      columns: part.columns.describe(),
    };
    // One part in flight: the writer waits for it before sending the next.
    await this.#sending;
    this.#sending = putObject(this.store, info.key, body, { contentType: 'text/tab-separated-values', signal: this.signal }).then(() => {
      this.#parts.push(info);
    });
    // Noted at once, so that the next write stops the extract rather than the next part.
    this.#sending.catch((error: unknown) => {
      this.#failure ??= error;
    });
  }
}
