/** The warehouse's SQL-migrations runner against a real PostgreSQL, one fresh database a test. */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { pino } from 'pino';
import { openWarehouse, warehouseUrl } from '../../src/providers/postgres/connection.ts';
import { applyMigrations, recordAutoMigration } from '../../src/providers/postgres/migrations.ts';
import { MigrationError } from '../../src/pg/migration-files.ts';
import { dropDatabase } from '../../src/store/db.ts';

const TMP_ROOT = fileURLToPath(new URL('../.tmp/', import.meta.url));
const SERVER = 'postgres://postgres@127.0.0.1:5432';

async function freshWarehouse(t: TestContext): Promise<{ url: string; pool: pg.Pool }> {
  const url = `${SERVER}/sluice_wh_${randomBytes(5).toString('hex')}`;
  const pool = await openWarehouse(url, { max: 3 });
  t.after(async () => {
    await pool.end();
    await dropDatabase(url);
  });
  return { url, pool };
}

/** A temporary migrations directory under test/.tmp holding `files` (name → SQL). */
async function migrationsDir(t: TestContext, files: Record<string, string>): Promise<string> {
  const directory = path.join(TMP_ROOT, `wh_${randomBytes(5).toString('hex')}`);
  await mkdir(directory, { recursive: true });
  for (const [name, sql] of Object.entries(files)) await writeFile(path.join(directory, name), sql);
  t.after(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

function capturingLogger(): { log: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void messages.push((JSON.parse(line) as { msg: string }).msg) });
  return { log, messages };
}

