/**
 * When a try's outcome cannot be recorded for a reason that is not the try's own (the database
 * failing the completion's transaction), the try is left to the heartbeat timeout as before, but
 * the log lines that went with that completion are not lost: the worker stores them by
 * themselves.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { readLog } from '../../src/store/logs.ts';
import { Harness } from '../support/harness.ts';

const DAG = `
import { dag } from 'sluice';
const d = dag('lost_completion', {});
// Quick: its line is still in the worker's buffer when the try ends, so only the completion carries it.
d.task('victim', async (ctx) => { ctx.log.info('victim says hi'); return 1; });
export default d;
`;

const h = new Harness({ dags: { 'lost.ts': DAG } });

before(async () => {
  await h.setUp();
  // Fails the completion's transaction as a server shutting down would (SQLSTATE 57P01): not a
  // refusal of what the try carries, so the worker must not record it as failed itself.
  await h.db.query(`
    CREATE FUNCTION refuse_victim_end() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'terminating connection due to administrator command (test)' USING ERRCODE = '57P01';
    END $$;
    CREATE TRIGGER refuse_victim_end BEFORE UPDATE ON task_instances
      FOR EACH ROW WHEN (NEW.task_id = 'victim' AND NEW.state = 'success') EXECUTE FUNCTION refuse_victim_end();
  `);
  await h.startScheduler();
  await h.startWorker();
  await h.waitForDag('lost_completion');
});
after(() => h.tearDown());

test("a completion the database fails still leaves the try's log lines stored", async () => {
  const run = await triggerDagRun(h.db, 'lost_completion', {});
  const log = await h.waitFor('the log of try 1 to be stored', async () => {
    const text = await readLog(h.db, 'lost_completion', run.runId, 'victim', 1);
    return text.includes('victim says hi') ? text : undefined;
  });
  assert.equal(log.split('victim says hi').length - 1, 1, 'the line is stored once');
  // The outcome was not recorded: the try is still running until the heartbeat timeout fails it.
  const ti = (await h.taskInstances('lost_completion', run.runId)).victim!;
  assert.notEqual(ti.state, 'success');
  await h.db.query('DROP TRIGGER refuse_victim_end ON task_instances');
});
