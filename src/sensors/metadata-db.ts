/**
 * A small pool on Sluice's own metadata database, for task code that reads or writes it (the
 * external task sensor, the triggerDag operator). One per process, made at the first use and
 * shared by every check after it: a sensor in reschedule mode checks every pokeInterval, and a
 * connection per check would cost a handshake each time. It never holds a process open or keeps
 * idle connections: idle clients close after IDLE_MS, and the pool lets the process exit.
 */
import { loadConfig } from '../config.ts';
import { createDb, type Db } from '../store/db.ts';

/** Two connections are plenty: a try runs one check at a time, and a runner one try. */
const MAX_CONNECTIONS = 2;
const IDLE_MS = 10_000;

let current: { url: string; pool: Db } | undefined;

/** The pool on SLUICE_DATABASE_URL (as the worker running this try reads it). */
export function metadataDb(env: NodeJS.ProcessEnv = process.env): Db {
  const url = loadConfig(env).databaseUrl;
  if (current?.url === url) return current.pool;
  // The URL changed under us (only tests do that): the old pool is ended, not leaked.
  if (current) void current.pool.end().catch(() => undefined);
  const pool = createDb(url, MAX_CONNECTIONS, { idleTimeoutMillis: IDLE_MS, allowExitOnIdle: true, application_name: 'sluice-task' });
  current = { url, pool };
  return pool;
}

/** Ends the pool, if one was made (tests, before they drop their database). */
export async function closeMetadataDb(): Promise<void> {
  const pool = current?.pool;
  current = undefined;
  await pool?.end();
}
