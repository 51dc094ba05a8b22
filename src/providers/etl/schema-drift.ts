/**
 * The source's fields against the warehouse's columns (pure). A field with no column is never
 * dropped silently: it is reported by name, or, with schema evolution on, becomes an additive
 * change: a new column, or a wider type (types only widen, never narrow).
 */
import { quoteIdent } from './column-names.ts';
import type { ObservedColumns, ObservedWidths, ValueKind } from './flatten.ts';
import { describeType, type WarehouseColumn } from './repair.ts';

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

/** PostgreSQL's largest varchar(n); wider text needs `text`. */
const MAX_VARCHAR = 10_485_760;

/** `observed` (and the longest strings seen, `widths`) against `columns` (the table's loadable columns). */
export function compareSchema(observed: ObservedColumns, columns: readonly WarehouseColumn[], widths: ObservedWidths = {}): SchemaDrift {
  const byName = new Map(columns.map((column) => [column.name, column]));
  const drift: SchemaDrift = { missing: [], widen: [] };
  for (const [name, kinds] of Object.entries(observed)) {
    const column = byName.get(name);
    if (!column) {
      drift.missing.push({ column: name, type: typeForKinds(kinds) });
      continue;
    }
    const widened = widenedType(column, new Set(kinds)) ?? widerVarchar(column, widths[name] ?? 0);
    if (widened) drift.widen.push({ column: name, from: describeType(column), to: widened });
  }
  return drift;
}

/**
 * A wider varchar for strings longer than the column allows, instead of cutting them: at least
 * twice the old width and rounded up to a power of two, so that growing data does not need a
 * change every run. (varchar(n) to a larger n rewrites nothing in PostgreSQL.)
 */
function widerVarchar(column: WarehouseColumn, longest: number): string | undefined {
  if (column.dataType !== 'character varying' || column.maxLength === null || longest <= column.maxLength) return undefined;
  const width = Math.max(column.maxLength * 2, 2 ** Math.ceil(Math.log2(longest)));
  return width > MAX_VARCHAR ? 'text' : `varchar(${width})`;
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
