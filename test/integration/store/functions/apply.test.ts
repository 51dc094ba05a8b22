import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SQL_STATE_LISTS, sqlList } from '../../../../src/core/states.ts';
import { RULES_RUN_WHEN_ALL_SUCCEEDED } from '../../../../src/core/trigger-rules.ts';
import { DEFAULT_POOL_SLOTS } from '../../../../src/store/pools.ts';
import { applyFunctionFiles, FUNCTIONS_DIR, readFunctionFiles, renderFunctionSql } from '../../../../src/store/functions/apply.ts';
import { migrate } from '../../../../src/store/migrate.ts';
import type { Db } from '../../../../src/store/db.ts';
import { migrateBefore, openStoreDb, type StoreDb } from '../../../support/store-db.ts';

/** The functions the store's own files define (by CREATE OR REPLACE FUNCTION). */
async function functionsInFiles(): Promise<string[]> {
  const names = (await readFunctionFiles()).flatMap((f) => [...f.sql.matchAll(/CREATE OR REPLACE FUNCTION (\w+)\(/gi)].map((m) => m[1]!));
  return names.sort();
}

/** Each user-defined function of the public schema, by name, with its definition. */
async function definitions(db: Db): Promise<Record<string, string>> {
  const { rows } = await db.query<{ name: string; def: string }>(
    `SELECT p.proname AS name, pg_get_functiondef(p.oid) AS def FROM pg_proc p
     JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.prokind = 'f'`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.def]));
}

async function triggerDefinition(db: Db): Promise<string | undefined> {
  const { rows } = await db.query<{ def: string }>(
    `SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgname = 'ti_upstream_counts' AND NOT tgisinternal`,
  );
  assert.ok(rows.length <= 1, 'one trigger, not a second copy');
  return rows[0]?.def;
}

