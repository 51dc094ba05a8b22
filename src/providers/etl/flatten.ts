/**
 * Documents to rows (pure): nested objects become columns (`address.city` → `address_city`),
 * arrays become rows of child tables keyed to their parent (`orders.items` → `orders_items`
 * with `parent_source_id` and `idx`). BSON values are recognised by their `_bsontype` tag, so
 * this module needs no MongoDB driver and works on any JSON-like source.
 */
import { childTableName, columnName, INDEX_COLUMN, PARENT_SOURCE_ID_COLUMN, SOURCE_ID_COLUMN, VALUE_COLUMN } from './column-names.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A column's value: a scalar, or (kind `json`) an array kept whole inside a child row. */
export type FlatValue = JsonValue;
export type FlatRow = Record<string, FlatValue>;
/** What a source value was, before it became a FlatValue: the basis for reporting and widening types. */
export type ValueKind = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'json' | 'null';
/** Column → the kinds of value seen in it, per table. */
export type ObservedColumns = Record<string, ValueKind[]>;
/** Column → the longest string seen in it (UTF-16 units, never fewer than its characters), per table. */
export type ObservedWidths = Record<string, number>;

/** Written for a Date the source holds but JavaScript cannot represent; stage_load turns it into NULL. */
export const INVALID_DATE_TEXT = 'invalid date';

export interface FlattenerOptions {
  /** The parent table's name; child tables are named after it. */
  table: string;
  /** The source key field; becomes `source_id`. Default `_id`. */
  keyField?: string;
}

/**
 * A field path below one table, resolved once: its column (or child table) name and the set of
 * kinds seen in that column. Documents of a collection repeat the same paths, so names are
 * computed once per path, not once per value.
 */
class FieldNode {
  readonly #children = new Map<string, FieldNode>();
  #column: string | undefined;
  #childTable: string | undefined;
  #kinds: Set<ValueKind> | undefined;
  #widths: Map<string, number> | undefined;

  constructor(
    private readonly flattener: DocumentFlattener,
    readonly table: string,
    readonly path: readonly string[],
  ) {}

  child(field: string): FieldNode {
    let node = this.#children.get(field);
    if (!node) this.#children.set(field, (node = new FieldNode(this.flattener, this.table, [...this.path, field])));
    return node;
  }

