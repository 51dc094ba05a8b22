import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../support/harness.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import { bullQueueName, DEFAULT_QUEUE } from '../../src/queue/jobs.ts';
import { setPool } from '../../src/store/pools.ts';
import { listQueuedTriesOlderThan } from '../../src/store/task-instances.ts';

const WIDTH = 300;

/** Sent in bundles of 6 by the worker that runs `start` (its workers bundle from 50 tries). */
const WIDE = `
import { dag, chain } from 'sluice';
const d = dag('wide', { maxActiveTasks: ${WIDTH} });
const middle = Array.from({ length: ${WIDTH} }, (_, i) => d.task('m' + i, async () => i));
chain(d.task('start', async () => undefined), middle, d.task('end', async () => undefined));
export default d;
`;

/** Four slow tasks made ready at once by `start`: sent as one bundle by a worker that bundles from 1. */
const slow = (dagId: string, ms: number) => `
import { dag } from 'sluice';
const d = dag('${dagId}', {});
const start = d.task('start', async () => undefined);
for (let i = 0; i < 4; i++) start.then(d.task('s' + i, async () => { await new Promise((r) => setTimeout(r, ${ms})); }));
export default d;
`;

/** Six tries made ready at once by `start` (a bundle, for a worker that bundles from 1), each with a task of its own after it. */
const PAIRS = `
import { dag } from 'sluice';
const d = dag('pairs', {});
const start = d.task('start', async () => undefined);
for (let i = 0; i < 6; i++) start.then(d.task('s' + i, async () => undefined)).then(d.task('d' + i, async () => undefined));
export default d;
`;

