/**
 * worker_heartbeats and what is read from it: the live workers, and each pool and queue's tries
 * with the workers that serve them (a pool list narrows a worker's reach; a stale row serves nothing).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  listLiveWorkers,
  listQueueStatus,
  recordWorkerHeartbeat,
  registerWorker,
  removeWorkerHeartbeat,
  WORKER_ALIVE_MS,
} from '../../../src/store/workers.ts';
import { dagSpec, taskSpec } from '../../support/specs.ts';
import { openStoreDb, putTaskInState, seedRunningRun, type StoreDb } from '../../support/store-db.ts';

describe('store: worker heartbeats and the queues they serve', () => {
  let s: StoreDb;
  const served = async () => Object.fromEntries((await listQueueStatus(s.db)).map((q) => [`${q.pool}/${q.queue}`, [q.queuedTries, q.runningTries, q.workers]]));

  before(async () => {
    s = await openStoreDb('workers');
    const spec = dagSpec('routed', []);
    spec.tasks = [
      taskSpec('a', { queue: 'default' }),
      taskSpec('b', { queue: 'gpu' }),
      taskSpec('c', { queue: 'gpu', pool: 'big' }),
      taskSpec('d', { queue: 'gpu', pool: 'big' }),
    ];
    const run = await seedRunningRun(s.db, spec);
    for (const taskId of ['a', 'b', 'c']) await putTaskInState(s.db, { ...run, taskId }, 'queued');
    await putTaskInState(s.db, { ...run, taskId: 'd' }, 'running');
  });
  after(() => s.close());

  test('with no worker, every pool and queue with tries queued or running has none serving it', async () => {
    assert.deepEqual(await served(), { 'big/gpu': [1, 1, 0], 'default_pool/default': [1, 0, 0], 'default_pool/gpu': [1, 0, 0] });
  });

  test("a worker serves its queues in every pool, or only in the pools it lists", async () => {
    await registerWorker(s.db, { workerId: 'w-all', hostname: 'h', pools: null, queues: ['default'], concurrency: 2 });
    await registerWorker(s.db, { workerId: 'w-big', hostname: 'h', pools: ['big'], queues: ['gpu', 'default'], concurrency: 2 });
    assert.deepEqual(await served(), { 'big/gpu': [1, 1, 1], 'default_pool/default': [1, 0, 1], 'default_pool/gpu': [1, 0, 0] });
    assert.deepEqual((await listLiveWorkers(s.db)).map((w) => w.workerId).sort(), ['w-all', 'w-big']);
    assert.deepEqual(
      (await listQueueStatus(s.db, 'routed')).map((q) => q.queue),
      ['gpu', 'default', 'gpu'],
      "one DAG's: the same pairs, by pool then queue",
    );
    assert.deepEqual(await listQueueStatus(s.db, 'another_dag'), []);
  });

  test('a worker unheard of for WORKER_ALIVE_MS serves nothing; a heartbeat brings it back, removal ends it', async () => {
    await s.db.query(`UPDATE worker_heartbeats SET latest_heartbeat = now() - $1 * interval '1 millisecond' WHERE worker_id = 'w-big'`, [WORKER_ALIVE_MS + 1000]);
    assert.deepEqual((await served())['big/gpu'], [1, 1, 0]);
    assert.deepEqual((await listLiveWorkers(s.db)).map((w) => w.workerId), ['w-all']);
    await recordWorkerHeartbeat(s.db, { workerId: 'w-big', hostname: 'h', pools: ['big'], queues: ['gpu'], concurrency: 2 });
    assert.deepEqual((await served())['big/gpu'], [1, 1, 1]);
    await removeWorkerHeartbeat(s.db, 'w-big');
    await removeWorkerHeartbeat(s.db, 'w-all');
    assert.deepEqual(await listLiveWorkers(s.db), []);
    // A heartbeat from a worker whose row is gone writes it again.
    await recordWorkerHeartbeat(s.db, { workerId: 'w-back', hostname: 'h', pools: null, queues: ['gpu'], concurrency: 1 });
    assert.deepEqual((await served())['default_pool/gpu'], [1, 0, 1]);
  });
});
