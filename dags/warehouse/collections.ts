/**
 * The shop's collections and how they reach the warehouse: shared by the ETL DAGs.
 * To add a collection: add it here, add a migration in ./migrations creating its table
 * (and a child table per array field) and list it in MIGRATIONS, and the next run extracts,
 * loads and promotes it.
 */
import { asset } from 'sluice';
import type { CollectionConfig } from 'sluice/providers';
import shopTables from './migrations/0001_shop_tables.sql';
import updateRoom from './migrations/0002_update_room.sql';

export const COLLECTIONS: CollectionConfig[] = [
  { collection: 'customers', modifiedField: 'updatedAt' },
  { collection: 'products', modifiedField: 'updatedAt' },
  { collection: 'orders', modifiedField: 'updatedAt' },
];

/** Every warehouse table the ETL writes, for vacuum. */
export const WAREHOUSE_TABLES = ['customers', 'customers_tags', 'products', 'orders', 'orders_items'];

/**
 * Each warehouse table as an asset (README, "Assets"): promote lists them in its outlets, so each
 * promote records an event per table, and DAGs scheduled on them (daily_sales) run after it.
 */
export const WAREHOUSE_ASSETS = Object.fromEntries(WAREHOUSE_TABLES.map((t) => [t, asset(`warehouse://public/${t}`)]));

/**
 * The warehouse's migrations by file name, applied in version order. Imported as text, they are
 * part of each DAG version's code: workers need no DAGs folder to apply them.
 */
export const MIGRATIONS: Record<string, string> = {
  '0001_shop_tables.sql': shopTables,
  '0002_update_room.sql': updateRoom,
};
