/**
 * BSON documents to rows, straight from their bytes: the same rows, kinds, widths and collisions
 * DocumentFlattener makes from the driver's decoded documents, without the driver's objects
 * (ObjectIds, Dates, nested objects), which were half of an extract's allocations.
 *
 * Field names are matched as bytes against the path they had in the last document (documents of
 * a collection repeat their fields in the same order), so a name is decoded only the first time
 * it is met at a place. The common types are read here; any other value is decoded by the
 * driver's code and placed by DocumentFlattener's rules. A document whose decoded form would not
 * keep its bytes' shape (a repeated field name, an array-index name, a possible DBRef) or that is
 * malformed is given up and flattened from its decoded form instead: nothing it noted counts.
 */
import { deserialize } from 'bson';
import { BSON, DRIVER_DECODING, MalformedBson, cstringEnd, dateAt, decodeValue, documentEnd, int32, int64, stringEnd, utf8, valueEnd } from './bson-bytes.ts';
import { INDEX_COLUMN, PARENT_SOURCE_ID_COLUMN, VALUE_COLUMN } from './column-names.ts';
import type { FieldNode } from './field-node.ts';
import { keyText, numberKind } from './flat-values.ts';
import { TextCache } from './text-cache.ts';
import { ChildRows, type DocumentFlattener, type FlatRow, type RowSink } from './flatten.ts';

/** Thrown inside the walk to give a document up; never escapes this module. */
const GIVE_UP = new MalformedBson('flattened from its decoded form');

export class RawFlattener {
  /** Documents given up and flattened from their decoded form (see the module comment). */
  decoded = 0;
  /** Counts sub-documents walked: a field node visited twice within one of them is a repeated name. */
  #visit = 0;
  /** Where the name read by `fieldAt` ends (its NUL). */
  #nameEnd = 0;
  readonly #keyBytes: Buffer;
  readonly #keyNode: FieldNode;
  readonly #children = new ChildRows();

  constructor(readonly flattener: DocumentFlattener) {
    this.#keyBytes = Buffer.from(flattener.keyField);
    this.#keyNode = flattener.root(flattener.table).child(flattener.keyField);
  }

  /** Calls `emit` once for the parent row, then once per child row. */
  flatten(document: Uint8Array, emit: RowSink): void {
    const bytes = Buffer.isBuffer(document) ? document : Buffer.from(document.buffer, document.byteOffset, document.byteLength);
    const flattener = this.flattener;
    const children = this.#children.clear();
    let row: FlatRow;
    try {
      const end = documentEnd(bytes, 0, bytes.length);
      if (end !== bytes.length) throw GIVE_UP;
      const sourceId = this.key(bytes, end - 1);
      row = flattener.parentRow(sourceId);
      this.walk(bytes, 0, end, flattener.root(flattener.table), row, sourceId, children, true);
    } catch (error) {
      // A RangeError is a read past the bytes: malformed too, whatever the walk thought.
      if (!(error instanceof MalformedBson || error instanceof RangeError)) throw error;
      flattener.discard();
      this.decoded++;
      flattener.flatten(deserialize(bytes, DRIVER_DECODING), emit);
      return;
    }
    flattener.commit();
    emit(flattener.table, row);
    children.emit(emit);
  }

  /** The key field's value as `source_id`: the first top-level element of that name (mongod puts `_id` first). */
  private key(bytes: Buffer, last: number): string | null {
    const name = this.#keyBytes;
    let at = 4;
    while (at < last) {
      const type = bytes[at]!;
      const nameEnd = cstringEnd(bytes, at + 1, last);
      const start = nameEnd + 1;
      const end = valueEnd(bytes, type, start, last);
      if (nameEnd - at - 1 === name.length && bytes.compare(name, 0, name.length, at + 1, nameEnd) === 0) {
        if (type === BSON.objectId) return bytes.toString('hex', start, end);
        if (type === BSON.string) return utf8(bytes, start + 4, stringEnd(bytes, start, last));
        const value = decodeValue(bytes, type, start, end);
        return value === undefined || value === null ? null : keyText(value);
      }
      at = end;
    }
    return null;
  }