describe('bundled tries: many tries sent as few jobs, each run once, none kept waiting behind busy slots', () => {
  const h = new Harness({
    dags: {
      'wide.ts': WIDE,
      'slow.ts': slow('slow_bundle', 1500),
      'stop.ts': slow('stop_bundle', 300),
      'pairs.ts': PAIRS,
      'released.ts': slow('released', 800),
    },
  });

  before(async () => {
    await h.setUp();
    await setPool(h.db, 'default_pool', 1000);
    await h.startScheduler();
    for (const id of ['wide', 'slow_bundle', 'stop_bundle', 'pairs', 'released']) await h.waitForDag(id);
  });
  after(() => h.tearDown());

  test('a fan-out sent in bundles runs every task exactly once, in its first try, on both workers', async () => {
    await h.startWorker({ concurrency: 8, bundleFrom: 50 });
    await h.startWorker({ concurrency: 8, bundleFrom: 50 });
    const run = await triggerDagRun(h.db, 'wide', {});
    assert.equal((await h.waitForRunEnd('wide', run.runId, 60_000)).state, 'success');
    const { rows } = await h.db.query<{ task_id: string; try_number: number; state: string; hostname: string }>(
      `SELECT task_id, try_number, state, hostname FROM task_tries WHERE dag_id = 'wide' AND run_id = $1`,
      [run.runId],
    );
    assert.equal(rows.length, WIDTH + 2, 'one try per task');
    assert.deepEqual(new Set(rows.map((r) => `${r.try_number}:${r.state}`)), new Set(['1:success']));
    const { rows: xcoms } = await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM xcoms WHERE dag_id = 'wide' AND run_id = $1`, [run.runId]);
    assert.equal(Number(xcoms[0]!.n), WIDTH, 'every middle task returned its value');
    // Every bundle was taken, so none is left in the index that says which job carries a try
    // (a bundle's entries go when the slot that took it has no more tries to run).
    const index = `${h.config.queuePrefix}:${bullQueueName('default_pool', DEFAULT_QUEUE)}:sluice-bundled`;
    await h.waitFor('the bundle index to empty', async () => (await h.redis.hlen(index)) === 0);
  });

  test('bundled tries that wait behind a busy slot go back to Redis, and idle slots run them at once', async () => {
    // One bundle of four 1.5 s tasks reaches one slot of this worker; its other three slots wait
    // on Redis. Without the hand-back the four would run one after the other in that slot.
    await h.stopAllWorkers();
    await h.startWorker({ concurrency: 4, bundleFrom: 1, localWaitMs: 100 });
    const run = await triggerDagRun(h.db, 'slow_bundle', {});
    assert.equal((await h.waitForRunEnd('slow_bundle', run.runId, 30_000)).state, 'success');
    assert.ok((await h.maxConcurrentTries('slow_bundle')) >= 3, 'the four slow tasks overlapped');
    const { rows } = await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM task_tries WHERE dag_id = 'slow_bundle' AND try_number > 1`);
    assert.equal(Number(rows[0]!.n), 0, 'no task ran a second try');
  });

  test('a stopping worker sends back the bundled tries it had not started, so another worker runs them at once', async () => {
    // One slot, and no hand-back while running: tries of the bundle wait in the worker until it
    // stops. Sent back then, each has a message in Redis right away (the scheduler would re-send
    // them only after 5 s).
    await h.stopAllWorkers();
    const worker = await h.startWorker({ concurrency: 1, bundleFrom: 1, localWaitMs: 60_000 });
    const run = await triggerDagRun(h.db, 'stop_bundle', {});
    // `start`'s slot runs one of the four itself; the other three go as one bundle, which the slot
    // takes when that one ends: running its first, holding two.
    await h.waitFor('a task of the bundle to run', async () => {
      const states = Object.entries(await h.taskStates('stop_bundle', run.runId)).filter(([task]) => task !== 'start');
      return states.some(([, s]) => s === 'success') && states.some(([, s]) => s === 'running');
    });
    await h.stopWorker(worker);
    const queued = (await listQueuedTriesOlderThan(h.db, 0)).filter((t) => t.dagId === 'stop_bundle');
    assert.equal(queued.length, 2, 'two tries of the bundle were left queued when the worker stopped');
    assert.deepEqual(await h.services.queues.missing(queued, 0), [], 'each has a message in Redis');
    await h.startWorker({ concurrency: 4 });
    assert.equal((await h.waitForRunEnd('stop_bundle', run.runId, 30_000)).state, 'success');
    const { rows } = await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM task_tries WHERE dag_id = 'stop_bundle' AND try_number > 1`);
    assert.equal(Number(rows[0]!.n), 0, 'no task ran a second try');
  });

  test('tries an end makes ready on a worker with idle slots go to those slots at once, not behind the slot that ended', async () => {
    // `start` releases four 0.8 s tasks (one job each: no bundling). Its slot keeps one; were the
    // others kept too, they would wait behind it here (no hand-back within the test's time).
    await h.stopAllWorkers();
    await h.startWorker({ concurrency: 4, localWaitMs: 60_000 });
    const run = await triggerDagRun(h.db, 'released', {});
    assert.equal((await h.waitForRunEnd('released', run.runId, 30_000)).state, 'success');
    assert.ok((await h.maxConcurrentTries('released')) >= 3, 'the four released tasks overlapped');
  });

  test("a slot claims its next bundled try in the same write as its try's end; a task that end made ready waits its turn", async () => {
    // One slot: `start` keeps s0 for itself and sends s1..s5 as one bundle. From then on each end
    // (of s1, say) also claims the slot's next try, and the d task it made ready waits here for
    // the slot after that one: every task still runs exactly once.
    await h.stopAllWorkers();
    await h.startWorker({ concurrency: 1, bundleFrom: 1 });
    const run = await triggerDagRun(h.db, 'pairs', {});
    assert.equal((await h.waitForRunEnd('pairs', run.runId, 30_000)).state, 'success');
    const { rows } = await h.db.query<{ task_id: string; try_number: number; state: string; start_date: Date; end_date: Date }>(
      `SELECT task_id, try_number, state, start_date, end_date FROM task_tries WHERE dag_id = 'pairs' AND run_id = $1 ORDER BY start_date`,
      [run.runId],
    );
    assert.equal(rows.length, 13, 'one try per task');
    assert.deepEqual(new Set(rows.map((r) => `${r.try_number}:${r.state}`)), new Set(['1:success']));
    // Claimed in the transaction that recorded the previous end (the claim is written first),
    // a try starts before the try the slot ran just before it ended.
    const claimedWithAnEnd = rows.slice(1).filter((r, i) => r.start_date.getTime() <= rows[i]!.end_date.getTime());
    assert.ok(claimedWithAnEnd.length >= 5, `tries claimed along with an end: ${claimedWithAnEnd.map((r) => r.task_id).join(', ')}`);
  });
});
