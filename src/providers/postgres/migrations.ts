/**
 * SQL migrations for the warehouse: `NNNN_name.sql` files applied in version order, each in its own
 * transaction, recorded in `<schema>.schema_migrations`, and automatic migrations recorded in the
 * same table from version 100000 up.
 *
 * Reading and running the files (naming rules, checksums, edited-file detection, one transaction
 * per file with errors pointing at the failing line) is src/pg/migration-files.ts, shared with the
 * metadata store's migrator (src/store/migrate.ts), which keeps its own bookkeeping table.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../../log.ts';
import { withDedicatedClient, withSessionLock } from '../../pg/locks.ts';
import {
  describeFailure,
  FIRST_AUTO_VERSION,
  MigrationError,
  migrationFilesFromText,
  pendingMigrations,
  readMigrationFiles,
  runMigrationFile,
  sha256,
  type LedgerEntry,
  type MigrationFile,
} from '../../pg/migration-files.ts';
import { WAREHOUSE_MIGRATIONS_LOCK } from './locks.ts';

export const DEFAULT_MIGRATIONS_SCHEMA = 'sluice_etl';
/** Where migrations given as text come from, in reports and messages. */
const GIVEN_AS_TEXT = '(migrations given as text)';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface ApplyMigrationsOptions {
  /** The folder of `NNNN_name.sql` files; or `files`. */
  directory?: string;
  /** The migrations as text by file name (`NNNN_name.sql`), e.g. SQL files a DAG imports as text. */
  files?: Record<string, string>;
  /** Schema holding `schema_migrations`; default `sluice_etl`. */
  schema?: string;
  log?: Logger;
  /** Recorded with each migration; default `<hostname> pid <pid>`. */
  appliedBy?: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  durationMs: number;
}

export interface MigrationReport {
  applied: AppliedMigration[];
  /** File migrations found already applied (automatic ones are not counted). */
  alreadyApplied: number;
  /** The directory read, resolved to an absolute path; "(given as text)" for `files`. */
  directory: string;
}

export interface AutoMigrationInput {
  name: string;
  sql: string;
  schema?: string;
  appliedBy?: string;
}

export interface AutoMigrationRecord {
  version: number;
  name: string;
  checksum: string;
}

// ---------------------------------------------------------------------------------------------
// The warehouse's ledger

interface Ledger {
  /** Quoted, for SQL. */
  schema: string;
  table: string;
  /** Unquoted, for messages. */
  display: string;
}

function ledgerOf(schema: string): Ledger {
  if (!IDENTIFIER.test(schema)) {
    throw new MigrationError(
      `migrations schema "${schema}" is not a plain identifier; use letters, digits and underscores (default ${DEFAULT_MIGRATIONS_SCHEMA})`,
    );
  }
  const quoted = pg.escapeIdentifier(schema);
  return { schema: quoted, table: `${quoted}.schema_migrations`, display: `${schema}.schema_migrations` };
}

