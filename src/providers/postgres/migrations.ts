/**
 * SQL migrations for the warehouse: `NNNN_name.sql` files applied in version order, each in its own
 * transaction, recorded in `<schema>.schema_migrations`.
 *
 * The file handling (naming rules, checksums, edited-file detection, one transaction per file with
 * errors pointing at the failing line) is shared with the metadata store's migrator
 * (src/store/migrate.ts), which keeps its own bookkeeping table.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../../log.ts';
import { WAREHOUSE_MIGRATIONS_LOCK, withDedicatedClient, withSessionLock } from './locks.ts';

export const DEFAULT_MIGRATIONS_SCHEMA = 'sluice_etl';
/** Versions from here up belong to `recordAutoMigration`; migration files stay below, so the two never collide. */
export const FIRST_AUTO_VERSION = 100_000;

const FILE_NAME = /^(\d+)_[A-Za-z0-9_.-]+\.sql$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** A user-facing migration problem: what, which file or table, and how to fix it. */
export class MigrationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export interface MigrationFile {
  version: number;
  /** The file name, e.g. `0003_add_orders.sql`. */
  name: string;
  path: string;
  sql: string;
  /** sha256 hex of the file's bytes. */
  checksum: string;
}

/** What a bookkeeping table knows about one applied migration. */
export interface LedgerEntry {
  version: number;
  name: string;
  checksum: string;
  /** Absent in ledgers that only ever record files (the metadata store's). */
  source?: 'file' | 'auto';
  applied_at?: Date;
}

export interface ApplyMigrationsOptions {
  directory: string;
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
  /** The directory read, resolved to an absolute path. */
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
// Migration files (shared with the metadata store)

/** Reads, validates and checksums the migration files of `directory`, in version order. */
export async function readMigrationFiles(directory: string): Promise<MigrationFile[]> {
  const names = (await listDirectory(directory)).filter(isMigrationCandidate);
  const files = await Promise.all(names.map((name) => readMigrationFile(directory, name)));
  files.sort((a, b) => a.version - b.version);
  assertUniqueVersions(files);
  return files;
}

async function listDirectory(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    throw new MigrationError(
      `cannot read the migrations directory ${directory}: ${(error as Error).message}; check the directory option`,
      { cause: error },
    );
  }
}

// .sql files must follow the naming rule; so must files that start like one (a typo such as
// `0002_add.sq` would otherwise be skipped silently). READMEs and the like are left alone.
function isMigrationCandidate(name: string): boolean {
  return /\.sql$/i.test(name) || /^\d/.test(name);
}

async function readMigrationFile(directory: string, name: string): Promise<MigrationFile> {
  const version = parseVersion(directory, name);
  const filePath = path.join(directory, name);
  const bytes = await readFile(filePath);
  return { version, name, path: filePath, sql: bytes.toString('utf8'), checksum: sha256(bytes) };
}

function parseVersion(directory: string, name: string): number {
  const match = FILE_NAME.exec(name);
  if (!match) {
    throw new MigrationError(
      `migration file ${name} in ${directory} is not named like NNNN_description.sql ` +
        '(a version number, an underscore, then letters, digits, "_", "." or "-", ending in .sql); ' +
        'rename it, e.g. to 0001_create_orders.sql, or move it out of the directory',
    );
  }
  const version = Number(match[1]);
  if (version >= FIRST_AUTO_VERSION) {
    throw new MigrationError(
      `migration file ${name} in ${directory} has version ${version}, but versions from ${FIRST_AUTO_VERSION} up ` +
        `are reserved for automatic migrations; renumber it below ${FIRST_AUTO_VERSION}`,
    );
  }
  return version;
}

