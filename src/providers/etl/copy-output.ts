/**
 * The two ends of a part's encoder (pure): `LineChunks` cuts the chunks gunzip hands over into
 * whole lines (a chunk may end inside a line or a character), `CopyOutput` collects the COPY
 * text made of them, one buffer per chunk; `LinesEncoder` puts them together. Both encoders of a
 * part are one: PartEncoder, which writes every line as a string, and PartBytesEncoder, which
 * mostly copies ranges of the input.
 */

const NEWLINE = 0x0a;
const MIN_OUTPUT_BYTES = 16 * 1024;

/** A part's bytes as whole lines: what each chunk completes, and what is left at the end. */
export class LineChunks {
  /** Bytes of a line not yet complete: kept as chunks, joined once its newline arrives. */
  #carry: Buffer[] = [];

  /**
   * The lines this chunk completes, or undefined when it completes none: `head`, when a line
   * was carried over, is that line completed (its newline last); then the chunk's own lines,
   * `bytes[from, end]`, `end` being the last newline's position. The chunk itself is not copied.
   */
  take(chunk: Buffer): { head: Buffer | undefined; bytes: Buffer; from: number; end: number } | undefined {
    const end = chunk.lastIndexOf(NEWLINE);
    if (end < 0) {
      if (chunk.length > 0) this.#carry.push(chunk);
      return undefined;
    }
    let head: Buffer | undefined;
    let from = 0;
    if (this.#carry.length > 0) {
      from = chunk.indexOf(NEWLINE) + 1;
      head = Buffer.concat([...this.#carry, chunk.subarray(0, from)]);
    }
    this.#carry = end + 1 < chunk.length ? [Buffer.from(chunk.subarray(end + 1))] : [];
    return { head, bytes: chunk, from, end };
  }

  /** A last line with no newline after it, or undefined when only white space is left. */
  rest(): Buffer | undefined {
    const bytes = Buffer.concat(this.#carry);
    this.#carry = [];
    // Both formats end every line with a newline; only NDJSON written by other means may not.
    return bytes.toString('utf8').trim() === '' ? undefined : bytes;
  }
}

/**
 * The COPY text of one chunk's lines. Ranges of an input buffer that follow each other are
 * merged and copied at once (a run of lines that go to COPY as they are is one copy); when the
 * whole output is one range, it is that part of the input, not a copy of it. The input's bytes
 * are never written to later (gunzip hands out fresh buffers, LineChunks joins into new ones),
 * so a view of them can go on down the stream.
 */
export class CopyOutput {
  #buffer = Buffer.alloc(0);
  #length = 0;
  #source: Buffer | undefined;
  #from = 0;
  #to = 0;
  #expected = 0;

  /** A new output for about `inputBytes` of input: the last one was handed on. */
  start(inputBytes: number): void {
    this.#buffer = Buffer.alloc(0);
    this.#length = 0;
    this.#source = undefined;
    this.#expected = Math.max(MIN_OUTPUT_BYTES, inputBytes);
  }

  range(source: Buffer, from: number, to: number): void {
    if (source === this.#source && from === this.#to) {
      this.#to = to;
      return;
    }
    this.#flush();
    this.#source = source;
    this.#from = from;
    this.#to = to;
  }

  byte(value: number): void {
    this.#flush();
    this.#room(1);
    this.#buffer[this.#length++] = value;
  }

  text(text: string): void {
    this.#flush();
    // A UTF-16 unit is at most 3 bytes of UTF-8.
    this.#room(text.length * 3);
    this.#length += this.#buffer.write(text, this.#length);
  }

  /** What was written since `start`, or null for nothing. */
  result(): Buffer | null {
    if (this.#length === 0 && this.#source) return this.#source.subarray(this.#from, this.#to);
    this.#flush();
    return this.#length === 0 ? null : this.#buffer.subarray(0, this.#length);
  }

  #flush(): void {
    const source = this.#source;
    if (!source) return;
    this.#source = undefined;
    this.#room(this.#to - this.#from);
    this.#length += source.copy(this.#buffer, this.#length, this.#from, this.#to);
  }

  #room(bytes: number): void {
    const needed = this.#length + bytes;
    if (needed <= this.#buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(needed, this.#expected, this.#buffer.length * 2));
    this.#buffer.copy(bigger, 0, 0, this.#length);
    this.#buffer = bigger;
  }
}

/** A part's chunks in, COPY text out, encoded line by line by `encodeLines` into `out`. */
export abstract class LinesEncoder {
  protected readonly out = new CopyOutput();
  readonly #lines = new LineChunks();

  /** The COPY text of the lines this chunk completes, or null when it completes none. */
  write(chunk: Buffer): Buffer | null {
    const lines = this.#lines.take(chunk);
    if (!lines) return null;
    this.out.start(lines.end - lines.from + (lines.head?.length ?? 0));
    if (lines.head) this.encodeLines(lines.head, 0, lines.head.length - 1);
    this.encodeLines(lines.bytes, lines.from, lines.end);
    return this.out.result();
  }

  /** The COPY text of a last line with no newline after it, or null. */
  end(): Buffer | null {
    const rest = this.#lines.rest();
    if (!rest) return null;
    this.out.start(rest.length);
    this.encodeLines(rest, 0, rest.length);
    return this.out.result();
  }

  /** Encodes the lines in bytes[from, end], `end` being the last line's newline or, for a last line without one, the end of the bytes. */
  protected abstract encodeLines(bytes: Buffer, from: number, end: number): void;
}
