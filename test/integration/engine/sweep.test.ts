/**
 * The scheduler's start of queued runs (sweep.ts startRuns): many DAGs' runs started together,
 * their first tasks admitted across DAGs, and a DAG whose start fails holding up no other.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRuns } from '../../../src/engine/sweep.ts';
import { createLogger } from '../../../src/log.ts';
import type { QueuedTry } from '../../../src/queue/jobs.ts';
import type { TaskQueues } from '../../../src/queue/task-queues.ts';
import { dagSpec } from '../../support/specs.ts';
import { openStoreDb, seedRunningRun, taskRow, type StoreDb } from '../../support/store-db.ts';

describe("the scheduler's start of queued runs", () => {
  let s: StoreDb;
  const sent: QueuedTry[] = [];
  const services = () => ({
    db: s.db,
    queues: { enqueue: async (tries: QueuedTry[]) => void sent.push(...tries) } as unknown as TaskQueues,
    log: createLogger('silent', 'sweep-test'),
  });

  /** A DAG a → b with one run, queued. */
  async function queuedRun(dagId: string): Promise<{ dagId: string; runId: string }> {
    const run = await seedRunningRun(s.db, dagSpec(dagId, ['a', 'b'], [['a', 'b']]));
    await s.db.query(`UPDATE dag_runs SET state = 'queued', start_date = NULL WHERE dag_id = $1`, [dagId]);
    return run;
  }

  const runState = async (r: { dagId: string; runId: string }) =>
    (await s.db.query<{ state: string }>('SELECT state FROM dag_runs WHERE dag_id = $1 AND run_id = $2', [r.dagId, r.runId])).rows[0]!.state;

  before(async () => {
    s = await openStoreDb('sweep_start');
  });
  after(() => s.close());

  test('starts every DAG with runs queued, more than one transaction holds, and queues and sends their first tasks', async () => {
    // 120 DAGs: more than one chunk of DAGs started together.
    const runs = [];
    for (let i = 0; i < 120; i++) runs.push(await queuedRun(`many_${String(i).padStart(3, '0')}`));
    sent.length = 0;
    await startRuns(services());
    for (const run of runs) {
      assert.equal(await runState(run), 'running', run.dagId);
      assert.equal((await taskRow(s.db, { ...run, taskId: 'a' })).state, 'queued', `${run.dagId}: its first task is admitted`);
      assert.equal((await taskRow(s.db, { ...run, taskId: 'b' })).state, 'none', `${run.dagId}: the second waits`);
    }
    assert.deepEqual(sent.map((q) => q.dagId).sort(), runs.map((r) => r.dagId).sort(), 'one message per first task');
  });

  test("a DAG whose start fails is left queued and the others in its chunk start (each on its own then)", async () => {
    const good = [await queuedRun('iso_a'), await queuedRun('iso_c')];
    const bad = await queuedRun('iso_b');
    await s.db.query(`
      CREATE FUNCTION test_refuse_start() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.dag_id = 'iso_b' AND NEW.state = 'running' THEN RAISE EXCEPTION 'refused by the test'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_refuse_start BEFORE UPDATE ON dag_runs FOR EACH ROW EXECUTE FUNCTION test_refuse_start();`);
    try {
      sent.length = 0;
      await startRuns(services());
      for (const run of good) assert.equal(await runState(run), 'running', run.dagId);
      assert.equal(await runState(bad), 'queued');
      assert.deepEqual(sent.map((q) => q.dagId).sort(), ['iso_a', 'iso_c']);
    } finally {
      await s.db.query('DROP TRIGGER test_refuse_start ON dag_runs; DROP FUNCTION test_refuse_start()');
    }
    await startRuns(services());
    assert.equal(await runState(bad), 'running', 'started by the next loop once it can be');
  });
});