async function ledger(pool: pg.Pool): Promise<{ version: number; name: string; checksum: string; source: string; sql: string; applied_by: string }[]> {
  const { rows } = await pool.query('SELECT version, name, checksum, source, sql, applied_by FROM sluice_etl.schema_migrations ORDER BY version');
  return rows;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('expected a rejection');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// 2 must run before 10 although "10_" sorts first as text.
const BASIC = {
  '2_create_orders.sql': 'CREATE TABLE orders (id integer PRIMARY KEY);\n',
  '10_add_total.sql': 'ALTER TABLE orders ADD COLUMN total numeric NOT NULL DEFAULT 0;\n',
  '0011_index_total.sql': 'CREATE INDEX orders_total ON orders (total);\n',
  'README.md': 'not a migration, ignored\n',
};

describe('warehouse migrations', () => {
  test('applies files in version order, records them with checksums, and a second run applies nothing', async (t) => {
    const { pool } = await freshWarehouse(t);
    const directory = await migrationsDir(t, BASIC);
    const { log, messages } = capturingLogger();

    const first = await applyMigrations(pool, { directory, log, appliedBy: 'test' });
    assert.deepEqual(first.applied.map((m) => [m.version, m.name]), [[2, '2_create_orders.sql'], [10, '10_add_total.sql'], [11, '0011_index_total.sql']]);
    assert.ok(first.applied.every((m) => m.durationMs >= 0));
    assert.equal(first.alreadyApplied, 0);
    assert.equal(first.directory, directory);
    assert.equal(messages.filter((m) => m === 'applied warehouse migration').length, 3);

    const rows = await ledger(pool);
    assert.deepEqual(rows.map((r) => [r.version, r.checksum, r.source, r.applied_by]), [
      [2, sha256(BASIC['2_create_orders.sql']), 'file', 'test'],
      [10, sha256(BASIC['10_add_total.sql']), 'file', 'test'],
      [11, sha256(BASIC['0011_index_total.sql']), 'file', 'test'],
    ]);
    assert.equal(rows[1]?.sql, BASIC['10_add_total.sql']);

    const second = await applyMigrations(pool, { directory });
    assert.deepEqual(second, { applied: [], alreadyApplied: 3, directory });

    await writeFile(path.join(directory, '0012_add_note.sql'), 'ALTER TABLE orders ADD COLUMN note text;');
    const third = await applyMigrations(pool, { directory });
    assert.deepEqual(third.applied.map((m) => m.version), [12]);
    assert.equal(third.alreadyApplied, 3);
  });

  test('an applied migration edited afterwards is an error naming the file, both checksums and the fix', async (t) => {
    const { pool } = await freshWarehouse(t);
    const directory = await migrationsDir(t, BASIC);
    await applyMigrations(pool, { directory });
    const edited = 'ALTER TABLE orders ADD COLUMN total numeric NOT NULL DEFAULT 1;\n';
    await writeFile(path.join(directory, '10_add_total.sql'), edited);

    const error = await rejection(applyMigrations(pool, { directory }));
    assert.ok(error instanceof MigrationError);
    assert.match(error.message, /10_add_total\.sql was edited after it was applied/);
    assert.ok(error.message.includes(path.join(directory, '10_add_total.sql')), error.message);
    assert.ok(error.message.includes(sha256(BASIC['10_add_total.sql'])), 'names the recorded checksum');
    assert.ok(error.message.includes(sha256(edited)), 'names the checksum the file has now');
    assert.match(error.message, /new migration file instead, e\.g\. 12_describe_the_change\.sql/);
  });

  test('a misnamed file is an error naming it, before anything is created', async (t) => {
    const { pool } = await freshWarehouse(t);
    for (const bad of ['create-orders.sql', '0002_add.sq', '0003_bad name.sql']) {
      const directory = await migrationsDir(t, { '0001_ok.sql': 'SELECT 1;', [bad]: 'SELECT 1;' });
      const error = await rejection(applyMigrations(pool, { directory }));
      assert.ok(error.message.includes(`migration file ${bad} in ${directory} is not named like NNNN_description.sql`), error.message);
    }
    const { rows } = await pool.query("SELECT to_regnamespace('sluice_etl') AS schema");
    assert.equal(rows[0].schema, null);
  });

  test('two files with one version number are an error naming both', async (t) => {
    const { pool } = await freshWarehouse(t);
    const directory = await migrationsDir(t, { '0001_a.sql': 'SELECT 1;', '001_b.sql': 'SELECT 2;', '0002_c.sql': 'SELECT 3;' });
    const error = await rejection(applyMigrations(pool, { directory }));
    assert.match(error.message, /migration files 0001_a\.sql and 001_b\.sql in .* both have version 1/);
  });

  test('a failing migration rolls back completely and the error names the file, line and Postgres message', async (t) => {
    const { pool } = await freshWarehouse(t);
    const bad = ['CREATE TABLE half_done (id integer);', 'INSERT INTO half_done VALUES (1);', '-- the mistake:', 'SELECT * FROM  no_such_table;', ''].join('\n');
    const directory = await migrationsDir(t, { '0001_ok.sql': 'CREATE TABLE ok (id integer);', '0002_bad.sql': bad });

    const error = await rejection(applyMigrations(pool, { directory }));
    assert.ok(error instanceof MigrationError);
    assert.ok(error.message.includes(`migration ${path.join(directory, '0002_bad.sql')} failed at line 4, column 16`), error.message);
    assert.match(error.message, /relation "no_such_table" does not exist \(near: SELECT \* FROM {2}no_such_table;\)/);
    assert.match(error.message, /rolled back, so none of it was applied/);

    const { rows } = await pool.query("SELECT to_regclass('half_done') AS half, to_regclass('ok') AS ok");
    assert.deepEqual(rows[0], { half: null, ok: 'ok' });
    assert.deepEqual((await ledger(pool)).map((r) => r.version), [1]);

    await writeFile(path.join(directory, '0002_bad.sql'), bad.replace('no_such_table', 'half_done'));
    assert.deepEqual((await applyMigrations(pool, { directory })).applied.map((m) => m.version), [2]);
  });

  test('five concurrent runs on separate pools apply each migration exactly once', async (t) => {
    const { url } = await freshWarehouse(t);
    const files: Record<string, string> = {};
    // Plain CREATE TABLE fails if run twice; the sleep keeps the runs overlapping.
    for (let v = 1; v <= 5; v++) files[`000${v}_table_${v}.sql`] = `SELECT pg_sleep(0.05); CREATE TABLE t${v} (id integer);`;
    const directory = await migrationsDir(t, files);
    const pools = await Promise.all([1, 2, 3, 4, 5].map(() => openWarehouse(url, { max: 1 })));
    t.after(() => Promise.all(pools.map((p) => p.end())));

    const reports = await Promise.all(pools.map((pool) => applyMigrations(pool, { directory })));
    const versions = reports.flatMap((r) => r.applied.map((m) => m.version)).sort();
    assert.deepEqual(versions, [1, 2, 3, 4, 5]);
    for (const r of reports) assert.equal(r.applied.length + r.alreadyApplied, 5);
    assert.equal((await ledger(pools[0] as pg.Pool)).length, 5);
  });

  test('recordAutoMigration runs additive SQL in the caller\'s transaction and records it from version 100000', async (t) => {
    const { pool } = await freshWarehouse(t);
    const directory = await migrationsDir(t, BASIC);
    await applyMigrations(pool, { directory });

    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const first = await recordAutoMigration(client, { name: 'orders.note', sql: 'ALTER TABLE orders ADD COLUMN note text' });
      const second = await recordAutoMigration(client, { name: 'orders.region', sql: 'ALTER TABLE orders ADD COLUMN region text', appliedBy: 'evolver' });
      const failed = await rejection(recordAutoMigration(client, { name: 'bad', sql: 'ALTER TABLE nope ADD COLUMN x text' }));
      assert.match(failed.message, /automatic migration "bad" failed: relation "nope" does not exist; it was undone and not recorded in sluice_etl.schema_migrations/);
      await client.query('INSERT INTO orders (id, note, region) VALUES (1, $1, $2)', ['still usable', 'eu']);
      await client.query('COMMIT');
      assert.deepEqual([first.version, second.version], [100_000, 100_001]);
      assert.equal(first.checksum, sha256('ALTER TABLE orders ADD COLUMN note text'));

      const outside = await rejection(recordAutoMigration(client, { name: 'x', sql: 'SELECT 1' }));
      assert.match(outside.message, /must run inside a transaction; call recordAutoMigration after BEGIN/);
    } finally {
      client.release();
    }

    const autos = (await ledger(pool)).filter((r) => r.source === 'auto');
    assert.deepEqual(autos.map((r) => [r.version, r.name, r.sql]), [
      [100_000, 'orders.note', 'ALTER TABLE orders ADD COLUMN note text'],
      [100_001, 'orders.region', 'ALTER TABLE orders ADD COLUMN region text'],
    ]);
    assert.match(autos[0]?.applied_by ?? '', / pid \d+$/);
    assert.equal(autos[1]?.applied_by, 'evolver');
    // Automatic migrations have no files: the next file run neither complains nor counts them.
    assert.deepEqual(await applyMigrations(pool, { directory }), { applied: [], alreadyApplied: 3, directory });
  });

  test('an applied file missing from the directory is an error naming it and the directory', async (t) => {
    const { pool } = await freshWarehouse(t);
    const directory = await migrationsDir(t, BASIC);
    await applyMigrations(pool, { directory });
    await unlink(path.join(directory, '10_add_total.sql'));
    const error = await rejection(applyMigrations(pool, { directory }));
    assert.match(error.message, /applied migration 10_add_total\.sql \(recorded in sluice_etl\.schema_migrations\) is missing from the migrations directory/);
    assert.ok(error.message.includes(directory), error.message);
  });

  test('the warehouse URL comes from WAREHOUSE_DATABASE_URL; connection errors hide the password and say what to set', async () => {
    assert.equal(warehouseUrl({}), 'postgres://postgres@127.0.0.1:5432/warehouse');
    assert.equal(warehouseUrl({ WAREHOUSE_DATABASE_URL: 'postgres://u@db/wh' }), 'postgres://u@db/wh');
    const error = await rejection(openWarehouse('postgres://etl:s3cret@127.0.0.1:1/warehouse'));
    assert.ok(!error.message.includes('s3cret'), error.message);
    assert.match(error.message, /cannot open the warehouse database postgres:\/\/etl:\*\*\*@127\.0\.0\.1:1\/warehouse: .*set WAREHOUSE_DATABASE_URL/);
    const noDb = await rejection(openWarehouse('postgres://postgres@127.0.0.1:5432'));
    assert.match(noDb.message, /names no database; add one to WAREHOUSE_DATABASE_URL/);
  });
});
