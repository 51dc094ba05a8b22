import pg from 'pg';
import { redactError, redactSecrets } from '../core/redact.ts';

export type Db = pg.Pool;
export type Tx = pg.PoolClient;
/** Anything that can run a query: the pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

// timestamptz and bigint come back as Date and number everywhere; ids here never exceed 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function createDb(
  databaseUrl: string,
  max = 10,
  options: Pick<pg.PoolConfig, 'idleTimeoutMillis' | 'allowExitOnIdle' | 'application_name'> = {},
): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, application_name: 'sluice', ...options });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

// deadlock_detected, serialization_failure: the transaction lost a race and may simply run again.
const RETRYABLE = new Set(['40P01', '40001']);

/** Runs `work` in a transaction, again (up to 5 times) when Postgres aborts it for a deadlock. */
export async function withTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (error as { code?: string }).code;
      if (attempt < 5 && code && RETRYABLE.has(code)) continue;
      throw error;
    } finally {
      client.release();
    }
  }
}

/**
 * The URL's database name, and the URL of the `postgres` maintenance database on the same server.
 * Errors show the URL redacted: Node's own URL error would carry it whole (in `input`).
 */
function adminTarget(databaseUrl: string): { name: string; adminUrl: string } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error(
      `SLUICE_DATABASE_URL "${redactSecrets(databaseUrl)}" is not a valid URL; write it like postgres://user:password@host:5432/sluice ` +
        '(percent-encode any of : / ? # @ in the password)',
    );
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`SLUICE_DATABASE_URL "${redactSecrets(databaseUrl)}" names no database; add one, e.g. /sluice`);
  url.pathname = '/postgres';
  return { name, adminUrl: url.toString() };
}

/** A client on the maintenance database, connected; a failure is thrown with its secrets masked. */
async function connectAdmin(adminUrl: string): Promise<pg.Client> {
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw redactError(error);
  }
  return admin;
}

/** Creates the database named in the URL if it does not exist (safe when several processes race). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const { name, adminUrl } = adminTarget(databaseUrl);
  const admin = await connectAdmin(adminUrl);
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      return true;
    } catch (error) {
      // 42P04 duplicate_database, 23505: another process created it between our check and our create.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw error;
    }
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { name, adminUrl } = adminTarget(databaseUrl);
  const admin = await connectAdmin(adminUrl);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
