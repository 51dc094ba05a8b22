/**
 * A migrated metadata database of its own for a store test (no Redis, no processes): what the
 * tests of one src/store module need. `close()` drops it.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { DagSpec } from '../../src/core/spec.ts';
import type { TaskState } from '../../src/core/states.ts';
import { upsertDag } from '../../src/store/dags.ts';
import { createDb, dropDatabase, ensureDatabase, withTransaction, type Db } from '../../src/store/db.ts';
import { createMigratedDatabase } from './migrated-db.ts';
import { readMigrationFiles, runMigrationFile, type MigrationFile } from '../../src/pg/migration-files.ts';
import { insertRun } from '../../src/store/runs.ts';

export interface StoreDb {
  url: string;
  db: Db;
  close(): Promise<void>;
}

/** A new, empty database, migrated unless `migrated` is false. */
export async function openStoreDb(label: string, options: { migrated?: boolean } = {}): Promise<StoreDb> {
  const url = `postgres://postgres@127.0.0.1:5432/sluice_${label}_${randomBytes(4).toString('hex')}`;
  if (options.migrated === false) await ensureDatabase(url);
  else await createMigratedDatabase(url);
  const db = createDb(url, 4);
  return {
    url,
    db,
    async close() {
      await db.end();
      await dropDatabase(url);
    },
  };
}

/**
 * A metadata database as an installation made it before migration `version`: the migrations
 * before it applied and recorded in schema_migrations (as `migrate` records them), no function
 * files. Returns every migration file, for the test's own checks. `migrate(db)` then applies the
 * rest, as an upgrade does.
 */
export async function migrateBefore(db: Db, version: number): Promise<MigrationFile[]> {
  const files = await readMigrationFiles(fileURLToPath(new URL('../../src/store/migrations/', import.meta.url)));
  const client = await db.connect();
  try {
    await client.query(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const file of files.filter((f) => f.version < version)) {
      await runMigrationFile(client, file, (tx) =>
        tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [file.version, file.name, file.checksum]),
      );
    }
  } finally {
    client.release();
  }
  return files;
}

/** The DAG (and its version 'v1') and one running run of it with its task instances, as the scheduler would make them. */
export async function seedRunningRun(
  db: Db,
  spec: DagSpec,
  runId = 'manual__1',
  logicalDate = new Date('2026-01-01T00:00:00Z'),
): Promise<{ dagId: string; runId: string }> {
  await upsertDag(db, spec, 'v1', `${spec.dagId}.ts`);
  await withTransaction(db, (tx) =>
    insertRun(
      tx,
      { dagId: spec.dagId, runId, runType: 'manual', logicalDate, dataIntervalStart: logicalDate, dataIntervalEnd: logicalDate, conf: {} },
      spec,
      'v1',
    ),
  );
  await db.query(`UPDATE dag_runs SET state = 'running', start_date = clock_timestamp() WHERE dag_id = $1 AND run_id = $2`, [spec.dagId, runId]);
  return { dagId: spec.dagId, runId };
}

/**
 * Puts a task instance in a state as a test's starting point, bypassing the store's guarded
 * transitions; 'running' gets a try the way a claim makes one (started 2 s ago, heart-beating).
 */
export async function putTaskInState(
  db: Db,
  key: { dagId: string; runId: string; taskId: string },
  state: TaskState,
  tryNumber = state === 'none' || state === 'scheduled' ? 0 : 1,
): Promise<void> {
  const running = state === 'running';
  // A sensor between checks: its try began (at its first check) on a worker it has since left.
  const paused = state === 'up_for_reschedule';
  await db.query(
    `UPDATE task_instances SET state = $4, try_number = $5,
       start_date = CASE WHEN $6 OR $7 THEN clock_timestamp() - interval '2 seconds' END,
       heartbeat_at = CASE WHEN $6 THEN clock_timestamp() END,
       worker_id = CASE WHEN $6 THEN 'worker-1' END, hostname = CASE WHEN $6 OR $7 THEN 'host-1' END,
       queued_at = CASE WHEN $4 IN ('queued', 'running') THEN clock_timestamp() END,
       next_try_at = CASE WHEN $4 IN ('up_for_retry', 'up_for_reschedule') THEN clock_timestamp() + interval '1 hour' END,
       reschedule_count = CASE WHEN $7 THEN 1 ELSE 0 END
     WHERE dag_id = $1 AND run_id = $2 AND task_id = $3`,
    [key.dagId, key.runId, key.taskId, state, tryNumber, running, paused],
  );
}

/** Every column of a task instance, as stored. */
export async function taskRow(db: Db, key: { dagId: string; runId: string; taskId: string }): Promise<Record<string, unknown>> {
  const { rows } = await db.query('SELECT * FROM task_instances WHERE dag_id = $1 AND run_id = $2 AND task_id = $3', [
    key.dagId,
    key.runId,
    key.taskId,
  ]);
  if (!rows[0]) throw new Error(`no task instance ${key.dagId}/${key.runId}/${key.taskId}`);
  return rows[0];
}

/** The finished tries of a task instance, from history. */
export async function triesOf(db: Db, key: { dagId: string; runId: string; taskId: string }): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query(
    'SELECT * FROM task_tries WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 ORDER BY try_number',
    [key.dagId, key.runId, key.taskId],
  );
  return rows;
}
