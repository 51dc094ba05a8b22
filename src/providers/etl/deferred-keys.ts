/**
 * The indexes, unique constraints and foreign keys of a group of tables, dropped so that a bulk
 * INSERT into them (empty) does none of the per-row work they cost, and then rebuilt exactly as
 * they were: each index by one sort of the loaded rows, each foreign key checked by one join.
 * Per row, an index costs a B-tree descent and a WAL record, and a foreign key a trigger call and
 * a lookup in the referenced table: on a first load of 1.6M child rows those were most of the time.
 *
 * Only keys inside the group are touched: a foreign key that links a table of the group with one
 * outside it stays (dropping it would lock the other table, which may be in use), and so do the
 * index it relies on, an index that is the table's replica identity or its CLUSTER index (what
 * they mean would not survive a rebuild) and an exclusion constraint's. Comments on the dropped
 * indexes and constraints are not kept.
 */
import type pg from 'pg';

interface ForeignKey {
  table: string;
  name: string;
  definition: string;
}

interface Index {
  table: string;
  /** Schema-qualified, for DROP INDEX; `name` bare, for USING INDEX. */
  index: string;
  name: string;
  /** CREATE [UNIQUE] INDEX …, with its storage parameters and tablespace. */
  definition: string;
  /** The primary key or unique constraint the index belongs to, null for a plain index. */
  constraint: string | null;
  /** `PRIMARY KEY USING INDEX …`, with the constraint's deferrability: attaches the rebuilt index. */
  attach: string | null;
}

export interface DeferredKeys {
  /** Builds every dropped index and constraint again, then the foreign keys (which need them). */
  restore(): Promise<void>;
}

/**
 * Drops the group's keys; `tables` are regclass texts (schema-qualified, quoted as needed).
 * Takes ACCESS EXCLUSIVE locks on the group's tables until the transaction ends.
 */
export async function deferKeys(client: pg.PoolClient, tables: readonly string[]): Promise<DeferredKeys> {
  const { rows: foreignKeys } = await client.query<ForeignKey>(
    `SELECT k.conrelid::regclass::text AS table, quote_ident(k.conname) AS name, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint k
      WHERE k.contype = 'f' AND k.conrelid = ANY($1::regclass[]) AND k.confrelid = ANY($1::regclass[])
      ORDER BY k.oid`,
    [tables],
  );
  const { rows: indexes } = await client.query<Index>(
    `SELECT i.indrelid::regclass::text AS table, i.indexrelid::regclass::text AS index, quote_ident(x.relname) AS name,
            pg_get_indexdef(i.indexrelid) AS definition, quote_ident(k.conname) AS constraint,
            CASE k.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END || ' USING INDEX ' || quote_ident(x.relname)
              || CASE WHEN k.condeferrable THEN ' DEFERRABLE' ELSE '' END || CASE WHEN k.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END AS attach
       FROM pg_index i
       JOIN pg_class x ON x.oid = i.indexrelid
       LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
      WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisreplident AND NOT i.indisclustered AND k.contype IS DISTINCT FROM 'x'
        AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid AND NOT f.conrelid = ANY($1::regclass[]))
      ORDER BY array_position($1::regclass[], i.indrelid), i.indexrelid`,
    [tables],
  );
  for (const key of foreignKeys) await client.query(`ALTER TABLE ${key.table} DROP CONSTRAINT ${key.name}`);
  for (const index of indexes) {
    await client.query(index.constraint ? `ALTER TABLE ${index.table} DROP CONSTRAINT ${index.constraint}` : `DROP INDEX ${index.index}`);
  }
  return {
    async restore() {
      for (const index of indexes) {
        // The index first, then the constraint around it: a constraint's own definition
        // (pg_get_constraintdef) leaves out the index's storage parameters and tablespace.
        await client.query(index.definition);
        if (index.constraint) await client.query(`ALTER TABLE ${index.table} ADD CONSTRAINT ${index.constraint} ${index.attach}`);
      }
      for (const key of foreignKeys) await client.query(`ALTER TABLE ${key.table} ADD CONSTRAINT ${key.name} ${key.definition}`);
    },
  };
}