  get column(): string {
    return (this.#column ??= columnName(this.path));
  }

  /** The child table an array at this path becomes (only paths below a parent table have one). */
  get childTable(): string {
    return (this.#childTable ??= childTableName(this.table, this.path));
  }

  get kinds(): Set<ValueKind> {
    return (this.#kinds ??= this.flattener.kindsOf(this.table, this.column));
  }

  /** Notes a string's length against the column's widest so far. */
  noteWidth(length: number): void {
    const widths = (this.#widths ??= this.flattener.widthsOf(this.table));
    if (length > (widths.get(this.column) ?? 0)) widths.set(this.column, length);
  }
}

/**
 * Flattens the documents of one collection and remembers, per table and column, which kinds of
 * value it met: the schema the warehouse is compared with before loading.
 */
export class DocumentFlattener {
  readonly table: string;
  readonly keyField: string;
  /** Column names that two different source fields both mapped to (the first one wins). */
  readonly collisions = new Set<string>();
  readonly #observed = new Map<string, Map<string, Set<ValueKind>>>();
  readonly #widths = new Map<string, Map<string, number>>();
  /** The root of each table's field paths: the parent table's, and each child table's. */
  readonly #roots = new Map<string, FieldNode>();

  constructor(options: FlattenerOptions) {
    this.table = options.table;
    this.keyField = options.keyField ?? '_id';
  }

  /** Calls `emit` once for the parent row, then once per child row. */
  flatten(document: Readonly<Record<string, unknown>>, emit: (table: string, row: FlatRow) => void): void {
    const key = document[this.keyField];
    const sourceId = key === undefined || key === null ? null : keyText(key);
    const row: FlatRow = { [SOURCE_ID_COLUMN]: sourceId };
    this.note(this.table, SOURCE_ID_COLUMN, sourceId === null ? 'null' : 'string');
    const children: [string, FlatRow][] = [];
    this.walk(document, this.root(this.table), row, sourceId, children, true);
    emit(this.table, row);
    for (const [table, child] of children) emit(table, child);
  }

  /** Table → column → kinds seen, sorted for stable manifests. */
  observed(): Record<string, ObservedColumns> {
    const result: Record<string, ObservedColumns> = {};
    for (const [table, columns] of this.#observed) {
      const sorted: ObservedColumns = {};
      for (const column of [...columns.keys()].sort()) sorted[column] = [...columns.get(column)!].sort();
      result[table] = sorted;
    }
    return result;
  }

  /** Table → column → the longest string seen, for string columns. */
  observedWidths(): Record<string, ObservedWidths> {
    const result: Record<string, ObservedWidths> = {};
    for (const [table, widths] of this.#widths) result[table] = Object.fromEntries([...widths].sort(([a], [b]) => a.localeCompare(b)));
    return result;
  }

  /** A table's string widths, created on first use. */
  widthsOf(table: string): Map<string, number> {
    let widths = this.#widths.get(table);
    if (!widths) this.#widths.set(table, (widths = new Map()));
    return widths;
  }

  /** The set of kinds seen in a column, created on first use (shared by every path naming it). */
  kindsOf(table: string, column: string): Set<ValueKind> {
    let columns = this.#observed.get(table);
    if (!columns) this.#observed.set(table, (columns = new Map()));
    let kinds = columns.get(column);
    if (!kinds) columns.set(column, (kinds = new Set()));
    return kinds;
  }

  private root(table: string): FieldNode {
    let root = this.#roots.get(table);
    if (!root) this.#roots.set(table, (root = new FieldNode(this, table, [])));
    return root;
  }

  private walk(
    object: Readonly<Record<string, unknown>>,
    node: FieldNode,
    row: FlatRow,
    sourceId: string | null,
    children: [string, FlatRow][] | null,
    topLevel: boolean,
  ): void {
    for (const field in object) {
      if (topLevel && field === this.keyField) continue;
      const value = object[field];
      if (value === undefined) continue;
      const fieldNode = node.child(field);
      if (isPlainObject(value)) {
        this.walk(value, fieldNode, row, sourceId, children, false);
      } else if (Array.isArray(value) && children) {
        this.explode(value, fieldNode, sourceId, children);
      } else {
        this.put(fieldNode, row, value);
      }
    }
  }

  /** One child row per array element; an element's own arrays stay in one JSON column. */
  private explode(array: readonly unknown[], node: FieldNode, sourceId: string | null, children: [string, FlatRow][]): void {
    const table = node.childTable;
    this.note(table, PARENT_SOURCE_ID_COLUMN, 'string');
    this.note(table, INDEX_COLUMN, 'integer');
    const root = this.root(table);
    for (let index = 0; index < array.length; index++) {
      const element = array[index];
      const row: FlatRow = { [PARENT_SOURCE_ID_COLUMN]: sourceId, [INDEX_COLUMN]: index };
      if (isPlainObject(element)) this.walk(element, root, row, sourceId, null, false);
      else this.put(root.child(VALUE_COLUMN), row, element);
      children.push([table, row]);
    }
  }

  private put(node: FieldNode, row: FlatRow, value: unknown): void {
    const column = node.column;
    if (column in row) {
      this.collisions.add(`${node.table}.${column}`);
      return;
    }
    const [flat, kind] = scalar(value);
    row[column] = flat;
    node.kinds.add(kind);
    if (typeof flat === 'string') node.noteWidth(flat.length);
  }

  private note(table: string, column: string, kind: ValueKind): void {
    this.kindsOf(table, column).add(kind);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (value instanceof Date || ArrayBuffer.isView(value)) return false;
  return typeof (value as { _bsontype?: unknown })._bsontype !== 'string';
}

/** A key as text: ObjectIds as their hex, numbers and strings as themselves. */
function keyText(key: unknown): string {
  const [flat] = scalar(key);
  return typeof flat === 'string' ? flat : JSON.stringify(flat);
}

/** One source value as a JSON-safe value and the kind it was. */
export function scalar(value: unknown): [FlatValue, ValueKind] {
  switch (typeof value) {
    case 'string':
      return [value, 'string'];
    case 'boolean':
      return [value, 'boolean'];
    case 'number':
      if (!Number.isFinite(value)) return [null, 'null'];
      return [value, Number.isInteger(value) ? 'integer' : 'number'];
    case 'bigint':
      return [Number.isSafeInteger(Number(value)) ? Number(value) : value.toString(), 'integer'];
    case 'undefined':
      return [null, 'null'];
    case 'object':
      if (value === null) return [null, 'null'];
      if (value instanceof Date) return [Number.isNaN(value.getTime()) ? INVALID_DATE_TEXT : value.toISOString(), 'date'];
      if (Array.isArray(value)) return [toJson(value), 'json'];
      if (ArrayBuffer.isView(value)) return [Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'), 'string'];
      return bsonScalar(value as { _bsontype?: unknown });
    default:
      return [String(value), 'string'];
  }
}

interface BsonLike {
  _bsontype?: unknown;
  toHexString?: () => string;
  toNumber?: () => number;
  toString(format?: string): string;
  valueOf(): unknown;
}

function bsonScalar(value: BsonLike): [FlatValue, ValueKind] {
  switch (value._bsontype) {
    case 'ObjectId':
      return [value.toHexString ? value.toHexString() : value.toString(), 'string'];
    case 'Long': {
      const number = value.toNumber ? value.toNumber() : Number(value.toString());
      return [Number.isSafeInteger(number) ? number : value.toString(), 'integer'];
    }
    case 'Int32':
    case 'Double':
      return scalar(value.valueOf());
    case 'Decimal128':
      return [value.toString(), 'number'];
    case 'Binary':
      return [value.toString('base64'), 'string'];
    case undefined:
      return [toJson(value), 'json'];
    default:
      return [value.toString(), 'string'];
  }
}

/** A nested value as plain JSON (rare: arrays inside array elements). */
function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value, jsonReplacer) ?? 'null') as JsonValue;
}

/** Inside JSON columns, BSON values are written the way `scalar` writes them. */
function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && typeof (value as BsonLike)._bsontype === 'string') {
    return bsonScalar(value as BsonLike)[0];
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