  /** The (sub-)document at `start`..`end` into `row`; arrays into `children` when given (a parent row). */
  private walk(bytes: Buffer, start: number, end: number, parent: FieldNode, row: FlatRow, sourceId: string | null, children: ChildRows | null, topLevel: boolean): void {
    const visit = ++this.#visit;
    const last = end - 1;
    let previous: FieldNode | undefined;
    let at = start + 4;
    while (at < last) {
      const type = bytes[at]!;
      const node = this.fieldAt(bytes, at + 1, last, parent, previous);
      if (node.decodeFirst || node.visit === visit) throw GIVE_UP;
      node.visit = visit;
      previous = node;
      const valueStart = this.#nameEnd + 1;
      if (topLevel && node === this.#keyNode) {
        at = valueEnd(bytes, type, valueStart, last);
      } else if (type === BSON.document) {
        at = documentEnd(bytes, valueStart, last);
        this.walk(bytes, valueStart, at, node, row, sourceId, children, false);
      } else if (type === BSON.array && children) {
        at = documentEnd(bytes, valueStart, last);
        this.explode(bytes, valueStart, at, node, sourceId, children);
      } else if (type === BSON.undefined) {
        at = valueStart;
      } else {
        at = this.scalar(bytes, type, valueStart, last, node, row);
        if (at < 0) {
          at = valueEnd(bytes, type, valueStart, last);
          this.flattener.place(node, decodeValue(bytes, type, valueStart, at), row, sourceId, children);
        }
      }
    }
    if (at !== last) throw GIVE_UP;
  }

  /** One child row per element, as DocumentFlattener's explode. */
  private explode(bytes: Buffer, start: number, end: number, node: FieldNode, sourceId: string | null, children: ChildRows): void {
    const flattener = this.flattener;
    const table = node.childTable;
    const root = flattener.childRoot(node);
    const last = end - 1;
    let index = 0;
    let at = start + 4;
    while (at < last) {
      const type = bytes[at]!;
      // Element names are "0", "1", ...: the driver numbers elements by position, so do we.
      const valueStart = cstringEnd(bytes, at + 1, last) + 1;
      const row: FlatRow = { [PARENT_SOURCE_ID_COLUMN]: sourceId, [INDEX_COLUMN]: index++ };
      if (type === BSON.document) {
        at = documentEnd(bytes, valueStart, last);
        this.walk(bytes, valueStart, at, root, row, sourceId, null, false);
      } else if (type === BSON.undefined) {
        at = valueStart;
        flattener.put(root.child(VALUE_COLUMN), row, null, 'null');
      } else {
        at = this.scalar(bytes, type, valueStart, last, root.child(VALUE_COLUMN), row);
        if (at < 0) {
          at = valueEnd(bytes, type, valueStart, last);
          flattener.placeElement(root, decodeValue(bytes, type, valueStart, at), row);
        }
      }
      children.push(table, row);
    }
    if (at !== last) throw GIVE_UP;
  }

  /** A value of one of the common scalar types into its column; returns where it ends, or -1 for any other type. */
  private scalar(bytes: Buffer, type: number, at: number, last: number, node: FieldNode, row: FlatRow): number {
    const flattener = this.flattener;
    switch (type) {
      case BSON.string: {
        const end = stringEnd(bytes, at, last);
        flattener.put(node, row, (node.texts ??= new TextCache()).text(bytes, at + 4, end), 'string');
        return end + 1;
      }
      case BSON.double: {
        const number = bytes.readDoubleLE(at);
        const kind = numberKind(number);
        flattener.put(node, row, kind === 'null' ? null : number, kind);
        return at + 8;
      }
      case BSON.int32:
        flattener.put(node, row, int32(bytes, at), 'integer');
        return at + 4;
      case BSON.int64:
        flattener.put(node, row, int64(bytes, at), 'integer');
        return at + 8;
      case BSON.objectId:
        flattener.put(node, row, bytes.toString('hex', at, at + 12), 'string');
        return at + 12;
      case BSON.date:
        flattener.put(node, row, dateAt(bytes, at), 'date');
        return at + 8;
      case BSON.null:
        flattener.put(node, row, null, 'null');
        return at;
      case BSON.boolean:
        if (bytes[at]! > 1) throw GIVE_UP; // the driver refuses it, and says so
        flattener.put(node, row, bytes[at] === 1, 'boolean');
        return at + 1;
      default:
        return -1;
    }
  }

  /**
   * The node of the field whose name starts at `at`: first the one that followed `previous` (or
   * came first) in the last document, compared byte by byte; else decoded and looked up.
   */
  private fieldAt(bytes: Buffer, at: number, last: number, parent: FieldNode, previous: FieldNode | undefined): FieldNode {
    const guess = previous === undefined ? parent.first : previous.next;
    if (guess !== undefined) {
      const name = guess.nameBytes!;
      const length = name.length;
      let i = 0;
      while (i < length && bytes[at + i] === name[i]) i++;
      if (i === length && bytes[at + length] === 0) {
        this.#nameEnd = at + length;
        return guess;
      }
    }
    const nameEnd = cstringEnd(bytes, at, last);
    const node = parent.child(utf8(bytes, at, nameEnd));
    node.nameBytes ??= bytes.subarray(at, nameEnd).slice();
    if (previous === undefined) parent.first = node;
    else previous.next = node;
    this.#nameEnd = nameEnd;
    return node;
  }
}
