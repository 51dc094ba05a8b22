/**
 * The source's fields against the warehouse's columns (pure). A field with no column is never
 * dropped silently: it is reported by name, or, with schema evolution on, becomes an additive
 * change: a new column, or a wider type (types only widen, never narrow).
 */
import { quoteIdent } from './column-names.ts';
import type { ObservedColumns, ValueKind } from './flatten.ts';
import type { WarehouseColumn } from './repair.ts';

export interface SchemaDrift {
  /** Source columns the table lacks, with the type evolution would give them. */
  missing: { column: string; type: string }[];
  /** Existing columns that cannot hold what the source sends, with the type they would widen to. */
  widen: { column: string; from: string; to: string }[];
}

/** The narrowest SQL type that holds every kind of value seen. */
export function typeForKinds(kinds: readonly ValueKind[]): string {
  const seen = new Set(kinds.filter((kind) => kind !== 'null'));
  if (seen.size === 0) return 'text';
  if (seen.size === 1) {
    const [only] = seen;
    return ({ string: 'text', integer: 'bigint', number: 'double precision', boolean: 'boolean', date: 'timestamptz', json: 'jsonb' } as const)[only!];
  }
  if ([...seen].every((kind) => kind === 'integer' || kind === 'number')) return 'double precision';
  return 'text';
}

const NUMERIC_TYPES = new Set(['smallint', 'integer', 'bigint', 'numeric', 'double precision', 'real']);
const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);

/** `observed` against `columns` (the table's loadable columns). */
export function compareSchema(observed: ObservedColumns, columns: readonly WarehouseColumn[]): SchemaDrift {
  const byName = new Map(columns.map((column) => [column.name, column]));
  const drift: SchemaDrift = { missing: [], widen: [] };
  for (const [name, kinds] of Object.entries(observed)) {
    const column = byName.get(name);
    if (!column) {
      drift.missing.push({ column: name, type: typeForKinds(kinds) });
      continue;
    }
    const widened = widenedType(column, new Set(kinds));
    if (widened) drift.widen.push({ column: name, from: column.dataType, to: widened });
  }
  return drift;
}

/**
 * A wider type when the column's values would otherwise be rejected: text for a number or
 * boolean column that receives strings (a zipcode stored as 2134 here and 'SW1A 1AA' there),
 * a fractional type for an integer column that receives fractions. Dates never widen: an
 * impossible date is repaired to NULL instead.
 */
function widenedType(column: WarehouseColumn, kinds: ReadonlySet<ValueKind>): string | undefined {
  const type = column.dataType;
  if ((NUMERIC_TYPES.has(type) || type === 'boolean') && (kinds.has('string') || kinds.has('json'))) return 'text';
  if (INTEGER_TYPES.has(type) && kinds.has('number')) return 'numeric';
  if (type === 'boolean' && (kinds.has('integer') || kinds.has('number'))) return 'text';
  return undefined;
}

/** The additive SQL of a drift; none of it can lose data. */
export function evolutionStatements(qualifiedTable: string, drift: SchemaDrift): string[] {
  return [
    ...drift.missing.map(({ column, type }) => `ALTER TABLE ${qualifiedTable} ADD COLUMN IF NOT EXISTS ${quoteIdent(column)} ${type}`),
    ...drift.widen.map(
      ({ column, to }) => `ALTER TABLE ${qualifiedTable} ALTER COLUMN ${quoteIdent(column)} TYPE ${to} USING ${quoteIdent(column)}::${to}`,
    ),
  ];
}
