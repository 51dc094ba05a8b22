/**
 * Tries in runner processes (contract section 6, "Isolation", "A try that must end is ended",
 * "Memory"): blocking code is stopped within executionTimeout + SLUICE_TASK_KILL_GRACE while
 * another try on the same worker completes; code that ignores its signal stops once its try is
 * timed out, marked or cleared, its run times out or its worker stops past its grace, and no later
 * try of the task runs beside it; memoryLimit; a runner killed from outside fails only its own try.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { clearTaskInstances, markTaskInstance, triggerDagRun } from '../../src/engine/actions.ts';
import { listTries } from '../../src/store/task-instance-reads.ts';
import { Harness } from '../support/harness.ts';

const KILL_GRACE_MS = 1000;

/**
 * A task function's source that appends "<try> <time>" every 100 ms, ignoring its signal, to the
 * file named by the run and `name` (a JavaScript expression) in `files`.
 */
const appendForever = (files: string, name: string) => `async (ctx) => {
  const file = ${JSON.stringify(files)} + '/' + ctx.runId.replace(/[^\\w]/g, '_') + '-' + ${name};
  for (;;) {
    appendFileSync(file, ctx.tryNumber + ' ' + Date.now() + '\\n');
    await new Promise((r) => setTimeout(r, 100));
  }
}`;

/**
 * `stubborn`, `run_timeout` and `handback` append forever (appendForever); `blocker` blocks its
 * event loop; `quick` sleeps a little and succeeds; `hog` allocates without end; `suicide` kills
 * its own runner.
 */
const DAGS = (files: string) => ({
  'stubborn.ts': `
import { appendFileSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('stubborn', { schedule: null });
for (const [id, timeout] of [['append_timeout', '1s'], ['append_mark', null], ['append_clear', null]] as const) {
  d.task(id, { retries: 1, retryDelay: 0, executionTimeout: timeout }, ${appendForever(files, 'id')});
}
export default d;
`,
  // The same stubborn code under a run timeout: the run fails after 1 s and its try must stop.
  'run_timeout.ts': `
import { appendFileSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('run_timeout', { schedule: null, dagrunTimeout: '1s' });
d.task('append', ${appendForever(files, "'append'")});
export default d;
`,
  // And on a queue of its own, so that the test decides which worker runs it.
  'handback.ts': `
import { appendFileSync } from 'node:fs';
import { dag } from 'sluice';
const d = dag('handback', { schedule: null });
d.task('append', { queue: 'handback' }, ${appendForever(files, "'append'")});
export default d;
`,
  'blocking.ts': `
import { dag } from 'sluice';
const d = dag('blocking', { schedule: null, maxActiveTasks: 4 });
d.task('blocker', { executionTimeout: '1s' }, async () => {
  for (;;) {}
});
d.task('quick', async () => {
  await new Promise((r) => setTimeout(r, 1500));
  return 'done';
});
d.task('hog', { memoryLimit: '150MB' }, async () => {
  const kept: number[][] = [];
  for (;;) {
    kept.push(new Array(250_000).fill(kept.length));
    await new Promise((r) => setImmediate(r));
  }
});
d.task('suicide', async () => {
  await new Promise((r) => setTimeout(r, 200));
  process.kill(process.pid, 'SIGKILL');
});
export default d;
`,
});