// Only called under WAREHOUSE_MIGRATIONS_LOCK, so concurrent first runs do not race to create it.
// Probing first also spares roles without CREATE on the database once the table exists.
async function ensureLedger(client: pg.ClientBase, ledger: Ledger): Promise<void> {
  const { rows } = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [ledger.table]);
  if (rows[0]?.found) return;
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${ledger.schema}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${ledger.table} (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    source text NOT NULL CHECK (source IN ('file', 'auto')),
    sql text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text)`);
}

async function readLedger(client: pg.ClientBase, ledger: Ledger): Promise<LedgerEntry[]> {
  const { rows } = await client.query<LedgerEntry>(
    `SELECT version, name, checksum, source, applied_at FROM ${ledger.table} ORDER BY version`,
  );
  return rows;
}

interface LedgerRow {
  version: number;
  name: string;
  checksum: string;
  source: 'file' | 'auto';
  sql: string;
  appliedBy: string;
}

async function insertLedgerRow(client: pg.ClientBase, ledger: Ledger, row: LedgerRow): Promise<void> {
  await client.query(
    `INSERT INTO ${ledger.table} (version, name, checksum, source, sql, applied_by) VALUES ($1, $2, $3, $4, $5, $6)`,
    [row.version, row.name, row.checksum, row.source, row.sql, row.appliedBy],
  );
}

function assertAppliedFilesPresent(
  files: readonly MigrationFile[],
  applied: readonly LedgerEntry[],
  directory: string,
  ledger: Ledger,
): void {
  const present = new Set(files.map((file) => file.version));
  const missing = applied.filter((entry) => entry.source === 'file' && !present.has(entry.version));
  if (missing.length === 0) return;
  throw new MigrationError(
    `applied migration${missing.length > 1 ? 's' : ''} ${missing.map((m) => m.name).join(', ')} ` +
      `(recorded in ${ledger.display}) ${missing.length > 1 ? 'are' : 'is'} missing from the migrations directory ${directory}; ` +
      `restore the file (its SQL is in the sql column of ${ledger.display}), or check that this is the right directory`,
  );
}

// ---------------------------------------------------------------------------------------------
// Running

/**
 * Applies the pending migration files of `directory` to the warehouse. Safe to run concurrently:
 * every run holds `pg_advisory_lock(WAREHOUSE_MIGRATIONS_LOCK)` on one client throughout, so a file
 * is applied by exactly one of them and the others find it done.
 */
export async function applyMigrations(pool: pg.Pool, options: ApplyMigrationsOptions): Promise<MigrationReport> {
  const directory = options.files ? GIVEN_AS_TEXT : path.resolve(options.directory ?? '');
  if (!options.files && !options.directory) throw new MigrationError('applyMigrations needs a directory of migration files, or the files as text');
  const ledger = ledgerOf(options.schema ?? DEFAULT_MIGRATIONS_SCHEMA);
  const appliedBy = options.appliedBy ?? `${hostname()} pid ${process.pid}`;
  const log = options.log;
  // Read before locking: a misnamed or duplicate file fails at once instead of after a wait.
  const files = options.files ? migrationFilesFromText(options.files, directory) : await readMigrationFiles(directory);
  const onWait = () => log?.info({ directory }, 'waiting for another process to finish migrating the warehouse');
  return withDedicatedClient(pool, (client) =>
    withSessionLock(
      client,
      WAREHOUSE_MIGRATIONS_LOCK,
      async () => {
        await ensureLedger(client, ledger);
        const recorded = await readLedger(client, ledger);
        assertAppliedFilesPresent(files, recorded, directory, ledger);
        const pending = pendingMigrations(files, recorded, ledger.display);
        const applied: AppliedMigration[] = [];
        for (const file of pending) {
          const row: LedgerRow = { ...file, source: 'file', appliedBy };
          const durationMs = await runMigrationFile(client, file, (tx) => insertLedgerRow(tx, ledger, row));
          log?.info({ version: file.version, migration: file.name, durationMs, directory }, 'applied warehouse migration');
          applied.push({ version: file.version, name: file.name, durationMs });
        }
        return { applied, alreadyApplied: files.length - pending.length, directory };
      },
      { onWait },
    ),
  );
}

/**
 * Inside the caller's open transaction: runs additive `sql` and records it as an automatic
 * migration under the next free version ≥ 100000. The transaction-level migrations lock keeps the
 * version reserved until the caller commits and makes concurrent file runs wait.
 *
 * Runs in a savepoint, so if the SQL fails it is undone and the caller's transaction stays usable.
 * With REPEATABLE READ or SERIALIZABLE the caller's snapshot may predate a concurrent auto
 * migration's commit; the version's primary key then rejects the duplicate rather than hiding it.
 */
export async function recordAutoMigration(client: pg.ClientBase, input: AutoMigrationInput): Promise<AutoMigrationRecord> {
  const ledger = ledgerOf(input.schema ?? DEFAULT_MIGRATIONS_SCHEMA);
  if (!input.name.trim()) throw new MigrationError('an automatic migration needs a name saying what it changes');
  await beginSavepoint(client, input.name);
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [WAREHOUSE_MIGRATIONS_LOCK]);
    await ensureLedger(client, ledger);
    const version = await nextAutoVersion(client, ledger);
    await runAutoSql(client, input, ledger);
    const checksum = sha256(input.sql);
    const appliedBy = input.appliedBy ?? `${hostname()} pid ${process.pid}`;
    await insertLedgerRow(client, ledger, { version, name: input.name, checksum, source: 'auto', sql: input.sql, appliedBy });
    await client.query('RELEASE SAVEPOINT sluice_auto_migration');
    return { version, name: input.name, checksum };
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT sluice_auto_migration').catch(() => undefined);
    throw error;
  }
}

async function runAutoSql(client: pg.ClientBase, input: AutoMigrationInput, ledger: Ledger): Promise<void> {
  try {
    await client.query(input.sql);
  } catch (error) {
    throw new MigrationError(
      `automatic migration "${input.name}" failed${describeFailure(input.sql, error)}; ` +
        `it was undone and not recorded in ${ledger.display}`,
      { cause: error },
    );
  }
}

async function beginSavepoint(client: pg.ClientBase, name: string): Promise<void> {
  try {
    await client.query('SAVEPOINT sluice_auto_migration');
  } catch (error) {
    // 25P01 no_active_sql_transaction: without the caller's transaction the change and its record could part.
    if ((error as { code?: string }).code !== '25P01') throw error;
    throw new MigrationError(
      `automatic migration "${name}" must run inside a transaction; call recordAutoMigration after BEGIN on the same client`,
      { cause: error },
    );
  }
}

async function nextAutoVersion(client: pg.ClientBase, ledger: Ledger): Promise<number> {
  const { rows } = await client.query<{ next: number }>(
    `SELECT COALESCE(MAX(version) + 1, $1)::integer AS next FROM ${ledger.table} WHERE version >= $1`,
    [FIRST_AUTO_VERSION],
  );
  return rows[0]?.next ?? FIRST_AUTO_VERSION;
}
