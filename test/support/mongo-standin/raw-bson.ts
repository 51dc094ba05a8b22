/**
 * Stored documents stay the BSON bytes the client sent, so reads return them byte for byte (types,
 * field order, even invalid UTF-8) and a scan never decodes more than the fields a filter names.
 * These are the few raw-BSON operations that needs: walking top-level elements, decoding one
 * value, adding an `_id`, top-level projection and writing a batch of documents into a reply.
 */
import { deserialize, Double, Int32, Long, ObjectId, type DeserializeOptions } from 'bson';
import { CommandError } from './errors.ts';
import { equalityKey, type Doc } from './values.ts';

/** Keeps Int32/Double/Long apart and tolerates invalid UTF-8 (replaced, as the shell shows it). */
export const DECODE_OPTIONS: DeserializeOptions = { promoteValues: false, bsonRegExp: true, validation: { utf8: false } };

const T_DOUBLE = 0x01;
const T_STRING = 0x02;
const T_DOC = 0x03;
const T_ARRAY = 0x04;
const T_OBJECT_ID = 0x07;
const T_BOOL = 0x08;
const T_DATE = 0x09;
const T_NULL = 0x0a;
const T_INT32 = 0x10;
const T_INT64 = 0x12;

export class MalformedBsonError extends CommandError {
  constructor(message: string) {
    super(22, `invalid BSON: ${message}`);
  }
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The end of a value of `type` starting at `at`, checked against `end`. */
function valueEnd(buf: Buffer, type: number, at: number, end: number): number {
  let next: number;
  switch (type) {
    case 0x06: // undefined
    case T_NULL:
    case 0x7f: // maxKey
    case 0xff: // minKey
      next = at;
      break;
    case T_BOOL:
      next = at + 1;
      break;
    case T_INT32:
      next = at + 4;
      break;
    case T_DOUBLE:
    case T_DATE:
    case 0x11: // timestamp
    case T_INT64:
      next = at + 8;
      break;
    case T_OBJECT_ID:
      next = at + 12;
      break;
    case 0x13: // decimal128
      next = at + 16;
      break;
    case T_STRING:
    case 0x0d: // javascript
    case 0x0e: // symbol
      if (at + 4 > end) throw new MalformedBsonError('truncated string');
      next = at + 4 + buf.readInt32LE(at);
      if (next <= at + 4) throw new MalformedBsonError('bad string length');
      break;
    case T_DOC:
    case T_ARRAY:
    case 0x0f: // javascript with scope
      if (at + 4 > end) throw new MalformedBsonError('truncated document');
      next = at + buf.readInt32LE(at);
      if (next < at + 5) throw new MalformedBsonError('bad document length');
      break;
    case 0x05: // binary
      if (at + 4 > end) throw new MalformedBsonError('truncated binary');
      next = at + 5 + buf.readInt32LE(at);
      if (next < at + 5) throw new MalformedBsonError('bad binary length');
      break;
    case 0x0b: {
      // regex: two cstrings
      const first = buf.indexOf(0, at);
      const second = first < 0 ? -1 : buf.indexOf(0, first + 1);
      if (second < 0) throw new MalformedBsonError('unterminated regex');
      next = second + 1;
      break;
    }
    case 0x0c: // DBPointer: string then ObjectId
      if (at + 4 > end) throw new MalformedBsonError('truncated dbpointer');
      next = at + 4 + buf.readInt32LE(at) + 12;
      break;
    default:
      throw new MalformedBsonError(`unknown element type 0x${type.toString(16)}`);
  }
  if (next > end) throw new MalformedBsonError('element runs past the end of its document');
  return next;
}

/** One top-level element's position in its document. */
export interface Element {
  type: number;
  /** Where the element (its type byte) starts. */
  start: number;
  nameStart: number;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
}

/**
 * Checks a document's frame and calls `visit` for each top-level element; stops when it returns
 * false. The element object is reused from call to call (a scan of a million documents would
 * otherwise allocate one per field): copy it to keep it.
 */
export function walkElements(buf: Buffer, visit: (element: Element) => boolean | void): void {
  if (buf.length < 5) throw new MalformedBsonError('document shorter than 5 bytes');
  const size = buf.readInt32LE(0);
  if (size !== buf.length) throw new MalformedBsonError(`document length ${size} does not match its ${buf.length} bytes`);
  if (buf[size - 1] !== 0) throw new MalformedBsonError('document does not end with a zero byte');
  const last = size - 1;
  const element: Element = { type: 0, start: 0, nameStart: 0, nameEnd: 0, valueStart: 0, valueEnd: 0 };
  let at = 4;
  while (at < last) {
    const type = buf[at]!;
    const nameStart = at + 1;
    const nameEnd = buf.indexOf(0, nameStart);
    if (nameEnd < 0 || nameEnd >= last) throw new MalformedBsonError('unterminated field name');
    const end = valueEnd(buf, type, nameEnd + 1, last);
    element.type = type;
    element.start = at;
    element.nameStart = nameStart;
    element.nameEnd = nameEnd;
    element.valueStart = nameEnd + 1;
    element.valueEnd = end;
    if (visit(element) === false) return;
    at = end;
  }
}

function nameEquals(buf: Buffer, start: number, end: number, name: Buffer): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (buf[start + i] !== name[i]) return false;
  return true;
}

