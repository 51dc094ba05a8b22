/**
 * deferKeys: which keys of a group of tables a first load drops, and that restoring them gives
 * back the catalog it found, against a real database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deferKeys } from '../../src/providers/etl/deferred-keys.ts';
import { createDb, dropDatabase, ensureDatabase, withTransaction, type Db } from '../../src/store/db.ts';

describe('deferKeys', { timeout: 60_000 }, () => {
  const url = `postgres://postgres@127.0.0.1:5432/sluice_deferred_keys_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let db: Db;

  before(async () => {
    await ensureDatabase(url);
    db = createDb(url, 2);
    await db.query(`
      CREATE SCHEMA wh;
      CREATE TABLE wh.parent (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, source_id text NOT NULL UNIQUE, kind text,
        code text UNIQUE DEFERRABLE INITIALLY DEFERRED);
      CREATE INDEX parent_kind_partial ON wh.parent (lower(kind)) WHERE kind IS NOT NULL;
      CREATE TABLE wh.child (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        parent_id bigint NOT NULL REFERENCES wh.parent (id) ON DELETE CASCADE, idx integer NOT NULL, sku text,
        UNIQUE (parent_id, idx) WITH (fillfactor = 80));
      CREATE INDEX child_sku ON wh.child (sku);
      -- Outside the group: a table that references the parent's primary key.
      CREATE TABLE wh.outside (id serial PRIMARY KEY, parent_ref bigint REFERENCES wh.parent (id));
    `);
  });
  after(async () => {
    await db?.end();
    await dropDatabase(url);
  });

  const catalog = async (tx: Pick<Db, 'query'>) =>
    (
      await tx.query<{ key: string }>(
        `SELECT c.relname || ' ' || conname || ' ' || pg_get_constraintdef(k.oid) || ' ' || k.convalidated AS key
           FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'wh'
         UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'wh' ORDER BY 1`,
      )
    ).rows.map((r) => r.key);

  test('drops the group\'s indexes and the keys between its tables, keeps what a table outside relies on, and restores all of it as it was', async () => {
    const before = await catalog(db);
    // The parent's primary key stays: the table outside references it.
    const dropped = ['parent_source_id_key', 'parent_code_key', 'parent_kind_partial', 'child_pkey', 'child_parent_id_idx_key', 'child_parent_id_fkey', 'child_sku'];
    for (const name of dropped) assert.ok(before.some((key) => key.includes(name)), `${name} is in the catalog to begin with`);
    const rolledBack = withTransaction(db, async (tx) => {
      const keys = await deferKeys(tx, ['wh.parent', 'wh.child']);
      assert.deepEqual(await catalog(tx), before.filter((key) => !dropped.some((name) => key.includes(name))));
      await tx.query("INSERT INTO wh.parent (source_id, kind) VALUES ('a', 'x'), ('b', NULL)");
      await tx.query("INSERT INTO wh.child (parent_id, idx, sku) SELECT id, 0, 's' FROM wh.parent");
      await keys.restore();
      assert.deepEqual(await catalog(tx), before);
      throw new Error('roll back');
    });
    await assert.rejects(rolledBack, /roll back/);
    assert.deepEqual(await catalog(db), before);
  });

  test('a restore that finds a key staged twice fails with unique_violation, for the caller to fall back', async () => {
    await assert.rejects(
      withTransaction(db, async (tx) => {
        const keys = await deferKeys(tx, ['wh.parent', 'wh.child']);
        await tx.query("INSERT INTO wh.parent (source_id) VALUES ('a'), ('a')");
        await keys.restore();
      }),
      (error: { code?: string }) => error.code === '23505',
    );
  });
});
