/** How one source collection maps to the warehouse: given once in the DAG file, used by every task. */
import { columnName } from './column-names.ts';

export interface CollectionConfig {
  /** The MongoDB collection. */
  collection: string;
  /** The warehouse table; default: the collection's name. Child tables are named after it. */
  table?: string;
  /** The source key; default `_id`. Its value becomes the table's unique `source_id`. */
  keyField?: string;
  /** The Date field each write sets, e.g. `updatedAt`: the basis of incremental windows. */
  modifiedField: string;
}

export interface ResolvedCollection {
  collection: string;
  table: string;
  keyField: string;
  modifiedField: string;
  /** The warehouse column of `modifiedField`: a newer version of a row never loses to an older one. */
  modifiedColumn: string;
}

export function resolveCollection(config: CollectionConfig): ResolvedCollection {
  if (!/^[A-Za-z0-9_.-]+$/.test(config.collection)) {
    throw new Error(`collection "${config.collection}": use letters, digits, _ . - only (it becomes part of task ids and S3 keys)`);
  }
  const table = config.table ?? columnName([config.collection]);
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) {
    throw new Error(`collection "${config.collection}": table "${table}" must be a lower-case SQL identifier (letters, digits, _)`);
  }
  if (!config.modifiedField) throw new Error(`collection "${config.collection}": modifiedField is required (the Date field every write sets)`);
  return {
    collection: config.collection,
    table,
    keyField: config.keyField ?? '_id',
    modifiedField: config.modifiedField,
    modifiedColumn: columnName(config.modifiedField.split('.')),
  };
}
