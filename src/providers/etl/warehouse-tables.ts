/** What the warehouse's tables look like, read from information_schema. */
import type { Queryable } from '../../store/db.ts';
import type { WarehouseColumn } from './repair.ts';

/** Columns the ETL fills itself; never compared with source fields. */
export const MANAGED_COLUMNS = new Set(['id', 'parent_id', 'etl_run_id', 'etl_loaded_at']);

/** The table's columns in order, or undefined when there is no such table. */
export async function describeTable(db: Queryable, schema: string, table: string): Promise<WarehouseColumn[] | undefined> {
  const { rows } = await db.query<{
    column_name: string;
    data_type: string;
    character_maximum_length: number | null;
    numeric_precision: number | null;
    numeric_scale: number | null;
    is_nullable: 'YES' | 'NO';
    is_identity: 'YES' | 'NO';
    is_generated: string;
  }>(
    `SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable, is_identity, is_generated
       FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  if (rows.length === 0) return undefined;
  return rows.map((row) => ({
    name: row.column_name,
    dataType: row.data_type,
    maxLength: row.character_maximum_length,
    numericPrecision: row.data_type === 'numeric' ? row.numeric_precision : null,
    numericScale: row.data_type === 'numeric' ? row.numeric_scale : null,
    nullable: row.is_nullable === 'YES',
  }));
}

/** The columns a load fills: the table's columns minus the ones the ETL manages. */
export function loadableColumns(columns: readonly WarehouseColumn[]): WarehouseColumn[] {
  return columns.filter((column) => !MANAGED_COLUMNS.has(column.name));
}

/** The column as SQL type text, for staging tables and evolved columns. */
export function sqlType(column: WarehouseColumn): string {
  switch (column.dataType) {
    case 'character varying':
      return column.maxLength === null ? 'varchar' : `varchar(${column.maxLength})`;
    case 'character':
      return `char(${column.maxLength ?? 1})`;
    case 'numeric':
      return column.numericPrecision === null ? 'numeric' : `numeric(${column.numericPrecision},${column.numericScale ?? 0})`;
    case 'USER-DEFINED':
    case 'ARRAY':
      // Staging keeps these as text; the promote's INSERT casts them.
      return 'text';
    default:
      return column.dataType;
  }
}
