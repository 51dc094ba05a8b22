/**
 * Migrations that change what rows already hold or how they are keyed, applied to a database made
 * by the migrations before them (as an existing installation's is).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../../src/store/migrate.ts';
import { migrateBefore, openStoreDb, type StoreDb } from '../../support/store-db.ts';

describe("migration 007 gives each task instance its run's logical date", () => {
  let store: StoreDb;
  before(async () => {
    store = await openStoreDb('migration_007', { migrated: false });
  });
  after(() => store.close());

  test("existing task instances get their run's date, and a pool's scheduled tasks are indexed in admission order", async () => {
    const db = store.db;
    const files = await migrateBefore(db, 7);
    for (const [runId, date] of [['r1', '2026-01-01T00:00:00Z'], ['r2', '2026-01-02T00:00:00Z']]) {
      await db.query(
        `INSERT INTO dag_runs (dag_id, run_id, run_type, state, logical_date, data_interval_start, data_interval_end, version_hash)
         VALUES ('d', $1, 'manual', 'running', $2, $2, $2, 'v')`,
        [runId, date],
      );
      await db.query(
        `INSERT INTO task_instances (dag_id, run_id, task_id, max_tries, pool, pool_slots, queue, priority_weight, trigger_rule, state)
         VALUES ('d', $1, 't', 1, 'default_pool', 1, 'default', 1, 'all_success', 'scheduled')`,
        [runId],
      );
    }

    assert.deepEqual(await migrate(db), files.filter((f) => f.version >= 7).map((f) => f.name));
    const { rows } = await db.query<{ run_id: string; run_logical_date: Date }>(
      `SELECT run_id, run_logical_date FROM task_instances ORDER BY run_id`,
    );
    assert.deepEqual(
      rows.map((r) => [r.run_id, r.run_logical_date.toISOString()]),
      [
        ['r1', '2026-01-01T00:00:00.000Z'],
        ['r2', '2026-01-02T00:00:00.000Z'],
      ],
    );
    const { rows: index } = await db.query<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'ti_scheduled_by_pool'`);
    // In admission order: 013 put the map index after the task id.
    assert.match(index[0]!.def, /\(pool, priority_weight DESC, run_logical_date, dag_id, task_id, map_index, run_id\) WHERE \(state = 'scheduled'::text\)/);
  });
});

describe('migration 011 keys task instances, tries, XComs and logs by map index', () => {
  let store: StoreDb;
  before(async () => {
    store = await openStoreDb('migration_011', { migrated: false });
  });
  after(() => store.close());

  test('what an installation holds keeps its key, with map index -1, and every partial index ends in the full key', async () => {
    const db = store.db;
    const files = await migrateBefore(db, 11);
    await db.query(
      `INSERT INTO dag_runs (dag_id, run_id, run_type, state, logical_date, data_interval_start, data_interval_end, version_hash)
       VALUES ('d', 'r', 'manual', 'running', now(), now(), now(), 'v')`,
    );
    await db.query(
      `INSERT INTO task_instances (dag_id, run_id, run_logical_date, task_id, max_tries, pool, pool_slots, queue, priority_weight, trigger_rule, state, try_number)
       VALUES ('d', 'r', now(), 't', 1, 'default_pool', 1, 'default', 1, 'all_success', 'success', 1)`,
    );
    await db.query(`INSERT INTO task_tries (dag_id, run_id, task_id, try_number, state) VALUES ('d', 'r', 't', 1, 'success')`);
    await db.query(`INSERT INTO xcoms (dag_id, run_id, task_id, value) VALUES ('d', 'r', 't', '42')`);
    await db.query(`INSERT INTO task_logs (dag_id, run_id, task_id, try_number, chunk, start_offset, end_offset) VALUES ('d', 'r', 't', 1, 'x', 0, 1)`);

    assert.deepEqual(await migrate(db), files.filter((f) => f.version >= 11).map((f) => f.name));
    for (const table of ['task_instances', 'task_tries', 'xcoms', 'task_logs']) {
      const { rows } = await db.query<{ map_index: number }>(`SELECT map_index FROM ${table}`);
      assert.deepEqual(rows.map((r) => r.map_index), [-1], table);
    }
    const { rows: value } = await db.query<{ v: unknown }>(`SELECT sluice_xcom_value('d', 'r', 't') AS v`);
    assert.equal(value[0]!.v, 42, "a plain task's XCom reads as before");
    const { rows: indexes } = await db.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
       WHERE tablename = 'task_instances' AND indexname IN ('ti_occupying_dag', 'ti_occupying_pool', 'ti_scheduled', 'ti_unfinished')
       ORDER BY 1`,
    );
    assert.equal(indexes.length, 4);
    for (const index of indexes) assert.match(index.def, /dag_id, run_id, task_id, map_index\) WHERE/, index.name);
  });
});
