/**
 * Advisory-lock helpers for any Postgres database Sluice works on: the metadata store's migrator
 * and the warehouse ETL both hold their locks through these. The keys are the callers' own.
 */
import type pg from 'pg';

export interface SessionLockOptions {
  /** Called once when the lock is taken by another session and this call is about to wait for it. */
  onWait?: () => void;
}

/**
 * Runs `fn` while `client`'s session holds `pg_advisory_lock(key)`, waiting for the lock if needed.
 *
 * The lock is released afterwards, also when `fn` throws. If releasing fails (broken connection, or
 * the session left in an aborted transaction) the lock may still be held: whoever owns the client
 * must then discard it rather than pool it, which `withDedicatedClient` does.
 */
export async function withSessionLock<T>(
  client: pg.ClientBase,
  key: number,
  fn: () => Promise<T>,
  options: SessionLockOptions = {},
): Promise<T> {
  // Trying first only tells us whether we are about to wait, so callers can say so in their logs.
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]);
  if (!rows[0]?.locked) {
    options.onWait?.();
    await client.query('SELECT pg_advisory_lock($1)', [key]);
  }
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    throw error;
  }
  await client.query('SELECT pg_advisory_unlock($1)', [key]);
  return result;
}

/**
 * Runs `work` on a client of its own. A client whose work failed is destroyed instead of returned
 * to the pool: its session may still hold a session-level lock or sit in an aborted transaction.
 */
export async function withDedicatedClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    const result = await work(client);
    client.release();
    return result;
  } catch (error) {
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}
