/**
 * Callbacks end to end, with a real scheduler and worker (README, "Callbacks"): each event
 * (dag_success, dag_failure, task_success, task_failure, task_retry) recorded when it happens and
 * run on a worker with its context; whatever ended the task (a failure, a worker killed mid-try,
 * a hand mark); a callback that fails twice and then succeeds, one that always fails, one whose
 * worker died holding it (claimed by hand, and a real worker killed mid-callback); a webhook
 * notifier as a callback; the API's answer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Webserver } from '../../src/api/server.ts';
import type { CallbackList } from '../../src/api/schemas/index.ts';
import { markTaskInstance, triggerDagRun } from '../../src/engine/actions.ts';
import { claimCallback, listRunCallbacks, type CallbackRecord } from '../../src/store/callbacks.ts';
import { Harness } from '../support/harness.ts';
import { startHttpReceiver, type HttpReceiver } from '../support/notification-receivers.ts';
import { startSluice } from '../support/sluice-process.ts';

/** Every callback of these DAGs appends what it was given to `file`, one JSON line per call. */
const recorder = (file: string) => `
import { appendFileSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
export const record = (c) => {
  c.log.info({ event: c.event }, 'recording');
  appendFileSync(${JSON.stringify(file)}, JSON.stringify({ ...c, log: undefined }) + '\\n');
};
/** Throws the first \`failures\` times it is called for a key, counted in a file beside the record. */
export const flaky = (key, failures) => (c) => {
  const counter = ${JSON.stringify(file)} + '.' + key;
  const n = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0;
  writeFileSync(counter, String(n + 1));
  if (n < failures) throw new Error('flaky callback, call ' + (n + 1));
  record(c);
};
/** Never returns the first time it is called for a key; records the next times. */
export const hangOnce = (key) => async (c) => {
  const counter = ${JSON.stringify(file)} + '.' + key;
  const n = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0;
  writeFileSync(counter, String(n + 1));
  if (n === 0) await new Promise(() => {});
  record(c);
};
`;

const EVENTS_DAG = `
import { dag, FailTask } from 'sluice';
import { record } from './recorder.ts';
const d = dag('cb_events', { params: { region: 'eu', limit: 10 }, onSuccess: record, onFailure: [record],
  defaultArgs: { onFailure: record } });
d.task('ok', { onSuccess: record }, async () => 1);
d.task('flaky', { retries: 1, retryDelay: 0, onRetry: record, onSuccess: record }, async (ctx) => {
  if (ctx.tryNumber === 1) throw new Error('first try fails');
  return 2;
});
d.task('plain', async (ctx) => { if (ctx.params.fail) throw new FailTask('told to fail'); });
d.task('mapped', { expand: ['a', 'b'], onSuccess: record }, async () => 3);
export default d;
`;

const SLOW_DAG = `
import { dag } from 'sluice';
import { record } from './recorder.ts';
const d = dag('cb_slow', { onSuccess: record, onFailure: record });
d.task('sleepy', { retries: 1, retryDelay: 0, onRetry: record, onFailure: record, onSuccess: record }, async (ctx) => {
  await new Promise((r) => setTimeout(r, ctx.params.sleepMs ?? 60_000));
});
export default d;
`;

const FLAKY_DAG = `
import { dag } from 'sluice';
import { flaky } from './recorder.ts';
const d = dag('cb_flaky', { onSuccess: flaky('twice', 2) });
d.task('t', { onSuccess: flaky('always', 99) }, async () => 1);
export default d;
`;

const HANG_DAG = `
import { dag } from 'sluice';
import { hangOnce } from './recorder.ts';
const d = dag('cb_hang', { onSuccess: hangOnce('run') });
d.task('t', async () => 1);
export default d;
`;

const webhookDag = (url: string) => `
import { dag } from 'sluice';
import { webhook } from 'sluice/notifiers';
const d = dag('cb_webhook', { onFailure: webhook({ url: ${JSON.stringify(url)}, headers: { authorization: 'Bearer t0k3n' } }) });
d.task('boom', async () => { throw new Error('boom'); });
export default d;
`;

interface Recorded {
  event: string;
  dagId: string;
  runId: string;
  taskId: string | null;
  mapIndex: number;
  tryNumber: number | null;
  state: string;
  error: string | null;
  logicalDate: string;
  params: Record<string, unknown>;
  url: string;
}

