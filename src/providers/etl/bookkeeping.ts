/**
 * The ETL's own tables in the warehouse (schema `sluice_etl`): how far each collection is loaded,
 * what every promote did, the records that could not be loaded, and the staging tables in use.
 * Created by the migrate task before the user's migrations; every statement is idempotent.
 */
import { withTransaction, type Db, type Queryable } from '../../store/db.ts';
import { WAREHOUSE_BOOKKEEPING_LOCK } from '../postgres/locks.ts';
import { ETL_SCHEMA, STAGING_SCHEMA } from './layout.ts';

const DDL = `
CREATE SCHEMA IF NOT EXISTS ${ETL_SCHEMA};
CREATE SCHEMA IF NOT EXISTS ${STAGING_SCHEMA};
CREATE TABLE IF NOT EXISTS ${ETL_SCHEMA}.watermarks (
  dag_id text NOT NULL,
  collection text NOT NULL,
  loaded_until timestamptz NOT NULL,
  last_run_id text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dag_id, collection)
);
CREATE TABLE IF NOT EXISTS ${ETL_SCHEMA}.load_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dag_id text NOT NULL,
  run_id text NOT NULL,
  collection text NOT NULL,
  table_name text NOT NULL,
  window_from timestamptz,
  window_until timestamptz NOT NULL,
  staged integer NOT NULL,
  inserted integer NOT NULL,
  updated integer NOT NULL,
  unchanged integer NOT NULL,
  repaired jsonb NOT NULL,
  rejected integer NOT NULL,
  unknown_fields text[] NOT NULL DEFAULT '{}',
  promoted_at timestamptz NOT NULL DEFAULT now()
);
-- Rows promote inserted, updated or deleted in the table (child rows too); NULL before it was
-- counted. Looked up first: ALTER TABLE locks the table even when the column exists, and would
-- wait for (and hold up) a promote writing its audit rows.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '${ETL_SCHEMA}.load_audit'::regclass AND attname = 'written' AND NOT attisdropped) THEN
    ALTER TABLE ${ETL_SCHEMA}.load_audit ADD COLUMN written integer;
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS load_audit_run ON ${ETL_SCHEMA}.load_audit (dag_id, run_id);
CREATE TABLE IF NOT EXISTS ${ETL_SCHEMA}.load_rejects (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dag_id text NOT NULL,
  run_id text NOT NULL,
  collection text NOT NULL,
  table_name text NOT NULL,
  part_key text NOT NULL,
  line_number integer NOT NULL,
  source_id text,
  reason text NOT NULL,
  record text NOT NULL,
  rejected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS load_rejects_run ON ${ETL_SCHEMA}.load_rejects (dag_id, run_id, collection);
CREATE TABLE IF NOT EXISTS ${ETL_SCHEMA}.staging_tables (
  name text PRIMARY KEY,
  dag_id text NOT NULL,
  run_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

/**
 * Creates what is missing. Concurrent CREATE ... IF NOT EXISTS can still collide in the catalog,
 * so callers take turns; a transaction-level lock, so it is held and released on one connection.
 */
export async function ensureBookkeeping(pool: Db): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [WAREHOUSE_BOOKKEEPING_LOCK]);
    await tx.query(DDL);
  });
}

/** How far a collection is loaded, or undefined before its first promote. */
export async function readWatermark(db: Queryable, dagId: string, collection: string): Promise<Date | undefined> {
  const { rows } = await db.query<{ loaded_until: Date }>(
    `SELECT loaded_until FROM ${ETL_SCHEMA}.watermarks WHERE dag_id = $1 AND collection = $2`,
    [dagId, collection],
  );
  return rows[0]?.loaded_until;
}
