/**
 * VACUUM (ANALYZE) of warehouse tables, between loads: each table is vacuumed while this session
 * holds `WAREHOUSE_LOAD_LOCK`, which promote takes in its transaction, so the two never overlap.
 */
import pg from 'pg';
import type { Logger } from '../../log.ts';
import { withDedicatedClient, withSessionLock } from '../../pg/locks.ts';
import { WAREHOUSE_LOAD_LOCK } from './locks.ts';

export interface VacuumOptions {
  /** `table` (looked up in the search_path) or `schema.table`; names are matched exactly, case included. */
  tables: string[];
  log: Logger;
  /** Checked between tables: a VACUUM under way is let finish, the remaining tables are skipped. */
  signal?: AbortSignal;
}

export interface VacuumReport {
  /** As given in `tables`. */
  table: string;
  /** pg_total_relation_size: heap, indexes, TOAST and the free-space and visibility maps. */
  bytesBefore: number;
  bytesAfter: number;
  /**
   * n_dead_tup of pg_stat_user_tables. Statistics lag: a backend reports its changes up to about
   * a second after its transaction ends, so rows deleted just before may not be counted yet.
   */
  deadTuplesBefore: number;
  deadTuplesAfter: number;
  /** The VACUUM itself and the measurements around it, without waiting for the lock. */
  durationMs: number;
  /** Time spent waiting for a promote to finish. */
  lockWaitMs: number;
}

interface Target {
  given: string;
  oid: number;
  /** Schema-qualified and quoted, for the VACUUM statement. */
  sql: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
// pg_class.relkind values VACUUM accepts: ordinary and partitioned tables, materialized views.
const VACUUMABLE = new Set(['r', 'p', 'm']);
const RELKIND_NAMES: Record<string, string> = { v: 'a view', i: 'an index', S: 'a sequence', f: 'a foreign table', c: 'a composite type' };

/** Vacuums and analyzes `tables` one after another on one connection, reporting sizes and dead tuples. */
export async function vacuumTables(pool: pg.Pool, options: VacuumOptions): Promise<VacuumReport[]> {
  const { tables, log, signal } = options;
  const names = tables.map((given) => ({ given, quoted: quoteTableName(given) }));
  return withDedicatedClient(pool, async (client) => {
    // All names are checked before the first VACUUM, so a typo fails fast instead of halfway through.
    const targets: Target[] = [];
    for (const name of names) targets.push(await resolveTable(client, name.given, name.quoted));
    const reports: VacuumReport[] = [];
    for (const target of targets) {
      if (signal?.aborted) throw abortError(signal, reports, targets);
      reports.push(await vacuumTable(client, target, log));
    }
    return reports;
  });
}

function quoteTableName(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new Error(
      `cannot vacuum "${name}": not a table name; give "table" or "schema.table" made of letters, digits, "_" and "$"`,
    );
  }
  return parts.map((part) => pg.escapeIdentifier(part)).join('.');
}

async function resolveTable(client: pg.ClientBase, given: string, quoted: string): Promise<Target> {
  const { rows } = await client.query<{ oid: number; relkind: string; nspname: string; relname: string }>(
    `SELECT c.oid, c.relkind, n.nspname, c.relname
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1)`,
    [quoted],
  );
  const found = rows[0];
  if (!found) {
    const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db;
    throw new Error(
      `cannot vacuum table ${given}: it does not exist in database ${database}` +
        `${given.includes('.') ? '' : ' (looked up in the search_path)'}; names are matched exactly, case included. ` +
        'Check the tables option, or run the load that creates it first',
    );
  }
  if (!VACUUMABLE.has(found.relkind)) {
    throw new Error(`cannot vacuum ${given}: it is ${RELKIND_NAMES[found.relkind] ?? 'not a table'}; list only tables`);
  }
  return { given, oid: found.oid, sql: `${pg.escapeIdentifier(found.nspname)}.${pg.escapeIdentifier(found.relname)}` };
}

async function vacuumTable(client: pg.ClientBase, target: Target, log: Logger): Promise<VacuumReport> {
  const table = target.given;
  let waitStarted: number | undefined;
  const onWait = () => {
    waitStarted = performance.now();
    log.info({ table }, 'waiting for the warehouse load lock: a promote is running');
  };
  return withSessionLock(
    client,
    WAREHOUSE_LOAD_LOCK,
    async () => {
      const started = performance.now();
      const lockWaitMs = waitStarted === undefined ? 0 : Math.round(started - waitStarted);
      const before = await measure(client, target.oid);
      // VACUUM refuses to run in a transaction block; this dedicated client is in autocommit mode.
      await client.query(`VACUUM (ANALYZE) ${target.sql}`);
      const after = await measure(client, target.oid);
      const report: VacuumReport = {
        table,
        bytesBefore: before.bytes,
        bytesAfter: after.bytes,
        deadTuplesBefore: before.deadTuples,
        deadTuplesAfter: after.deadTuples,
        durationMs: Math.round(performance.now() - started),
        lockWaitMs,
      };
      log.info(report, 'vacuumed warehouse table');
      return report;
    },
    { onWait },
  );
}

async function measure(client: pg.ClientBase, oid: number): Promise<{ bytes: number; deadTuples: number }> {
  // bigint columns arrive as strings unless a type parser says otherwise; sizes fit a double.
  const { rows } = await client.query<{ bytes: string | number; dead: string | number }>(
    `SELECT pg_total_relation_size($1::oid::regclass) AS bytes,
            COALESCE((SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = $1::oid), 0) AS dead`,
    [oid],
  );
  return { bytes: Number(rows[0]?.bytes ?? 0), deadTuples: Number(rows[0]?.dead ?? 0) };
}

function abortError(signal: AbortSignal, done: readonly VacuumReport[], targets: readonly Target[]): Error {
  const skipped = targets.slice(done.length).map((t) => t.given);
  const error = new Error(
    `vacuum aborted after ${done.length} of ${targets.length} tables; not vacuumed: ${skipped.join(', ')}`,
    { cause: signal.reason },
  );
  error.name = 'AbortError';
  return error;
}