/** Decodes the value of one element, fast for the common scalar types. */
export function decodeElement(buf: Buffer, e: Element): unknown {
  const at = e.valueStart;
  switch (e.type) {
    case T_DOUBLE:
      return new Double(buf.readDoubleLE(at));
    case T_STRING:
      return buf.toString('utf8', at + 4, e.valueEnd - 1);
    case T_INT32:
      return new Int32(buf.readInt32LE(at));
    case T_INT64:
      return Long.fromBits(buf.readInt32LE(at), buf.readInt32LE(at + 4));
    case T_DATE:
      return new Date(buf.readInt32LE(at + 4) * 4294967296 + buf.readUInt32LE(at));
    case T_BOOL:
      return buf[at] === 1;
    case T_NULL:
      return null;
    case T_OBJECT_ID:
      return new ObjectId(Uint8Array.prototype.slice.call(buf, at, at + 12));
    case T_DOC:
      return deserialize(buf.subarray(at, e.valueEnd), DECODE_OPTIONS);
    case T_ARRAY:
      return Object.values(deserialize(buf.subarray(at, e.valueEnd), DECODE_OPTIONS));
    default: {
      // Rare types: let bson decode a one-element document holding just this element.
      const single = Buffer.alloc(4 + (e.valueEnd - e.start) + 1);
      single.writeInt32LE(single.length, 0);
      buf.copy(single, 4, e.start, e.valueEnd);
      const doc = deserialize(single, DECODE_OPTIONS);
      return Object.values(doc)[0];
    }
  }
}

/** Top-level field names a scan wants decoded, prepared for byte comparison. */
export class FieldSet {
  readonly names: string[];
  private readonly encoded: Buffer[];

  constructor(names: Iterable<string>) {
    this.names = [...new Set(names)];
    this.encoded = this.names.map((n) => Buffer.from(n, 'utf8'));
  }

  get size(): number {
    return this.names.length;
  }

  /** A document with just these fields (the ones present), decoded. */
  extract(buf: Buffer): Doc {
    const out: Doc = {};
    let remaining = this.names.length;
    if (remaining === 0) return out;
    walkElements(buf, (e) => {
      for (let i = 0; i < this.encoded.length; i++) {
        if (nameEquals(buf, e.nameStart, e.nameEnd, this.encoded[i]!)) {
          const name = this.names[i]!;
          if (!(name in out)) {
            out[name] = decodeElement(buf, e);
            remaining--;
          }
          break;
        }
      }
      return remaining > 0;
    });
    return out;
  }
}

const ID_NAME = Buffer.from('_id');

/** The `_id` element of a stored document, if any. */
export function findIdElement(buf: Buffer): Element | undefined {
  let found: Element | undefined;
  walkElements(buf, (e) => {
    if (nameEquals(buf, e.nameStart, e.nameEnd, ID_NAME)) {
      found = { ...e };
      return false;
    }
    return true;
  });
  return found;
}

/** The unique-index key of an `_id` element: values mongod deems equal (1 and 1.0) share one. */
export function idKeyOf(buf: Buffer, e: Element): string {
  if (e.type === T_OBJECT_ID) return `o${buf.toString('hex', e.valueStart, e.valueStart + 12)}`;
  return equalityKey(decodeElement(buf, e));
}

export interface PreparedDocument {
  raw: Buffer;
  idKey: string;
  /** The decoded `_id`, for error messages and upsert replies (decoded lazily by callers). */
  idElement: Element;
}

/**
 * A document as stored: checked, with `_id` first (mongod moves it there and creates an ObjectId
 * when it is missing).
 */
