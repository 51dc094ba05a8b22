import type { WarehouseColumn } from '../../src/providers/etl/repair.ts';

/** A warehouse column as information_schema describes it: nullable, no length or precision unless given. */
export const column = (name: string, dataType: string, extra: Partial<WarehouseColumn> = {}): WarehouseColumn => ({
  name, dataType, maxLength: null, numericPrecision: null, numericScale: null, nullable: true, ...extra,
});
