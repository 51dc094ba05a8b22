/**
 * Advisory-lock keys of the warehouse ETL (the helpers that hold them are in src/pg/locks.ts).
 *
 * Advisory locks are per database and keyed by one bigint. The keys are plain numbers below
 * Number.MAX_SAFE_INTEGER so they pass through `pg` without rounding. They differ from the metadata
 * store's own migration key (src/store/migrate.ts) in case both live in one database.
 */

/** Held (session-level) by `applyMigrations` for a whole run, so concurrent runs apply each file once. */
export const WAREHOUSE_MIGRATIONS_LOCK = 7_351_902_201;

/**
 * Serializes writes that swap warehouse data with maintenance of it: promote takes it with
 * `pg_advisory_xact_lock` inside its transaction, vacuum with a session-level `pg_advisory_lock`.
 * Both kinds conflict on one key, so a vacuum never overlaps a promote.
 */
export const WAREHOUSE_LOAD_LOCK = 7_351_902_202;

/** Taken (transaction-level) while the ETL creates its own bookkeeping tables. */
export const WAREHOUSE_BOOKKEEPING_LOCK = 7_351_902_210;
