/**
 * The shop's collections and how they reach the warehouse: shared by the ETL DAGs.
 * To add a collection: add it here, add a migration in ./migrations creating its table
 * (and a child table per array field), and the next run extracts, loads and promotes it.
 */
import type { CollectionConfig } from 'sluice/providers';

export const COLLECTIONS: CollectionConfig[] = [
  { collection: 'customers', modifiedField: 'updatedAt' },
  { collection: 'products', modifiedField: 'updatedAt' },
  { collection: 'orders', modifiedField: 'updatedAt' },
];

/** Every warehouse table the ETL writes, for vacuum. */
export const WAREHOUSE_TABLES = ['customers', 'customers_tags', 'products', 'orders', 'orders_items'];

export const MIGRATIONS = new URL('./migrations/', import.meta.url);