describe('SQL function files', () => {
  let store: StoreDb;
  before(async () => {
    store = await openStoreDb('functions');
  });
  after(async () => store.close());

  test('every function in the database comes from a file here, with the state lists of src/core/states.ts', async () => {
    const inFiles = await functionsInFiles();
    for (const name of ['ti_propagate_upstream_counts', 'sluice_admit_scheduled', 'sluice_finalize_run', 'sluice_pool_room', 'sluice_dag_room']) {
      assert.ok(inFiles.includes(name), `${name} has a file`);
    }
    const defs = await definitions(store.db);
    assert.deepEqual(Object.keys(defs).sort(), inFiles);
    assert.ok(defs.sluice_finalize_run!.includes(`ti.state IN (${sqlList(SQL_STATE_LISTS.UNFINISHED_TASK_STATES)})`));
    assert.ok(defs.sluice_finalize_run!.includes(`ti.state NOT IN (${sqlList(SQL_STATE_LISTS.SUCCESSFUL_LEAF_STATES)})`));
    assert.ok(defs.sluice_dag_room!.includes(`ti.state IN (${sqlList(SQL_STATE_LISTS.OCCUPYING_TASK_STATES)})`));
    assert.ok(defs.sluice_pool_room!.includes(`o.state IN (${sqlList(SQL_STATE_LISTS.OCCUPYING_TASK_STATES)})`));
    assert.ok(defs.sluice_pool_room!.includes(`WHERE pl.pool = p_pool), ${DEFAULT_POOL_SLOTS})`), 'a pool with no row has the default size');
    // The completion's own verdict: the rule list derived from evaluateTriggerRule, not a copy.
    assert.ok(defs.sluice_complete_tries!.includes(`w.trigger_rule IN (${sqlList(RULES_RUN_WHEN_ALL_SUCCEEDED)})`));
    // Admission counts room through the helpers only: one count of each, not a copy per caller.
    for (const name of ['sluice_admit_scheduled', 'sluice_admit_pool']) {
      assert.match(defs[name]!, /sluice_pool_room\(/, `${name} counts a pool's room with sluice_pool_room`);
      assert.doesNotMatch(defs[name]!, /OCCUPYING|'queued', 'running'/, `${name} counts no occupying rows itself`);
    }
    // The hand-over too, though it hands over no more than its batch freed.
    assert.match(defs.sluice_hand_over_slots!, /sluice_dag_room\(/);
    assert.match(defs.sluice_hand_over_slots!, /sluice_pool_room\(/);
    assert.doesNotMatch(defs.sluice_hand_over_slots!, /OCCUPYING|'queued', 'running'/);
    for (const [name, def] of Object.entries(defs)) {
      assert.doesNotMatch(def, /\{\{/, `${name} has no placeholder left`);
      assert.doesNotMatch(def, /spec->>/, `${name} reads no spec JSON by key`);
    }
    assert.match(
      (await triggerDefinition(store.db)) ?? '',
      /AFTER UPDATE ON public\.task_instances REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT/,
    );
  });

  test('migrating again changes nothing and applies no migration', async () => {
    const before = { functions: await definitions(store.db), trigger: await triggerDefinition(store.db) };
    assert.deepEqual(await migrate(store.db), []);
    assert.deepEqual(await migrate(store.db), []);
    assert.deepEqual({ functions: await definitions(store.db), trigger: await triggerDefinition(store.db) }, before);
  });

  test('a function that differs from its file (an older definition) is replaced by the next migrate', async () => {
    const expected = await definitions(store.db);
    await store.db.query(`CREATE OR REPLACE FUNCTION sluice_finalize_run(p_dag_id text, p_run_id text) RETURNS text
      LANGUAGE sql AS $$ SELECT 'stale'::text $$`);
    await store.db.query('DROP TRIGGER ti_upstream_counts ON task_instances');
    assert.deepEqual(await migrate(store.db), []);
    assert.deepEqual(await definitions(store.db), expected);
    assert.ok(await triggerDefinition(store.db), 'the trigger is back');
  });

  test('a changed function file takes effect when the files are applied again', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sluice-functions-'));
    try {
      const original = await readFile(path.join(FUNCTIONS_DIR, 'sluice_finalize_run.sql'), 'utf8');
      const edited = original.replace('end_date = clock_timestamp()', 'end_date = clock_timestamp() /* edited */');
      assert.notEqual(edited, original);
      await writeFile(path.join(dir, 'sluice_finalize_run.sql'), edited);
      const client = await store.db.connect();
      try {
        assert.deepEqual(await applyFunctionFiles(client, await readFunctionFiles(dir)), ['sluice_finalize_run.sql']);
      } finally {
        client.release();
      }
      assert.match((await definitions(store.db)).sluice_finalize_run!, /\/\* edited \*\//);
      await migrate(store.db);
      assert.doesNotMatch((await definitions(store.db)).sluice_finalize_run!, /edited/, 'migrate puts the repository file back');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a failing file changes nothing and its error names the file and line', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sluice-functions-'));
    try {
      const before = await definitions(store.db);
      await writeFile(path.join(dir, 'a_good.sql'), `CREATE OR REPLACE FUNCTION sluice_finalize_run(p_dag_id text, p_run_id text)
        RETURNS text LANGUAGE sql AS $$ SELECT 'replaced'::text $$;`);
      await writeFile(path.join(dir, 'b_bad.sql'), '-- header\nCREATE OR REPLACE FUNCTION broken() RETURNS int LANGUAGE sql AS $$ SELECT nosuchcolumn FROM dags $$;');
      const client = await store.db.connect();
      try {
        await assert.rejects(applyFunctionFiles(client, await readFunctionFiles(dir)), (error: Error) => {
          assert.match(error.message, /b_bad\.sql failed at line 2: column "nosuchcolumn" does not exist/);
          assert.match(error.message, /nothing of the function files was applied/);
          return true;
        });
      } finally {
        client.release();
      }
      assert.deepEqual(await definitions(store.db), before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an unknown placeholder is refused with the file, the line and the names there are', () => {
    assert.throws(() => renderFunctionSql('SELECT 1;\nSELECT 2 WHERE x IN ({{UNFINISHED_STATES}})', 'f.sql'), (error: Error) => {
      assert.match(error.message, /^f\.sql, line 2: unknown placeholder \{\{UNFINISHED_STATES\}\}/);
      assert.match(error.message, /\{\{UNFINISHED_TASK_STATES\}\}.*\{\{DEFAULT_POOL_SLOTS\}\}/);
      return true;
    });
    assert.equal(renderFunctionSql('IN ({{ ACTIVE_RUN_STATES }})', 'f.sql'), "IN ('queued', 'running')");
    assert.equal(renderFunctionSql('COALESCE(slots, {{DEFAULT_POOL_SLOTS}})', 'f.sql'), `COALESCE(slots, ${DEFAULT_POOL_SLOTS})`);
  });
});

describe('a database migrated before the function files', () => {
  let store: StoreDb;
  before(async () => {
    store = await openStoreDb('functions_old', { migrated: false });
  });
  after(async () => store.close());

  test('gets the files\' functions (no spec JSON read) and the limit columns filled from the spec', async () => {
    await migrateBefore(store.db, 5);
    const client = await store.db.connect();
    try {
      const spec = { dagId: 'd', maxActiveRuns: 3, maxActiveTasks: 7, dagrunTimeoutMs: 60000 };
      await client.query(`INSERT INTO dags (dag_id, fileloc, is_paused, version_hash, spec) VALUES ('d', 'd.ts', false, 'v1', $1)`, [spec]);
      await client.query(`INSERT INTO dag_versions (dag_id, version_hash, spec) VALUES ('d', 'v1', $1), ('d', 'v0', $2)`, [
        spec,
        { ...spec, dagrunTimeoutMs: null },
      ]);
    } finally {
      client.release();
    }
    assert.match((await definitions(store.db)).sluice_admit_scheduled!, /spec->>'maxActiveTasks'/, 'migration 002\'s version');

    await migrate(store.db);

    const defs = await definitions(store.db);
    assert.doesNotMatch(defs.sluice_admit_scheduled!, /spec->>/);
    assert.match(defs.sluice_admit_scheduled!, /sluice_dag_room\(/);
    assert.match(defs.sluice_dag_room!, /d\.max_active_tasks/);
    const dags = await store.db.query('SELECT max_active_runs, max_active_tasks FROM dags');
    assert.deepEqual(dags.rows, [{ max_active_runs: 3, max_active_tasks: 7 }]);
    const versions = await store.db.query('SELECT version_hash, dagrun_timeout_ms FROM dag_versions ORDER BY version_hash');
    assert.deepEqual(versions.rows, [
      { version_hash: 'v0', dagrun_timeout_ms: null },
      { version_hash: 'v1', dagrun_timeout_ms: 60000 },
    ]);
  });
});
