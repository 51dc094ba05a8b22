import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../support/harness.ts';
import { startSluice, type SluiceProcess } from '../support/sluice-process.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { listTries } from '../../src/store/task-instance-reads.ts';

const DAG = `
import { dag } from 'sluice';
const d = dag('graceful', {});
d.task('two_seconds', async (ctx) => { await new Promise((r) => setTimeout(r, 2000)); return ctx.tryNumber; });
export default d;
`;

/** A `sluice worker` process; the tests signal it alone (child.kill), never its process group. */
function startChildWorker(h: Harness, grace: string): SluiceProcess {
  return startSluice(['worker'], { ...h.childEnv(), SLUICE_WORKER_SHUTDOWN_GRACE: grace });
}

describe('graceful worker shutdown on SIGTERM', () => {
  const h = new Harness({ dags: { 'graceful.ts': DAG } });

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.waitForDag('graceful');
  });
  after(() => h.tearDown());

  test('within the grace period, the running try finishes and is recorded', async () => {
    const { child, exited } = startChildWorker(h, '20s');
    const run = await triggerDagRun(h.db, 'graceful', {});
    await h.waitFor('the try to run', async () => (await h.taskStates('graceful', run.runId)).two_seconds === 'running');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal((await h.taskStates('graceful', run.runId)).two_seconds, 'success');
    assert.equal((await h.waitForRunEnd('graceful', run.runId)).state, 'success');
  });

  test('a second SIGTERM (a signal to the whole process group, then standalone\'s own) does not cut the shutdown short', async () => {
    const { child, exited } = startChildWorker(h, '20s');
    const run = await triggerDagRun(h.db, 'graceful', { logicalDate: new Date('2026-04-02T00:00:00Z') });
    await h.waitFor('the try to run', async () => (await h.taskStates('graceful', run.runId)).two_seconds === 'running');
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal((await h.taskStates('graceful', run.runId)).two_seconds, 'success');
  });

  test('past the grace period, the try is handed back and another worker runs it, no try lost', async () => {
    const { child, exited } = startChildWorker(h, '300ms');
    const run = await triggerDagRun(h.db, 'graceful', { logicalDate: new Date('2026-04-01T00:00:00Z') });
    await h.waitFor('the try to run', async () => (await h.taskStates('graceful', run.runId)).two_seconds === 'running');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal((await h.taskStates('graceful', run.runId)).two_seconds, 'queued');
    await h.startWorker();
    assert.equal((await h.waitForRunEnd('graceful', run.runId)).state, 'success');
    const tries = await listTries(h.db, 'graceful', run.runId, 'two_seconds');
    assert.deepEqual(tries.map((t) => [t.tryNumber, t.state]), [[1, 'success']]);
  });
});
