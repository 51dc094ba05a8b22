/**
 * A migrated metadata database for a test, copied from a template instead of migrated anew.
 * Migrating a new database (20 migrations and the function files) takes some 300 ms of
 * PostgreSQL's time; `CREATE DATABASE … TEMPLATE` copies a migrated one in some 40 ms, and the
 * suite makes a database for nearly every integration test file, several for some.
 *
 * The template is named after a hash of what `migrate` would run (each migration's checksum and
 * each function file as rendered), so a changed migration or function gets a template of its own
 * and a test never sees a stale schema; worktrees on other migrations use theirs side by side.
 * Tests of migrating itself (`sluice db migrate`, store/migrations) still migrate for real.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { readMigrationFiles } from '../../src/pg/migration-files.ts';
import { readFunctionFiles } from '../../src/store/functions/apply.ts';
import { dropDatabase } from '../../src/store/db.ts';
import { migrateDatabase } from '../../src/store/migrate.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../src/store/migrations/', import.meta.url));
// Any constant: every test process making the template takes this advisory lock first.
const TEMPLATE_LOCK = 7_351_902_115;
/** Templates of other migration sets are dropped once this old (other worktrees may still use a newer one). */
const STALE_AFTER_MS = 24 * 3600_000;

let templateName: Promise<string> | undefined;

/** Creates the database named in `databaseUrl` (which must not exist) with the schema `migrate` gives. */
export async function createMigratedDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const template = await (templateName ??= ensureTemplate(url));
  await withAdmin(url, (admin) => admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`));
}

/** The name of the template for this checkout's migrations, made if no process made it yet. */
async function ensureTemplate(server: URL): Promise<string> {
  const name = `sluice_template_${await schemaFingerprint()}`;
  await withAdmin(server, async (admin) => {
    // One process makes it while the others wait here; a template is only ever renamed into
    // place whole, so one that exists is complete.
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) return;
      const building = `${name}_${process.pid}`;
      const buildingUrl = new URL(server);
      buildingUrl.pathname = `/${building}`;
      await dropDatabase(buildingUrl.toString());
      // migrateDatabase closes its connections: a database anyone is connected to cannot be copied.
      await migrateDatabase(buildingUrl.toString());
      // No connections from now on (a connected session would make every copy fail); a copy
      // does not inherit either flag.
      await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(building)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
      await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(building)} RENAME TO ${pg.escapeIdentifier(name)}`);
      await admin.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(name)} IS ${pg.escapeLiteral(`sluice test template, made ${new Date().toISOString()}`)}`);
      await dropStaleTemplates(admin, name);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
  return name;
}

/** Templates of older migration sets, made more than a day ago: nothing runs on those any more. */
async function dropStaleTemplates(admin: pg.Client, current: string): Promise<void> {
  const { rows } = await admin.query<{ datname: string; made: string | null }>(
    `SELECT datname, shobj_description(oid, 'pg_database') AS made FROM pg_database
      WHERE datname LIKE 'sluice\\_template\\_%' AND datname <> $1`,
    [current],
  );
  for (const row of rows) {
    const made = Date.parse(/made (\S+)$/.exec(row.made ?? '')?.[1] ?? '');
    if (!(Date.now() - made > STALE_AFTER_MS)) continue;
    // In use by a run that is still copying it: it stays until the next template is made.
    const target = pg.escapeIdentifier(row.datname);
    await admin.query(`ALTER DATABASE ${target} IS_TEMPLATE false`).then(() => admin.query(`DROP DATABASE IF EXISTS ${target}`)).catch(() => undefined);
  }
}

/** What `migrate` would run, hashed: the migrations' checksums and the rendered function files. */
async function schemaFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  for (const m of await readMigrationFiles(MIGRATIONS_DIR)) hash.update(`${m.version}\0${m.name}\0${m.checksum}\n`);
  for (const f of await readFunctionFiles()) hash.update(`${f.name}\0${f.sql}\n`);
  return hash.digest('hex').slice(0, 16);
}

async function withAdmin<T>(server: URL, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const adminUrl = new URL(server);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
