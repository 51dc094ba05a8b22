import { fileURLToPath } from 'node:url';
import { withDedicatedClient, withSessionLock } from '../pg/locks.ts';
import { pendingMigrations, readMigrationFiles, runMigrationFile, type LedgerEntry } from '../pg/migration-files.ts';
import { ensureDatabase, createDb, type Db } from './db.ts';
import { applyFunctionFiles, readFunctionFiles } from './functions/apply.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Any constant works; it only has to be the same for every process migrating this database.
const MIGRATION_LOCK = 7_351_902_114;

export interface MigrationResult {
  createdDatabase: boolean;
  applied: string[];
}

/**
 * Brings the schema up to date. Idempotent; concurrent callers wait on one advisory lock.
 * Reading, checking and running the files is src/pg/migration-files.ts (the warehouse migrator's too); this keeps its own table.
 * Then, in the same locked session, the SQL function files (src/store/functions) are applied
 * again, every time: they replace their functions in place, so a database of any age ends up
 * with the functions of this code. Returns the migrations applied.
 */
export async function migrate(db: Db): Promise<string[]> {
  // Read (and rendered) before locking: a bad file fails at once instead of after a wait.
  const migrations = await readMigrationFiles(MIGRATIONS_DIR);
  const functions = await readFunctionFiles();
  return withDedicatedClient(db, (client) =>
    withSessionLock(client, MIGRATION_LOCK, async () => {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<LedgerEntry>('SELECT version, name, checksum, applied_at FROM schema_migrations');
      const done: string[] = [];
      for (const migration of pendingMigrations(migrations, rows, 'the metadata database\'s schema_migrations')) {
        await runMigrationFile(client, migration, (tx) =>
          tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]),
        );
        done.push(migration.name);
      }
      // After the migrations: a function may use a column the last one added.
      await applyFunctionFiles(client, functions);
      return done;
    }),
  );
}

/** `sluice db migrate`: create the database if missing, then migrate it. */
export async function migrateDatabase(databaseUrl: string): Promise<MigrationResult> {
  const createdDatabase = await ensureDatabase(databaseUrl);
  const db = createDb(databaseUrl, 1);
  try {
    return { createdDatabase, applied: await migrate(db) };
  } finally {
    await db.end();
  }
}