describe('tries in runner processes', { timeout: 120_000 }, () => {
  const h = new Harness({ env: { SLUICE_TASK_KILL_GRACE: `${KILL_GRACE_MS}ms` } });
  const files = path.join(h.dagsFolder, '..', `${h.id}-appends`);

  before(async () => {
    await h.setUp();
    await mkdir(files, { recursive: true });
    for (const [name, source] of Object.entries(DAGS(files))) await h.writeDag(name, source);
    await h.startScheduler();
    await h.startWorker({ concurrency: 4 });
    await h.waitForDag('stubborn');
    await h.waitForDag('blocking');
    await h.waitForDag('run_timeout');
    await h.waitForDag('handback');
  });
  after(async () => {
    await h.tearDown();
    await rm(files, { recursive: true, force: true });
  });

  const appendsOf = async (runId: string, taskId: string) => {
    const text = await readFile(path.join(files, `${runId.replace(/[^\w]/g, '_')}-${taskId}`), 'utf8').catch(() => '');
    return text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ').map(Number) as [number, number]);
  };
  const sizeOf = async (runId: string, taskId: string) =>
    (await stat(path.join(files, `${runId.replace(/[^\w]/g, '_')}-${taskId}`)).catch(() => ({ size: 0 }))).size;
  /** The file stops growing: its size is the same across half a second, checked soon after `since`. */
  const assertStopsGrowing = async (runId: string, taskId: string, within: number) => {
    const deadline = Date.now() + within;
    for (;;) {
      const before = await sizeOf(runId, taskId);
      await new Promise((r) => setTimeout(r, 500));
      if ((await sizeOf(runId, taskId)) === before) return;
      assert.ok(Date.now() < deadline, `${taskId} of ${runId} still appends ${within} ms after its try was ended`);
    }
  };
  /** No two tries overlap: every line of try n+1 comes after the last line of try n. */
  const assertNoOverlap = (lines: [number, number][]) => {
    const byTry = new Map<number, number[]>();
    for (const [tryNumber, at] of lines) byTry.set(tryNumber, [...(byTry.get(tryNumber) ?? []), at]);
    const tries = [...byTry.keys()].sort((a, b) => a - b);
    for (let i = 1; i < tries.length; i++) {
      const lastOfEarlier = Math.max(...byTry.get(tries[i - 1]!)!);
      const firstOfLater = Math.min(...byTry.get(tries[i]!)!);
      assert.ok(firstOfLater > lastOfEarlier, `try ${tries[i]} started (${firstOfLater}) before try ${tries[i - 1]} stopped appending (${lastOfEarlier})`);
    }
  };
  const waitForState = (dagId: string, runId: string, taskId: string, states: string[], timeoutMs = 30_000) =>
    h.waitFor(`${taskId} of ${runId} to be ${states.join(' or ')}`, async () => {
      const state = (await h.taskStates(dagId, runId))[taskId];
      return state && states.includes(state) ? state : undefined;
    }, timeoutMs);

  /** One run of `blocking` serves the first three tests: its four tasks run side by side on the worker's four slots. */
  let blocking: string;

  test('blocking code is stopped within executionTimeout + the kill grace, while another try on the worker completes', async () => {
    const run = await triggerDagRun(h.db, 'blocking', {});
    blocking = run.runId;
    const started = Date.now();
    const quick = await h.waitFor('quick to succeed', async () => ((await h.taskStates('blocking', run.runId)).quick === 'success' ? Date.now() : undefined));
    await waitForState('blocking', run.runId, 'blocker', ['failed']);
    const failedAfter = Date.now() - started;
    const blocker = (await h.taskInstances('blocking', run.runId)).blocker!;
    assert.match(blocker.error ?? '', /exceeded its executionTimeout of 1s; its code did not stop within SLUICE_TASK_KILL_GRACE \(1s\)/);
    // From its claim: 1 s timeout + 1 s grace, and the start of a runner if none was idle.
    assert.ok(blocker.durationMs! < 1000 + KILL_GRACE_MS + 3000, `the blocker's try lasted ${blocker.durationMs} ms`);
    assert.ok(quick - started < failedAfter, 'quick finished while the blocker blocked its own runner');
  });

  test('memoryLimit: a try that exceeds it fails saying so, and the worker goes on', async () => {
    await waitForState('blocking', blocking, 'hog', ['failed']);
    const hog = (await h.taskInstances('blocking', blocking)).hog!;
    assert.match(hog.error ?? '', /exceeded its memoryLimit of 150 MB \(its runner process used \d+(\.\d+)? MB\)/);
  });

  test('a runner killed from outside fails its own try with the signal, and the worker goes on', async () => {
    await waitForState('blocking', blocking, 'suicide', ['failed']);
    assert.match((await h.taskInstances('blocking', blocking)).suicide!.error ?? '', /its runner process was killed by SIGKILL while it ran/);
    assert.equal((await h.waitForRunEnd('blocking', blocking)).state, 'failed');
  });

  test('code that ignores its signal stops appending once its try times out, and its retry starts only after', async () => {
    const run = await triggerDagRun(h.db, 'stubborn', {});
    await h.waitFor('the second try to append', async () => (await appendsOf(run.runId, 'append_timeout')).some(([t]) => t === 2));
    await waitForState('stubborn', run.runId, 'append_timeout', ['failed'], 30_000);
    await assertStopsGrowing(run.runId, 'append_timeout', 3000);
    assertNoOverlap(await appendsOf(run.runId, 'append_timeout'));
    const tries = await listTries(h.db, 'stubborn', run.runId, 'append_timeout');
    assert.deepEqual(tries.map((t) => t.state), ['failed', 'failed']);
    // Marked and cleared below: the run's other two tasks.
    await markTaskInstance(h.services, { dagId: 'stubborn', runId: run.runId, taskId: 'append_mark', mapIndex: -1 }, 'failed');
    await assertStopsGrowing(run.runId, 'append_mark', 4000);
    await markTaskInstance(h.services, { dagId: 'stubborn', runId: run.runId, taskId: 'append_clear', mapIndex: -1 }, 'success');
    await assertStopsGrowing(run.runId, 'append_clear', 4000);
  });

  test('a cleared running try: its code stops before the next try starts, and the next try runs', async () => {
    const run = await triggerDagRun(h.db, 'stubborn', {});
    await h.waitFor('the first try to append', async () => (await appendsOf(run.runId, 'append_clear')).length > 2);
    await clearTaskInstances(h.services, 'stubborn', run.runId, { taskIds: ['append_clear'] });
    await h.waitFor('the second try to append', async () => (await appendsOf(run.runId, 'append_clear')).some(([t]) => t === 2), 15_000);
    assertNoOverlap(await appendsOf(run.runId, 'append_clear'));
    const history = await listTries(h.db, 'stubborn', run.runId, 'append_clear');
    assert.equal(history[0]?.error, 'the try was cleared while running');
    await markTaskInstance(h.services, { dagId: 'stubborn', runId: run.runId, taskId: 'append_clear', mapIndex: -1 }, 'success');
    await markTaskInstance(h.services, { dagId: 'stubborn', runId: run.runId, taskId: 'append_timeout', mapIndex: -1 }, 'success');
    await markTaskInstance(h.services, { dagId: 'stubborn', runId: run.runId, taskId: 'append_mark', mapIndex: -1 }, 'success');
    await assertStopsGrowing(run.runId, 'append_clear', 4000);
  });

  test("a run past its dagrunTimeout: its running try's code stops too", async () => {
    const run = await triggerDagRun(h.db, 'run_timeout', {});
    await h.waitFor('the try to append', async () => (await appendsOf(run.runId, 'append')).length > 0);
    assert.equal((await h.waitForRunEnd('run_timeout', run.runId)).state, 'failed');
    await assertStopsGrowing(run.runId, 'append', 4000);
  });

  test('a worker stopped past its grace stops the code before it hands the try back, and the next worker runs it alone', async () => {
    const first = await h.startWorker({ concurrency: 1, queues: ['handback'] });
    const run = await triggerDagRun(h.db, 'handback', {});
    await h.waitFor('the try to append', async () => (await appendsOf(run.runId, 'append')).length > 2);
    const stopAsked = Date.now();
    await first.stop(300);
    const stoppedAt = Date.now();
    // Its signal at the end of the 300 ms grace, its runner killed KILL_GRACE_MS later.
    assert.ok(stoppedAt - stopAsked >= 300 + KILL_GRACE_MS - 100, `stop() returned after ${stoppedAt - stopAsked} ms, before the runner's kill grace`);
    const sizeAtStop = await sizeOf(run.runId, 'append');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await sizeOf(run.runId, 'append'), sizeAtStop, 'the code still appends after its worker stopped');
    assert.equal((await h.taskStates('handback', run.runId)).append, 'queued', 'handed back, not failed');
    await h.startWorker({ concurrency: 1, queues: ['handback'] });
    await h.waitFor('the handed-back try to run again', async () => (await sizeOf(run.runId, 'append')) > sizeAtStop, 20_000);
    const lines = await appendsOf(run.runId, 'append');
    const before = lines.filter(([, at]) => at <= stoppedAt);
    const after = lines.filter(([, at]) => at > stoppedAt);
    assert.ok(before.length > 2 && after.length > 0);
    assert.deepEqual([...new Set(lines.map(([t]) => t))], [1], 'a handed-back try keeps its number');
    await markTaskInstance(h.services, { dagId: 'handback', runId: run.runId, taskId: 'append', mapIndex: -1 }, 'success');
    await assertStopsGrowing(run.runId, 'append', 4000);
  });
});
