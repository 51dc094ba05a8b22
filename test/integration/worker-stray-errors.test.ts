/**
 * Errors a task lets escape its promise chain (an un-awaited rejection, a throw in a timer
 * callback), on a real `sluice worker` process: the worker must stay up, the guilty try fail with
 * what happened, and the tries beside it be untouched. Also `sluice tasks test` / `dags test`,
 * which run tries in their own process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sluice } from '../support/cli.ts';
import { Harness } from '../support/harness.ts';
import { startSluice, type SluiceProcess } from '../support/sluice-process.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { readLog } from '../../src/store/logs.ts';
import { listTries } from '../../src/store/task-instance-reads.ts';
import { readXcom } from '../../src/store/xcom.ts';

const STRAY = `
import { dag } from 'sluice';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const d = dag('stray', {});
d.task('rejects_while_running', async () => {
  Promise.reject(new Error('forgot to await this'));
  await sleep(3000);
  return 'should not count';
});
d.task('rejects_then_returns', async () => {
  void Promise.reject(new Error('fire and forget'));
  return 'should not count either';
});
d.task('throws_in_callback', async () => {
  setTimeout(() => { throw new Error('thrown from a timer'); }, 50);
  await sleep(3000);
});
d.task('throws_late', async (ctx) => {
  ctx.log.info('returning now');
  setTimeout(() => { throw new Error('thrown after returning'); }, 1000);
  return 'done';
});
d.task('innocent', async () => {
  await sleep(2000);
  return 'fine';
});
export default d;
`;

const AFTER = `
import { dag, chain } from 'sluice';
const d = dag('after', {});
chain(d.task('one', async () => 1), d.task('two', async (ctx) => ((await ctx.xcom('one')) ?? 0) + 1));
export default d;
`;

function startChildWorker(h: Harness): SluiceProcess {
  // The test reads the worker's error lines, whatever level the test run asks for.
  return startSluice(['worker', '--concurrency', '8'], { ...h.childEnv(), SLUICE_LOG_LEVEL: 'warn' });
}

describe('stray errors from task code', () => {
  const h = new Harness({ dags: { 'stray.ts': STRAY, 'after.ts': AFTER } });

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.waitForDag('stray');
    await h.waitForDag('after');
  });
  after(() => h.tearDown());

  test('on a worker process: the worker stays up, the guilty tries fail with what happened, the others are untouched', async () => {
    const worker = startChildWorker(h);
    let exitCode: number | string | undefined;
    void worker.exited.then((code) => (exitCode = code));
    try {
      const run = await triggerDagRun(h.db, 'stray', {});
      const ended = await h.waitForRunEnd('stray', run.runId, 60_000);
      assert.equal(exitCode, undefined, `the worker exited (${exitCode}); its stderr:\n${worker.stderr()}`);
      assert.equal(ended.state, 'failed');

      const tis = await h.taskInstances('stray', run.runId);
      const summary = JSON.stringify(Object.values(tis).map((t) => [t.taskId, t.state, t.error]));
      assert.deepEqual(
        Object.fromEntries(Object.values(tis).map((t) => [t.taskId, t.state])),
        { rejects_while_running: 'failed', rejects_then_returns: 'failed', throws_in_callback: 'failed', throws_late: 'success', innocent: 'success' },
        summary,
      );
      assert.match(tis.rejects_while_running!.error ?? '', /the task left an unhandled promise rejection: forgot to await this/);
      assert.match(tis.rejects_then_returns!.error ?? '', /the task left an unhandled promise rejection: fire and forget/);
      assert.match(tis.throws_in_callback!.error ?? '', /the task threw outside its promise chain .*: thrown from a timer/);
      // Each failed at once, on its own try (no heartbeat timeout, no second try).
      for (const id of ['rejects_while_running', 'rejects_then_returns', 'throws_in_callback']) {
        assert.deepEqual((await listTries(h.db, 'stray', run.runId, id)).map((t) => [t.tryNumber, t.state]), [[1, 'failed']], id);
      }
      assert.deepEqual(await readXcom(h.db, 'stray', run.runId, 'innocent'), { found: true, value: 'fine' });
      assert.deepEqual(await readXcom(h.db, 'stray', run.runId, 'throws_late'), { found: true, value: 'done' });

      // The late throw cannot change a recorded try. The try's log is closed with its outcome (the
      // worker's log buffer drops what a finished try's code writes), so it is reported in the
      // worker's log, with the try it came from and saying that the outcome stands.
      assert.match((await readLog(h.db, 'stray', run.runId, 'throws_late', 1)), /returning now/);
      const late = await h.waitFor('the late throw in the worker log', async () =>
        worker.stderr().split('\n').find((line) => line.includes('thrown after returning')),
      );
      const entry = JSON.parse(late) as Record<string, unknown>;
      assert.deepEqual(
        [entry.level, entry.dagId, entry.runId, entry.taskId, entry.try, entry.kind],
        [50, 'stray', run.runId, 'throws_late', 1, 'uncaughtException'],
      );
      assert.match(String(entry.msg), /after its try had ended.*cannot be taken back/);

      // The same worker process goes on running tries.
      const next = await triggerDagRun(h.db, 'after', {});
      assert.equal((await h.waitForRunEnd('after', next.runId, 60_000)).state, 'success');
      assert.deepEqual(await readXcom(h.db, 'after', next.runId, 'two'), { found: true, value: 2 });
      assert.equal(exitCode, undefined, `the worker exited (${exitCode}); its stderr:\n${worker.stderr()}`);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  test('sluice tasks test: a stray rejection fails that task instead of crashing the command', async () => {
    const result = await sluice(['tasks', 'test', 'stray', 'rejects_while_running'], h.childEnv());
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /rejects_while_running: failed \(the task left an unhandled promise rejection: forgot to await this\)/);
    // Node's own report of a fatal error would end with its version.
    assert.doesNotMatch(result.stderr, /Node\.js v\d/, 'the command must not crash');
    assert.match(result.stderr, /"taskId":"rejects_while_running".*the try fails/);
  });

  test('sluice dags test: the run goes on past stray errors, and a late throw is reported, not fatal', async () => {
    const result = await sluice(['dags', 'test', 'stray'], h.childEnv());
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /rejects_while_running: failed \(the task left an unhandled promise rejection: forgot to await this\)/);
    assert.match(result.stdout, /throws_in_callback: failed \(the task threw outside its promise chain .*: thrown from a timer\)/);
    assert.match(result.stdout, /throws_late: success/);
    assert.match(result.stdout, /innocent: success/);
    assert.match(result.stdout, /\[throws_late #1\].*thrown after returning/);
    assert.match(result.stdout, /run failed/);
    assert.doesNotMatch(result.stderr, /Node\.js v\d/, 'the command must not crash');
  });
});