describe('callbacks', () => {
  let h: Harness;
  let web: Webserver;
  let receiver: HttpReceiver;
  let recordFile: string;

  before(async () => {
    receiver = await startHttpReceiver();
    h = new Harness({ env: { SLUICE_BASE_URL: 'https://sluice.example.com/ui/' } });
    await h.setUp();
    recordFile = path.join(h.dagsFolder, 'calls.jsonl');
    await h.writeDag('recorder.ts', recorder(recordFile));
    await h.writeDag('events.ts', EVENTS_DAG);
    await h.writeDag('slow.ts', SLOW_DAG);
    await h.writeDag('flaky.ts', FLAKY_DAG);
    await h.writeDag('hang.ts', HANG_DAG);
    await h.writeDag('webhook.ts', webhookDag(`${receiver.base}/hook/secret-path`));
    await h.startScheduler();
    await Promise.all(['cb_events', 'cb_slow', 'cb_flaky', 'cb_hang', 'cb_webhook'].map((id) => h.waitForDag(id)));
    web = await h.startWebserver();
  });
  after(async () => {
    await h.tearDown();
    await receiver.close();
  });

  const recorded = async (runId: string): Promise<Recorded[]> => {
    const text = await readFile(recordFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Recorded)
      .filter((r) => r.runId === runId);
  };
  /** The run's callbacks once none is pending or running, in the order they were recorded. */
  const settled = (dagId: string, runId: string, count: number, timeoutMs = 30_000): Promise<CallbackRecord[]> =>
    h.waitFor(
      `${count} callbacks of ${runId} to finish`,
      async () => {
        const { callbacks } = await listRunCallbacks(h.db, dagId, runId, 100, 0);
        return callbacks.length === count && callbacks.every((c) => c.state === 'success' || c.state === 'failed') && callbacks;
      },
      timeoutMs,
    );
  const brief = (c: CallbackRecord) => [c.event, c.taskId, c.mapIndex, c.tryNumber, c.state, c.tries];

  test('a successful run: task_success, task_retry and dag_success, each run once with its context', async () => {
    await h.startWorker();
    const run = await triggerDagRun(h.db, 'cb_events', { conf: { limit: 5 } });
    assert.equal((await h.waitForRunEnd('cb_events', run.runId, 30_000)).state, 'success');
    const callbacks = await settled('cb_events', run.runId, 6);
    const events = callbacks.map(brief).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    assert.deepEqual(events, [
      ['dag_success', null, -1, null, 'success', 1],
      ['task_retry', 'flaky', -1, 1, 'success', 1],
      ['task_success', 'flaky', -1, 2, 'success', 1],
      ['task_success', 'mapped', 0, 1, 'success', 1],
      ['task_success', 'mapped', 1, 1, 'success', 1],
      ['task_success', 'ok', -1, 1, 'success', 1],
    ]);
    // The run's event is recorded last: it ends once every task has.
    assert.equal(callbacks.at(-1)!.event, 'dag_success');
    const calls = await recorded(run.runId);
    assert.equal(calls.length, 6, 'each callback ran exactly once');
    const retry = calls.find((c) => c.event === 'task_retry')!;
    assert.equal(retry.state, 'up_for_retry');
    assert.equal(retry.error, 'first try fails');
    assert.equal(retry.url, `https://sluice.example.com/ui/dags/cb_events/runs/${encodeURIComponent(run.runId)}/tasks/flaky?try=1`);
    assert.deepEqual(retry.params, { region: 'eu', limit: 5 });
    assert.equal(new Date(retry.logicalDate).getTime(), run.logicalDate.getTime());
    const dagSuccess = calls.find((c) => c.event === 'dag_success')!;
    assert.deepEqual([dagSuccess.taskId, dagSuccess.tryNumber, dagSuccess.state, dagSuccess.error], [null, null, 'success', null]);
    assert.equal(dagSuccess.url, `https://sluice.example.com/ui/dags/cb_events/runs/${encodeURIComponent(run.runId)}`);
  });

  test('a failed run: task_failure (from defaultArgs) and dag_failure saying which task failed', async () => {
    const run = await triggerDagRun(h.db, 'cb_events', { conf: { fail: true } });
    assert.equal((await h.waitForRunEnd('cb_events', run.runId, 30_000)).state, 'failed');
    const callbacks = await settled('cb_events', run.runId, 7);
    const failure = callbacks.find((c) => c.event === 'task_failure')!;
    assert.deepEqual([failure.taskId, failure.eventState, failure.eventError, failure.state], ['plain', 'failed', 'told to fail', 'success']);
    const dagFailure = callbacks.find((c) => c.event === 'dag_failure')!;
    assert.equal(dagFailure.eventError, 'task "plain" failed: told to fail');
    const calls = await recorded(run.runId);
    assert.equal(calls.find((c) => c.event === 'dag_failure')!.error, 'task "plain" failed: told to fail');
  });

  test('a hand mark records the event its new state has, and the run ending again records its own', async () => {
    const run = await triggerDagRun(h.db, 'cb_events', { conf: { fail: true } });
    assert.equal((await h.waitForRunEnd('cb_events', run.runId, 30_000)).state, 'failed');
    await settled('cb_events', run.runId, 7);
    await markTaskInstance(h.services, { dagId: 'cb_events', runId: run.runId, taskId: 'ok', mapIndex: -1 }, 'failed');
    // The mark reopens the run, which then fails again: that ending is an event of its own.
    const callbacks = await settled('cb_events', run.runId, 9);
    assert.deepEqual(callbacks.slice(7).map(brief), [
      ['task_failure', 'ok', -1, 1, 'success', 1],
      ['dag_failure', null, -1, null, 'success', 1],
    ]);
    assert.equal(callbacks[7]!.eventState, 'failed');
  });

  test('a worker killed mid-try: the lost try records task_retry, and its retry marked failed by hand task_failure', async () => {
    await h.stopAllWorkers();
    const { child } = startSluice(['worker', '--concurrency', '2'], h.childEnv());
    try {
      const run = await triggerDagRun(h.db, 'cb_slow', {});
      await h.waitFor('the try to run in the child worker', async () => (await h.taskStates('cb_slow', run.runId)).sleepy === 'running', 30_000);
      child.kill('SIGKILL');
      await h.startWorker();
      const retry = await h.waitFor('task_retry for the lost try', async () => {
        const { callbacks } = await listRunCallbacks(h.db, 'cb_slow', run.runId, 100, 0);
        return callbacks.find((c) => c.event === 'task_retry' && c.state === 'success');
      });
      assert.deepEqual([retry.taskId, retry.tryNumber, retry.eventState], ['sleepy', 1, 'up_for_retry']);
      assert.match(retry.eventError ?? '', /stopped sending heartbeats/);
      await h.waitFor('the second try to run', async () => (await h.taskInstances('cb_slow', run.runId)).sleepy?.tryNumber === 2);
      await markTaskInstance(h.services, { dagId: 'cb_slow', runId: run.runId, taskId: 'sleepy', mapIndex: -1 }, 'failed');
      const callbacks = await settled('cb_slow', run.runId, 3);
      assert.deepEqual(callbacks.map(brief), [
        ['task_retry', 'sleepy', -1, 1, 'success', 1],
        ['task_failure', 'sleepy', -1, 2, 'success', 1],
        ['dag_failure', null, -1, null, 'success', 1],
      ]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a callback that fails twice succeeds on its third try; one that always fails ends failed after 3', async () => {
    const run = await triggerDagRun(h.db, 'cb_flaky', {});
    assert.equal((await h.waitForRunEnd('cb_flaky', run.runId, 30_000)).state, 'success');
    const callbacks = await settled('cb_flaky', run.runId, 2, 40_000);
    const always = callbacks.find((c) => c.event === 'task_success')!;
    assert.deepEqual([always.state, always.tries], ['failed', 3]);
    assert.equal(always.error, 'anonymous function failed: flaky callback, call 3');
    const twice = callbacks.find((c) => c.event === 'dag_success')!;
    assert.deepEqual([twice.state, twice.tries, twice.error], ['success', 3, null]);
    assert.ok(twice.endDate);
    assert.equal((await recorded(run.runId)).length, 1, 'the third try of the dag callback recorded it');
    // Each try's lines are in the log, through the API.
    const log = await (await fetch(`${web.url}/api/v1/dags/cb_flaky/dagRuns/${encodeURIComponent(run.runId)}/callbacks/${twice.id}/log`)).text();
    assert.match(log, /callback try 1 of 3/);
    assert.match(log, /flaky callback, call 2/);
    assert.match(log, /callback try 3 of 3[\s\S]*recording/);
  });

  test('a callback whose worker died holding it runs again once its lease expires', async () => {
    await h.stopAllWorkers();
    const run = await triggerDagRun(h.db, 'cb_events', {});
    // No worker: the tasks wait. Mark one by hand so that its callback is recorded, and claim it
    // as a worker would that then dies (its lease is never extended).
    await markTaskInstance(h.services, { dagId: 'cb_events', runId: run.runId, taskId: 'ok', mapIndex: -1 }, 'success');
    const [recordedCallback] = (await listRunCallbacks(h.db, 'cb_events', run.runId, 10, 0)).callbacks;
    assert.equal(recordedCallback?.event, 'task_success');
    const held = await h.waitFor('the callback claimed by the doomed worker', () => claimCallback(h.db, recordedCallback.id, 'dead-worker', 300));
    assert.equal(held.tries, 1);
    await h.startWorker();
    const [done] = await h.waitFor('the callback to run again', async () => {
      const { callbacks } = await listRunCallbacks(h.db, 'cb_events', run.runId, 10, 0);
      return callbacks[0]?.state === 'success' && callbacks;
    });
    assert.equal(done!.tries, 2);
    const log = await (await fetch(`${web.url}/api/v1/dags/cb_events/dagRuns/${encodeURIComponent(run.runId)}/callbacks/${done!.id}/log`)).text();
    assert.match(log, /try 1: its worker \(dead-worker\) stopped answering/);
    assert.match(log, /callback try 2 of 3/);
    await h.waitForRunEnd('cb_events', run.runId, 30_000);
  });

  test('a worker killed with SIGKILL mid-callback: the callback runs again elsewhere once its lease expires', async () => {
    await h.stopAllWorkers();
    const { child } = startSluice(['worker', '--concurrency', '2'], h.childEnv());
    try {
      const run = await triggerDagRun(h.db, 'cb_hang', {});
      // Killed only once the callback's code has counted its call and hangs: killed between the
      // claim and that count (its code still loading, on a busy machine), the worker left the
      // count at 0, and the next try hung as the first had, until the test timed out.
      await h.waitFor(
        'the callback to hang in the child worker',
        async () =>
          (await listRunCallbacks(h.db, 'cb_hang', run.runId, 10, 0)).callbacks[0]?.state === 'running' &&
          (await readFile(`${recordFile}.run`, 'utf8').catch(() => '')) === '1',
        30_000,
      );
      child.kill('SIGKILL');
      await h.startWorker();
      const [done] = await settled('cb_hang', run.runId, 1);
      assert.deepEqual([done!.event, done!.state, done!.tries], ['dag_success', 'success', 2]);
      assert.equal((await recorded(run.runId)).length, 1);
      const log = await (await fetch(`${web.url}/api/v1/dags/cb_hang/dagRuns/${encodeURIComponent(run.runId)}/callbacks/${done!.id}/log`)).text();
      assert.match(log, /try 1: its worker \(.+\) stopped answering before the callback ended; it will be tried again/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a webhook notifier as a callback posts the event; the API lists the callbacks', async () => {
    const run = await triggerDagRun(h.db, 'cb_webhook', {});
    assert.equal((await h.waitForRunEnd('cb_webhook', run.runId, 30_000)).state, 'failed');
    await settled('cb_webhook', run.runId, 1);
    const request = receiver.requests.find((r) => r.path === '/hook/secret-path')!;
    assert.equal(request.method, 'POST');
    assert.equal(request.headers.authorization, 'Bearer t0k3n');
    const body = JSON.parse(request.body) as Record<string, unknown>;
    assert.deepEqual(
      [body.event, body.dagId, body.runId, body.taskId, body.state, body.error],
      ['dag_failure', 'cb_webhook', run.runId, null, 'failed', 'task "boom" failed: boom'],
    );

    const answer = await fetch(`${web.url}/api/v1/dags/cb_webhook/dagRuns/${encodeURIComponent(run.runId)}/callbacks`);
    assert.equal(answer.status, 200);
    const list = (await answer.json()) as CallbackList;
    assert.equal(list.totalEntries, 1);
    const [one] = list.callbacks;
    assert.deepEqual(Object.keys(one!).sort(), ['createdAt', 'endDate', 'error', 'event', 'id', 'mapIndex', 'state', 'taskId', 'tries']);
    assert.deepEqual([one!.event, one!.taskId, one!.mapIndex, one!.state, one!.tries, one!.error], ['dag_failure', null, -1, 'success', 1, null]);
    assert.ok(!Number.isNaN(Date.parse(one!.createdAt)) && one!.endDate && Date.parse(one!.endDate) >= Date.parse(one!.createdAt));
    assert.equal((await fetch(`${web.url}/api/v1/dags/cb_webhook/dagRuns/nope/callbacks`)).status, 404);
    assert.equal((await fetch(`${web.url}/api/v1/dags/cb_webhook/dagRuns/${encodeURIComponent(run.runId)}/callbacks/999999/log`)).status, 404);
  });
});
