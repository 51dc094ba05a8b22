/**
 * Rows of one table to S3 as gzip-compressed NDJSON parts of at most `rowsPerPart` rows each,
 * streamed: a part is uploaded while it is written, nothing touches the local disk, and memory
 * stays at a few multipart buffers whatever the table's size.
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import type { ObjectStore } from '../s3/objects.ts';
import { uploadStream } from '../s3/objects.ts';
import type { FlatRow } from './flatten.ts';
import type { PartInfo } from './manifest.ts';

/** Lines are handed to gzip in chunks of about this many characters, not one by one. */
const CHUNK = 64 * 1024;
/** Fast compression: the parts are read once, soon, and the extract should not be CPU-bound on gzip. */
const GZIP_LEVEL = 3;

interface OpenPart {
  number: number;
  key: string;
  gzip: Gzip;
  hash: Hash;
  bytes: number;
  rows: number;
  uploaded: Promise<void>;
}

export class PartWriter {
  readonly #parts: PartInfo[] = [];
  readonly #pending: Promise<void>[] = [];
  #open: OpenPart | undefined;
  #buffer = '';
  #failure: unknown;
  #rows = 0;
  #opened = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly keyOf: (part: number) => string,
    private readonly rowsPerPart: number,
    private readonly signal?: AbortSignal,
  ) {}

  get rows(): number {
    return this.#rows;
  }

  async write(row: FlatRow): Promise<void> {
    if (this.#failure) throw this.#failure;
    const part = this.#open ?? this.openPart();
    this.#buffer += JSON.stringify(row) + '\n';
    part.rows++;
    this.#rows++;
    if (this.#buffer.length >= CHUNK) await this.flush(part);
    if (part.rows >= this.rowsPerPart) await this.closePart(part);
  }

  /** Closes the last part and waits for every upload; the parts in order. */
  async finish(): Promise<PartInfo[]> {
    if (this.#open) await this.closePart(this.#open);
    await Promise.all(this.#pending);
    if (this.#failure) throw this.#failure;
    return [...this.#parts].sort((a, b) => a.key.localeCompare(b.key));
  }

  private openPart(): OpenPart {
    const number = ++this.#opened;
    const key = this.keyOf(number);
    const gzip = createGzip({ level: GZIP_LEVEL });
    const body = new PassThrough();
    const part: OpenPart = { number, key, gzip, hash: createHash('sha256'), bytes: 0, rows: 0, uploaded: Promise.resolve() };
    gzip.on('data', (chunk: Buffer) => {
      part.hash.update(chunk);
      part.bytes += chunk.length;
    });
    gzip.pipe(body);
    part.uploaded = uploadStream(this.store, key, body, { contentType: 'application/x-ndjson', signal: this.signal });
    // Noted at once, so a writer waiting on gzip's backpressure learns of the failure too.
    part.uploaded.catch((error: unknown) => {
      this.#failure ??= error;
      gzip.destroy();
    });
    this.#open = part;
    return part;
  }

  private async flush(part: OpenPart): Promise<void> {
    const chunk = this.#buffer;
    this.#buffer = '';
    if (chunk && !part.gzip.write(chunk)) {
      await Promise.race([once(part.gzip, 'drain'), part.uploaded.then(() => undefined)]);
      if (this.#failure) throw this.#failure;
    }
  }

  private async closePart(part: OpenPart): Promise<void> {
    await this.flush(part);
    this.#open = undefined;
    part.gzip.end();
    const done = part.uploaded.then(() => {
      this.#parts.push({ key: part.key, rows: part.rows, bytes: part.bytes, sha256: part.hash.digest('hex') });
    });
    this.#pending.push(done);
    // At most two finished parts still uploading: memory stays bounded when S3 is slower than the source.
    if (this.#pending.length > 2) {
      await this.#pending.shift();
    }
    done.catch(() => undefined);
  }
}
