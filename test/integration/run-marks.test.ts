/**
 * Marking a whole run by hand through `PATCH /dags/:dagId/dagRuns/:runId`, with a real scheduler,
 * worker and webserver: failed fails the running tries (their code is stopped) and skips what has
 * not started, leaving finished tasks as they were; success marks every unfinished task instance
 * success; a run that ended makes room for the DAG's next queued run; bad requests are refused
 * with the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DagRun } from '../../src/api/schemas/index.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { Harness } from '../support/harness.ts';

const dagSource = (folder: string) => `
import { writeFileSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('marked', { maxActiveRuns: 1 });
const done = d.task('done', async () => 'early');
const long = d.task('long', async (ctx) => {
  ctx.log.info('working');
  await new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, 60_000);
    ctx.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      writeFileSync(${JSON.stringify(folder)} + '/stopped-' + ctx.runId.replace(/[^a-z0-9]/gi, '_'), 'stopped');
      reject(new Error('stopped'));
    });
  });
});
long.then(d.task('after', async () => 'late'));
done.then(d.task('after_done', async () => 'ran'));
export default d;
`;

describe('run marks', () => {
  const h = new Harness();
  let base: string;

  before(async () => {
    await h.setUp();
    await h.writeDag('marked.ts', dagSource(h.dagsFolder));
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('marked');
    base = `${(await h.startWebserver()).url}/api/v1/dags/marked/dagRuns`;
  });
  after(() => h.tearDown());

  const mark = (runId: string, body: unknown) =>
    fetch(`${base}/${encodeURIComponent(runId)}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const runningLong = async () => {
    const run = await triggerDagRun(h.db, 'marked', {});
    await h.waitFor('long to run and after_done to succeed', async () => {
      const states = await h.taskStates('marked', run.runId);
      return states.long === 'running' && states.after_done === 'success' ? true : undefined;
    });
    return run.runId;
  };

  test('failed: the running try fails and its code is stopped, what has not started is skipped, what finished stays', async () => {
    const runId = await runningLong();
    const queued = await triggerDagRun(h.db, 'marked', { logicalDate: new Date(Date.now() + 60_000) });
    const reply = await mark(runId, { state: 'failed' });
    assert.equal(reply.status, 200);
    const run = (await reply.json()) as DagRun;
    assert.equal(run.state, 'failed');
    assert.ok(run.endDate);
    assert.deepEqual(await h.taskStates('marked', runId), { done: 'success', after_done: 'success', long: 'failed', after: 'skipped' });
    const long = (await h.taskInstances('marked', runId)).long!;
    assert.equal(long.error, 'its run was marked failed by a user');
    const { rows } = await h.db.query(`SELECT try_number, state FROM task_tries WHERE dag_id = 'marked' AND run_id = $1 AND task_id = 'long'`, [runId]);
    assert.deepEqual(rows, [{ try_number: 1, state: 'failed' }], 'the running try ended in the history');
    await h.waitFor('the long task\'s code to be stopped', async () => existsSync(path.join(h.dagsFolder, `stopped-${runId.replace(/[^a-z0-9]/gi, '_')}`)) || undefined);
    // maxActiveRuns 1: the run queued behind it starts now.
    await h.waitFor('the next run to start', async () => (await h.taskStates('marked', queued.runId)).done === 'success' || undefined);
    assert.equal((await mark(queued.runId, { state: 'success' })).status, 200);
  });

  test('success: every unfinished task instance succeeds, and marking it again changes nothing', async () => {
    const runId = await runningLong();
    const run = (await (await mark(runId, { state: 'success' })).json()) as DagRun;
    assert.equal(run.state, 'success');
    assert.deepEqual(await h.taskStates('marked', runId), { done: 'success', after_done: 'success', long: 'success', after: 'success' });
    const again = (await (await mark(runId, { state: 'success' })).json()) as DagRun;
    assert.equal(again.endDate, run.endDate, 'already success: left as it was');
    // Marked failed after that: nothing is unfinished, so only the run changes.
    const failed = (await (await mark(runId, { state: 'failed' })).json()) as DagRun;
    assert.equal(failed.state, 'failed');
    assert.deepEqual(await h.taskStates('marked', runId), { done: 'success', after_done: 'success', long: 'success', after: 'success' });
  });

  test('refuses another state, an unknown field and an unknown run, saying why', async () => {
    const runId = (await triggerDagRun(h.db, 'marked', { logicalDate: new Date(Date.now() + 120_000) })).runId;
    const bad = await mark(runId, { state: 'running' });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(await bad.json()), /must be \\"success\\" or \\"failed\\", got \\"running\\"/);
    assert.equal((await mark(runId, { state: 'failed', note: 'x' })).status, 400);
    const missing = await mark('manual__1999-01-01T00:00:00.000Z', { state: 'failed' });
    assert.equal(missing.status, 404);
    assert.equal((await mark(runId, { state: 'failed' })).status, 200);
  });
});