function assertUniqueVersions(sorted: readonly MigrationFile[]): void {
  sorted.forEach((file, i) => {
    const previous = sorted[i - 1];
    if (previous?.version === file.version) {
      throw new MigrationError(
        `migration files ${previous.name} and ${file.name} in ${path.dirname(file.path)} both have version ${file.version}; ` +
          'give one of them the next free number',
      );
    }
  });
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The files not applied yet. Throws if an applied file was edited since: its recorded checksum is
 * what the database was built from, so a changed file would silently diverge from it.
 */
export function pendingMigrations(
  files: readonly MigrationFile[],
  applied: readonly LedgerEntry[],
  ledger: string,
): MigrationFile[] {
  const byVersion = new Map(applied.map((entry) => [entry.version, entry]));
  return files.filter((file) => {
    const entry = byVersion.get(file.version);
    if (!entry) return true;
    if (entry.checksum !== file.checksum) throw editedError(file, entry, files, ledger);
    return false;
  });
}

function editedError(file: MigrationFile, entry: LedgerEntry, files: readonly MigrationFile[], ledger: string): MigrationError {
  const when = entry.applied_at ? ` on ${entry.applied_at.toISOString()}` : '';
  return new MigrationError(
    `migration ${file.path} was edited after it was applied${when}: ${ledger} recorded checksum ${entry.checksum}, ` +
      `the file now has checksum ${file.checksum}. Applied migrations must not change: undo the edit and put the ` +
      `change in a new migration file instead, e.g. ${suggestNextName(file, files)}`,
  );
}

function suggestNextName(file: MigrationFile, files: readonly MigrationFile[]): string {
  const next = Math.max(...files.map((f) => f.version)) + 1;
  const width = file.name.indexOf('_');
  return `${String(next).padStart(width, '0')}_describe_the_change.sql`;
}

/**
 * Runs one file and `record` (which writes the bookkeeping row) in one transaction. On failure
 * everything is rolled back and the error names the file and the failing line.
 */
export async function runMigrationFile(
  client: pg.ClientBase,
  file: MigrationFile,
  record: (client: pg.ClientBase) => Promise<unknown>,
): Promise<number> {
  const started = performance.now();
  await client.query('BEGIN');
  try {
    await client.query(file.sql);
    await record(client);
    await client.query('COMMIT');
  } catch (error) {
    // If even ROLLBACK fails the connection is gone; its owner discards it (withDedicatedClient).
    await client.query('ROLLBACK').catch(() => undefined);
    throw new MigrationError(
      `migration ${file.path} failed${describeFailure(file.sql, error)}; it was rolled back, so none of it was applied. ` +
        'Fix the file and run the migrations again.',
      { cause: error },
    );
  }
  return Math.round(performance.now() - started);
}

/** `" at line 3, column 8: <postgres message> (near: <line>) ..."`, as far as Postgres tells. */
function describeFailure(sql: string, error: unknown): string {
  const pgError = error as Partial<pg.DatabaseError>;
  const at = locate(sql, pgError.position);
  const parts = [at ? ` at line ${at.line}, column ${at.column}: ` : ': ', pgError.message ?? String(error)];
  if (at) parts.push(` (near: ${at.text.trim()})`);
  if (pgError.detail) parts.push(`; detail: ${pgError.detail}`);
  if (pgError.hint) parts.push(`; hint: ${pgError.hint}`);
  return parts.join('');
}

/** Postgres's `position` is 1-based and counts characters (code points) of the whole query text. */
function locate(sql: string, position: string | undefined): { line: number; column: number; text: string } | undefined {
  const index = Number(position) - 1;
  if (!position || !Number.isInteger(index) || index < 0) return undefined;
  const lines = Array.from(sql).slice(0, index).join('').split('\n');
  const line = lines.length;
  return { line, column: (lines.at(-1)?.length ?? 0) + 1, text: sql.split('\n')[line - 1] ?? '' };
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
  const directory = path.resolve(options.directory);
  const ledger = ledgerOf(options.schema ?? DEFAULT_MIGRATIONS_SCHEMA);
  const appliedBy = options.appliedBy ?? `${hostname()} pid ${process.pid}`;
  const log = options.log;
  // Read before locking: a misnamed or duplicate file fails at once instead of after a wait.
  const files = await readMigrationFiles(directory);
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
