/**
 * A field path below one table, resolved once: its column (or child table) name, the kinds and
 * widths seen in that column, and what the raw BSON flattener needs to find the path again from a
 * field name's bytes without decoding it. Documents of a collection repeat the same paths, so all
 * of this is computed once per path, not once per value.
 */
import { childTableName, columnName } from './column-names.ts';
import type { ValueKind } from './flatten.ts';
import type { TextCache } from './text-cache.ts';

/** Where a path's observations go: one set of kinds and one width per (table, column). */
export interface ColumnObservations {
  kindsOf(table: string, column: string): Set<ValueKind>;
  widthsOf(table: string): Map<string, number>;
}

export class FieldNode {
  readonly #children = new Map<string, FieldNode>();
  #column: string | undefined;
  #childTable: string | undefined;
  #kinds: Set<ValueKind> | undefined;
  /** The last kind added: most columns hold one kind, so most notes stop at this comparison. */
  #lastKind: ValueKind | undefined;
  #widths: Map<string, number> | undefined;
  /** The widest string this node has noted (its column's width is at least this). */
  #widest = 0;

  // For RawFlattener (raw-flatten.ts): the field name's bytes as first met, the strings met at
  // this path, the sibling that followed this field in the last document (its likely successor),
  // the first field of this (sub-)document in the last one, and the sub-document it was last met
  // in (a repeated name).
  nameBytes: Uint8Array | undefined;
  /** The strings this path repeats, by their bytes. */
  texts: TextCache | undefined;
  next: FieldNode | undefined;
  first: FieldNode | undefined;
  visit = 0;
  /**
   * A name whose decoded object would not keep the bytes' field order (an array index such as
   * "2": JavaScript puts those first) or might become a DBRef (`$ref`, `$id`): a document with
   * such a field is flattened from its decoded form, as the driver would have given it.
   */
  readonly decodeFirst: boolean;

  constructor(
    private readonly observations: ColumnObservations,
    readonly table: string,
    readonly path: readonly string[],
  ) {
    const name = path.at(-1);
    this.decodeFirst = name !== undefined && (name.startsWith('$') || isArrayIndex(name));
  }

  child(field: string): FieldNode {
    let node = this.#children.get(field);
    if (!node) this.#children.set(field, (node = new FieldNode(this.observations, this.table, [...this.path, field])));
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
    return (this.#kinds ??= this.observations.kindsOf(this.table, this.column));
  }

  noteKind(kind: ValueKind): void {
    if (kind === this.#lastKind) return;
    this.#lastKind = kind;
    this.kinds.add(kind);
  }

  /** Notes a string's length against the column's widest so far. */
  noteWidth(length: number): void {
    if (length <= this.#widest) return;
    this.#widest = length;
    const widths = (this.#widths ??= this.observations.widthsOf(this.table));
    if (length > (widths.get(this.column) ?? 0)) widths.set(this.column, length);
  }
}

/** A canonical array index ("0", "17"): JavaScript orders such keys before all others. */
function isArrayIndex(name: string): boolean {
  return /^(?:0|[1-9][0-9]*)$/.test(name) && Number(name) < 2 ** 32 - 1;
}
