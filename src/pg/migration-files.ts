/**
 * SQL migration files: `NNNN_name.sql` in one directory, read, validated and checksummed in
 * version order, each run in its own transaction with errors that point at the failing line.
 * The metadata store's migrator (src/store/migrate.ts) and the warehouse's
 * (src/providers/postgres/migrations.ts) both run their files through this; each keeps its own
 * bookkeeping table (ledger) and advisory lock.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';

/**
 * Versions from here up are not file versions: the warehouse records its automatic migrations
 * there (`recordAutoMigration`), so files stay below and the two never collide.
 */
export const FIRST_AUTO_VERSION = 100_000;

const FILE_NAME = /^(\d+)_[A-Za-z0-9_.-]+\.sql$/;

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

/** Reads, validates and checksums the migration files of `directory`, in version order. */
export async function readMigrationFiles(directory: string): Promise<MigrationFile[]> {
  const names = (await listDirectory(directory)).filter(isMigrationCandidate);
  return inOrder(await Promise.all(names.map((name) => readMigrationFile(directory, name))));
}

/**
 * The same for migrations given as text, by file name (a DAG's SQL files imported as text, which
 * travel with its code to workers that have no DAGs folder); `where` names them in messages.
 */
export function migrationFilesFromText(texts: Record<string, string>, where: string): MigrationFile[] {
  const names = Object.keys(texts).filter(isMigrationCandidate);
  return inOrder(
    names.map((name) => {
      const sql = texts[name]!;
      return { version: parseVersion(where, name), name, path: `${where}/${name}`, sql, checksum: sha256(Buffer.from(sql, 'utf8')) };
    }),
  );
}

function inOrder(files: MigrationFile[]): MigrationFile[] {
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

export function sha256(data: string | Buffer): string {
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
export function describeFailure(sql: string, error: unknown): string {
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
