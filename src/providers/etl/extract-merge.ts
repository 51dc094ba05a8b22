/**
 * The readers of one extract as one result (pure): what a single reader of the whole window would
 * have reported. A column's kinds are a set and its width a maximum, so their union and maximum
 * over the ranges are what one pass over all documents observes; a row's collisions depend on
 * its own document only, so theirs is a union too. Parts are concatenated in range order; each
 * part carries its own column list (manifest version 2), so parts of different ranges need not
 * agree on columns.
 */
import type { RangeExtract } from './extract-range.ts';
import type { ObservedColumns, ObservedWidths, ValueKind } from './flatten.ts';
import type { TableExtract } from './manifest.ts';

export interface MergedExtract {
  documents: number;
  decoded: number;
  /** The parent table first (there even when no document was read), then the others as first met. */
  tables: Record<string, TableExtract>;
  collisions: string[];
}

export function mergeRanges(parentTable: string, ranges: readonly RangeExtract[]): MergedExtract {
  const kinds = new Map<string, Map<string, Set<ValueKind>>>();
  const widths = new Map<string, Map<string, number>>();
  for (const range of ranges) {
    for (const [table, columns] of Object.entries(range.observed)) {
      const merged = kinds.get(table) ?? kinds.set(table, new Map()).get(table)!;
      for (const [column, seen] of Object.entries(columns)) {
        const set = merged.get(column) ?? merged.set(column, new Set()).get(column)!;
        for (const kind of seen) set.add(kind);
      }
    }
    for (const [table, columns] of Object.entries(range.widths)) {
      const merged = widths.get(table) ?? widths.set(table, new Map()).get(table)!;
      for (const [column, width] of Object.entries(columns)) merged.set(column, Math.max(width, merged.get(column) ?? 0));
    }
  }
  const tables: Record<string, TableExtract> = {};
  const tableOf = (table: string): TableExtract =>
    (tables[table] ??= { columns: sortedKinds(kinds.get(table)), widths: sortedWidths(widths.get(table)), parts: [], rows: 0 });
  tableOf(parentTable);
  for (const range of ranges) {
    for (const { table, parts, rows } of range.written) {
      const extract = tableOf(table);
      extract.parts.push(...parts);
      extract.rows += rows;
    }
  }
  return {
    documents: ranges.reduce((sum, range) => sum + range.documents, 0),
    decoded: ranges.reduce((sum, range) => sum + range.decoded, 0),
    tables,
    collisions: [...new Set(ranges.flatMap((range) => range.collisions))].sort(),
  };
}

/** As DocumentFlattener.observed() orders them: columns by name, each one's kinds sorted. */
function sortedKinds(columns: Map<string, Set<ValueKind>> | undefined): ObservedColumns {
  const sorted: ObservedColumns = {};
  for (const column of [...(columns?.keys() ?? [])].sort()) sorted[column] = [...columns!.get(column)!].sort();
  return sorted;
}

/** As DocumentFlattener.observedWidths() orders them. */
function sortedWidths(columns: Map<string, number> | undefined): ObservedWidths {
  return Object.fromEntries([...(columns ?? [])].sort(([a], [b]) => a.localeCompare(b)));
}