export function prepareForInsert(input: Uint8Array): PreparedDocument {
  const buf = asBuffer(input);
  let id: Element | undefined;
  walkElements(buf, (e) => {
    if (id === undefined && nameEquals(buf, e.nameStart, e.nameEnd, ID_NAME)) id = { ...e };
  });
  if (id?.type === T_ARRAY) throw new CommandError(53, "can't use an array for _id");
  if (id?.type === 0x0b) throw new CommandError(2, "can't use a regex for _id");
  if (id !== undefined && id.start === 4) return { raw: buf, idKey: idKeyOf(buf, id), idElement: id };

  let idBytes: Buffer;
  if (id === undefined) {
    idBytes = Buffer.alloc(1 + 4 + 12);
    idBytes[0] = T_OBJECT_ID;
    ID_NAME.copy(idBytes, 1);
    idBytes.set(new ObjectId().id, 5);
  } else {
    idBytes = buf.subarray(id.start, id.valueEnd);
  }
  const rest = [buf.subarray(4, id?.start ?? buf.length), id ? buf.subarray(id.valueEnd) : Buffer.alloc(0)];
  // allocUnsafe takes small documents from Node's shared pool: a million documents are a
  // million slices of a few thousand slabs, not a million separate allocations.
  const raw = Buffer.allocUnsafe(buf.length + (id === undefined ? idBytes.length : 0));
  raw.writeInt32LE(raw.length, 0);
  let at = 4;
  raw.set(idBytes, at);
  at += idBytes.length;
  for (const part of rest) {
    raw.set(part, at);
    at += part.length;
  }
  const idElement: Element = { type: raw[4]!, start: 4, nameStart: 5, nameEnd: 8, valueStart: 9, valueEnd: 4 + idBytes.length };
  return { raw, idKey: idKeyOf(raw, idElement), idElement };
}

/**
 * Top-level projection straight on the bytes: keep the named fields (`include`) or drop them.
 * `_id` follows `keepId`.
 */
export function projectTopLevel(buf: Buffer, names: ReadonlySet<string>, include: boolean, keepId: boolean): Buffer {
  const parts: Buffer[] = [];
  let size = 5;
  walkElements(buf, (e) => {
    const name = buf.toString('utf8', e.nameStart, e.nameEnd);
    const keep = name === '_id' ? keepId : names.has(name) === include;
    if (keep) {
      parts.push(buf.subarray(e.start, e.valueEnd));
      size += e.valueEnd - e.start;
    }
  });
  const out = Buffer.allocUnsafe(size);
  out.writeInt32LE(size, 0);
  let at = 4;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  out[at] = 0;
  return out;
}

/** The bytes of `{ cursor: { <batchField>: [docs], id, ns }, ok: 1 }`, written in one pass. */
export function cursorReplyBody(batchField: 'firstBatch' | 'nextBatch', docs: readonly Buffer[], cursorId: bigint, ns: string): Buffer {
  const nsBytes = Buffer.from(ns, 'utf8');
  let arraySize = 5;
  for (let i = 0; i < docs.length; i++) arraySize += 1 + decimalLength(i) + 1 + docs[i]!.length;
  const cursorSize = 4 + (1 + batchField.length + 1 + arraySize) + (1 + 3 + 8) + (1 + 3 + 4 + nsBytes.length + 1) + 1;
  const total = 4 + (1 + 7 + cursorSize) + (1 + 3 + 8) + 1;
  const out = Buffer.allocUnsafe(total);
  let at = out.writeInt32LE(total, 0);
  out[at++] = T_DOC;
  at += out.write('cursor\0', at, 'latin1');
  at = out.writeInt32LE(cursorSize, at);
  out[at++] = T_ARRAY;
  at += out.write(`${batchField}\0`, at, 'latin1');
  at = out.writeInt32LE(arraySize, at);
  for (let i = 0; i < docs.length; i++) {
    out[at++] = T_DOC;
    at += out.write(`${i}\0`, at, 'latin1');
    const doc = docs[i]!;
    // TypedArray#set is a plain memcpy; Buffer#copy adds checks that show up per document.
    out.set(doc, at);
    at += doc.length;
  }
  out[at++] = 0;
  out[at++] = T_INT64;
  at += out.write('id\0', at, 'latin1');
  at = out.writeBigInt64LE(cursorId, at);
  out[at++] = T_STRING;
  at += out.write('ns\0', at, 'latin1');
  at = out.writeInt32LE(nsBytes.length + 1, at);
  at += nsBytes.copy(out, at);
  out[at++] = 0;
  out[at++] = 0; // end of cursor
  out[at++] = T_DOUBLE;
  at += out.write('ok\0', at, 'latin1');
  at = out.writeDoubleLE(1, at);
  out[at++] = 0;
  if (at !== total) throw new Error(`cursor reply size mismatch: wrote ${at} of ${total} bytes`);
  return out;
}

function decimalLength(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : String(n).length;
}
