import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deleteKeysWithPrefix } from '../../src/queue/redis.ts';
import { Harness } from '../support/harness.ts';
import { startSluice } from '../support/sluice-process.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { setPool } from '../../src/store/pools.ts';
import { listTries } from '../../src/store/task-instance-reads.ts';

const SLOW = `
import { dag } from 'sluice';
const d = dag('slow', {});
d.task('sleepy', { retries: 1, retryDelay: '100ms' }, async (ctx) => {
  if (ctx.tryNumber === 1) await new Promise((r) => setTimeout(r, 60_000));
  return ctx.tryNumber;
});
export default d;
`;

const CHAIN = `
import { dag, chain } from 'sluice';
const d = dag('chain5', {});
chain(...[1, 2, 3, 4, 5].map((i) => d.task('t' + i, async () => { await new Promise((r) => setTimeout(r, 100)); return i; })));
export default d;
`;

/** 600 tries made ready at once: the worker that runs `start` sends them in bundles of 2. */
const WIDE = `
import { dag, chain } from 'sluice';
const d = dag('wide', { maxActiveTasks: 1000 });
const middle = Array.from({ length: 600 }, (_, i) =>
  d.task('m' + i, { retries: 1, retryDelay: '10ms' }, async () => { await new Promise((r) => setTimeout(r, 20)); return i; }));
chain(d.task('start', async () => undefined), middle, d.task('end', async () => undefined));
export default d;
`;

describe('crashes: nothing is lost, nothing stays stuck', () => {
  const h = new Harness({ dags: { 'slow.ts': SLOW, 'chain.ts': CHAIN, 'wide.ts': WIDE } });

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.waitForDag('slow');
    await h.waitForDag('chain5');
    await h.waitForDag('wide');
    await setPool(h.db, 'default_pool', 2000);
  });
  after(() => h.tearDown());

  test('a worker killed with SIGKILL mid-task: its try fails after the heartbeat timeout and is retried', async () => {
    // SIGKILL to the worker process alone, as a crash would end it.
    const { child } = startSluice(['worker', '--concurrency', '2'], h.childEnv());
    try {
      const run = await triggerDagRun(h.db, 'slow', {});
      await h.waitFor('the try to be running in the child worker', async () => (await h.taskStates('slow', run.runId)).sleepy === 'running');
      child.kill('SIGKILL');
      await h.startWorker();
      const ended = await h.waitForRunEnd('slow', run.runId, 30_000);
      assert.equal(ended.state, 'success');
      const tries = await listTries(h.db, 'slow', run.runId, 'sleepy');
      assert.deepEqual(tries.map((t) => [t.tryNumber, t.state]), [[1, 'failed'], [2, 'success']]);
      assert.match(tries[0]!.error ?? '', /stopped sending heartbeats/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a worker killed while holding bundled tries it had not started: they are re-sent within seconds', async () => {
    // Tries a worker took in a bundle and had not claimed are queued in Postgres, and their bundle
    // job is active in Redis (held by the dead worker) until BullMQ's lock expires, 30 s or more.
    // The scheduler takes a taken bundle's still-queued tries for lost and sends them alone.
    await h.stopAllWorkers();
    const { child } = startSluice(['worker', '--concurrency', '4'], h.childEnv());
    try {
      const run = await triggerDagRun(h.db, 'wide', {});
      await h.waitFor('100 tasks to succeed in the child worker', async () =>
        Object.values(await h.taskStates('wide', run.runId)).filter((s) => s === 'success').length >= 100,
      );
      child.kill('SIGKILL');
      await h.startWorker({ concurrency: 8 });
      assert.equal((await h.waitForRunEnd('wide', run.runId, 30_000)).state, 'success');
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('Redis losing every message mid-run: the scheduler re-sends them from Postgres', async () => {
    await h.ensureWorker();
    const run = await triggerDagRun(h.db, 'chain5', {});
    await h.waitFor('t2 to start', async () => ['running', 'success'].includes((await h.taskStates('chain5', run.runId)).t2 ?? ''));
    const deleted = await deleteKeysWithPrefix(h.config, h.config.queuePrefix);
    assert.ok(deleted > 0, "the test should have found queue keys to delete");
    const ended = await h.waitForRunEnd('chain5', run.runId, 30_000);
    assert.equal(ended.state, 'success', JSON.stringify(await h.taskInstances('chain5', run.runId)));
  });

  test('messages lost while no worker runs are re-sent, and the run finishes when a worker comes', async () => {
    await h.stopAllWorkers();
    const run = await triggerDagRun(h.db, 'chain5', { logicalDate: new Date('2026-03-01T00:00:00Z') });
    await h.waitFor('t1 to be queued', async () => (await h.taskStates('chain5', run.runId)).t1 === 'queued');
    await deleteKeysWithPrefix(h.config, h.config.queuePrefix);
    await h.startWorker();
    const ended = await h.waitForRunEnd('chain5', run.runId, 30_000);
    assert.equal(ended.state, 'success');
  });
});
