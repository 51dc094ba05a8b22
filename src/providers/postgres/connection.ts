/** Where the ETL's PostgreSQL warehouse lives, and a pool on it. */
import type pg from 'pg';
import { redactError, redactSecrets } from '../../core/redact.ts';
import { createDb, ensureDatabase } from '../../store/db.ts';

export const DEFAULT_WAREHOUSE_URL = 'postgres://postgres@127.0.0.1:5432/warehouse';

export function warehouseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.WAREHOUSE_DATABASE_URL || DEFAULT_WAREHOUSE_URL;
}

export interface OpenWarehouseOptions {
  /** Pool size; default 10. */
  max?: number;
}

/**
 * A pool on the warehouse database, created first if it does not exist yet.
 *
 * The database is probed before anything is created, so a role that may connect to the warehouse
 * but not to the `postgres` maintenance database (which `ensureDatabase` uses) still works.
 */
export async function openWarehouse(url: string, options: OpenWarehouseOptions = {}): Promise<pg.Pool> {
  assertNamesDatabase(url);
  const pool = createDb(url, options.max ?? 10);
  try {
    await probeOrCreate(pool, url);
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    const { message } = redactError(error);
    throw new Error(
      `cannot open the warehouse database ${redactSecrets(url)}: ${message}. ` +
        'Check that PostgreSQL is running there, or set WAREHOUSE_DATABASE_URL to the warehouse\'s URL ' +
        `(default ${DEFAULT_WAREHOUSE_URL}).`,
      { cause: error },
    );
  }
}

async function probeOrCreate(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    // 3D000 invalid_catalog_name: the server is there, the database is not (yet).
    if ((error as { code?: string }).code !== '3D000') throw error;
    await ensureDatabase(url);
    await pool.query('SELECT 1');
  }
}

function assertNamesDatabase(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      `the warehouse URL ${redactSecrets(url)} does not parse as a URL; set WAREHOUSE_DATABASE_URL like ${DEFAULT_WAREHOUSE_URL} ` +
        '(percent-encode any of : / ? # @ in the password)',
    );
  }
  if (!decodeURIComponent(parsed.pathname.replace(/^\//, ''))) {
    throw new Error(
      `the warehouse URL ${redactSecrets(url)} names no database; add one to WAREHOUSE_DATABASE_URL, e.g. ${DEFAULT_WAREHOUSE_URL}`,
    );
  }
}
