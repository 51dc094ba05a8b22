/**
 * Documents to rows (pure): nested objects become columns (`address.city` → `address_city`),
 * arrays become rows of child tables keyed to their parent (`orders.items` → `orders_items`
 * with `parent_source_id` and `idx`). This flattener walks decoded documents (any JSON-like
 * source); RawFlattener (raw-flatten.ts) makes the same rows from BSON bytes and shares its
 * paths, observations and the rules below.
 */
import { INDEX_COLUMN, PARENT_SOURCE_ID_COLUMN, SOURCE_ID_COLUMN, VALUE_COLUMN } from './column-names.ts';
import { FieldNode, type ColumnObservations } from './field-node.ts';
import { isPlainObject, keyText, scalar } from './flat-values.ts';

export { INVALID_DATE_TEXT, scalar } from './flat-values.ts';

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
export type RowSink = (table: string, row: FlatRow) => void;

export interface FlattenerOptions {
  /** The parent table's name; child tables are named after it. */
  table: string;
  /** The source key field; becomes `source_id`. Default `_id`. */
  keyField?: string;
}

/** A document's child rows, held until its parent row is complete (the parent row goes first); reused document after document. */
export class ChildRows {
  readonly #tables: string[] = [];
  readonly #rows: FlatRow[] = [];
  #length = 0;

  push(table: string, row: FlatRow): void {
    const i = this.#length++;
    this.#tables[i] = table;
    this.#rows[i] = row;
  }

  emit(emit: RowSink): void {
    for (let i = 0; i < this.#length; i++) emit(this.#tables[i]!, this.#rows[i]!);
    this.#length = 0;
  }

  clear(): this {
    this.#length = 0;
    return this;
  }
}

/**
 * Flattens the documents of one collection and remembers, per table and column, which kinds of
 * value it met: the schema the warehouse is compared with before loading.
 *
 * What a document adds to that schema (kinds, widths, collisions) is held back until the whole
 * document is flattened (`commit`): the raw flattener may give a document up half-way and
 * flatten it again from its decoded form, which must count once, and as decoded.
 */
export class DocumentFlattener implements ColumnObservations {
  readonly table: string;
  readonly keyField: string;
  /** Column names that two different source fields both mapped to (the first one wins). */
  readonly collisions = new Set<string>();
  readonly #observed = new Map<string, Map<string, Set<ValueKind>>>();
  readonly #widths = new Map<string, Map<string, number>>();
  /** The root of each table's field paths: the parent table's, and each child table's. */
  readonly #roots = new Map<string, FieldNode>();
  // The current document's notes, not yet committed: node i saw kind i (and a string of width i, or -1).
  readonly #notedNodes: FieldNode[] = [];
  readonly #notedKinds: ValueKind[] = [];
  readonly #notedWidths: number[] = [];
  #noted = 0;
  readonly #collided: string[] = [];
  readonly #children = new ChildRows();

  constructor(options: FlattenerOptions) {
    this.table = options.table;
    this.keyField = options.keyField ?? '_id';
  }

  /** Calls `emit` once for the parent row, then once per child row. */
  flatten(document: Readonly<Record<string, unknown>>, emit: RowSink): void {
    const key = document[this.keyField];
    const sourceId = key === undefined || key === null ? null : keyText(key);
    const row = this.parentRow(sourceId);
    const children = this.#children.clear();
    this.walk(document, this.root(this.table), row, sourceId, children, true);
    this.commit();
    emit(this.table, row);
    children.emit(emit);
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

  root(table: string): FieldNode {
    let root = this.#roots.get(table);
    if (!root) this.#roots.set(table, (root = new FieldNode(this, table, [])));
    return root;
  }

  /** A document's parent row, holding its key. */
  parentRow(sourceId: string | null): FlatRow {
    this.note(this.root(this.table).child(SOURCE_ID_COLUMN), sourceId === null ? 'null' : 'string', -1);
    return { [SOURCE_ID_COLUMN]: sourceId };
  }

  /**
   * The root of the child table an array at `arrayNode` becomes, with its key columns noted
   * (once per array, so an empty array still names its table).
   */
  childRoot(arrayNode: FieldNode): FieldNode {
    const root = this.root(arrayNode.childTable);
    this.note(root.child(PARENT_SOURCE_ID_COLUMN), 'string', -1);
    this.note(root.child(INDEX_COLUMN), 'integer', -1);
    return root;
  }

  /** One decoded value at a path: walked (object), exploded (array in a parent row), or a column. */
  place(node: FieldNode, value: unknown, row: FlatRow, sourceId: string | null, children: ChildRows | null): void {
    if (value === undefined) return;
    if (isPlainObject(value)) {
      this.walk(value, node, row, sourceId, children, false);
    } else if (Array.isArray(value) && children) {
      this.explode(value, node, sourceId, children);
    } else {
      const [flat, kind] = scalar(value);
      this.put(node, row, flat, kind);
    }
  }

  /** A decoded array element: an object walked into its child row, anything else its `value` column. */
  placeElement(node: FieldNode, value: unknown, row: FlatRow): void {
    if (isPlainObject(value)) {
      this.walk(value, node, row, null, null, false);
    } else {
      const [flat, kind] = scalar(value);
      this.put(node.child(VALUE_COLUMN), row, flat, kind);
    }
  }

  /** A column's value into its row: the first of two fields naming one column wins. */
  put(node: FieldNode, row: FlatRow, flat: FlatValue, kind: ValueKind): void {
    const column = node.column;
    if (column in row) {
      this.#collided.push(`${node.table}.${column}`);
      return;
    }
    row[column] = flat;
    this.note(node, kind, typeof flat === 'string' ? flat.length : -1);
  }

  /** Applies the current document's notes to the schema. */
  commit(): void {
    for (let i = 0; i < this.#noted; i++) {
      const node = this.#notedNodes[i]!;
      node.noteKind(this.#notedKinds[i]!);
      const width = this.#notedWidths[i]!;
      if (width >= 0) node.noteWidth(width);
    }
    this.#noted = 0;
    for (const collision of this.#collided) this.collisions.add(collision);
    this.#collided.length = 0;
  }

  /** Forgets the current document's notes (it is about to be flattened again). */
  discard(): void {
    this.#noted = 0;
    this.#collided.length = 0;
  }

  private note(node: FieldNode, kind: ValueKind, width: number): void {
    const i = this.#noted++;
    this.#notedNodes[i] = node;
    this.#notedKinds[i] = kind;
    this.#notedWidths[i] = width;
  }

  private walk(
    object: Readonly<Record<string, unknown>>,
    node: FieldNode,
    row: FlatRow,
    sourceId: string | null,
    children: ChildRows | null,
    topLevel: boolean,
  ): void {
    for (const field in object) {
      if (topLevel && field === this.keyField) continue;
      const value = object[field];
      if (value !== undefined) this.place(node.child(field), value, row, sourceId, children);
    }
  }

  /** One child row per array element; an element's own arrays stay in one JSON column. */
  private explode(array: readonly unknown[], node: FieldNode, sourceId: string | null, children: ChildRows): void {
    const table = node.childTable;
    const root = this.childRoot(node);
    for (let index = 0; index < array.length; index++) {
      const row: FlatRow = { [PARENT_SOURCE_ID_COLUMN]: sourceId, [INDEX_COLUMN]: index };
      this.placeElement(root, array[index], row);
      children.push(table, row);
    }
  }
}
