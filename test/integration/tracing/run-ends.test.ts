/**
 * Run ends are told from inside their transaction and said only once it has committed, with the
 * run as the database has it; an end whose transaction rolled back is never said, and let go.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/log.ts';
import { finalizeRun, type DagRunRecord } from '../../../src/store/runs.ts';
import { RunEnds } from '../../../src/tracing/run-ends.ts';
import { dagSpec } from '../../support/specs.ts';
import { openStoreDb, putTaskInState, seedRunningRun, type StoreDb } from '../../support/store-db.ts';

let store: StoreDb;
let runEnds: RunEnds;
const said: DagRunRecord[] = [];

before(async () => {
  store = await openStoreDb('run_ends');
  runEnds = new RunEnds(store.db, (run) => said.push(run), createLogger('silent', 'test'));
});
after(async () => {
  await runEnds.close();
  await store.close();
});

/** A running run whose one task has succeeded: the run-end rule ends it. */
async function doneRun(runId: string, logicalDate: string) {
  const run = await seedRunningRun(store.db, dagSpec('d', ['t']), runId, new Date(logicalDate));
  await putTaskInState(store.db, { ...run, taskId: 't' }, 'success');
  return run;
}

/** Ends the run in a transaction of its own, reports it there, and leaves the transaction open. */
async function endInOpenTransaction(run: { dagId: string; runId: string }) {
  const tx = await store.db.connect();
  await tx.query('BEGIN');
  assert.equal(await finalizeRun(tx, run.dagId, run.runId), 'success');
  runEnds.report(run);
  return tx;
}

test('an end is said once committed, with the start and end the database has', async () => {
  const run = await doneRun('manual__1', '2026-01-01T00:00:00Z');
  const tx = await endInOpenTransaction(run);
  try {
    await runEnds.flush();
    assert.equal(said.length, 0, 'not committed yet: the run still reads as running');
    await tx.query('COMMIT');
  } finally {
    tx.release();
  }
  await runEnds.flush();
  assert.equal(said.length, 1);
  const { rows } = await store.db.query('SELECT start_date, end_date FROM dag_runs WHERE run_id = $1', [run.runId]);
  assert.deepEqual(
    { runId: said[0]!.runId, state: said[0]!.state, start: said[0]!.startDate, end: said[0]!.endDate },
    { runId: 'manual__1', state: 'success', start: rows[0].start_date, end: rows[0].end_date },
  );
  await runEnds.flush();
  assert.equal(said.length, 1, 'said once');
});

test('an end whose transaction rolled back is never said, and is let go', async () => {
  said.length = 0;
  const run = await doneRun('manual__2', '2026-01-02T00:00:00Z');
  const tx = await endInOpenTransaction(run);
  await tx.query('ROLLBACK');
  tx.release();
  for (let i = 0; i < 5; i++) await runEnds.flush();
  // Ended for real now, but no longer reported: the rolled-back report was let go.
  assert.equal(await finalizeRun(store.db, run.dagId, run.runId), 'success');
  await runEnds.flush();
  assert.equal(said.length, 0);
});
