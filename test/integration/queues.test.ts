import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Webserver } from '../../src/api/server.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import type { QueueStatusList, WorkerList } from '../../src/api/schemas/index.ts';
import { sluice } from '../support/cli.ts';
import { Harness } from '../support/harness.ts';

/** A task on the default queue and one on 'gpu', each running long enough to be seen running. */
const ROUTED = `
import { dag } from 'sluice';
const d = dag('routed', {});
const nap = () => new Promise((r) => setTimeout(r, 1500));
d.task('on_default', async () => { await nap(); return 'default'; });
d.task('on_gpu', { queue: 'gpu' }, async () => { await nap(); return 'gpu'; });
export default d;
`;

const WAITS = `
import { dag } from 'sluice';
const d = dag('waits', {});
d.task('late', { queue: 'etl_heavy' }, async () => 'ran');
export default d;
`;

/** Three tasks on queue 'ordered', of the given weight; each records nothing but its start. */
const weighted = (dagId: string, weight: number) => `
import { dag } from 'sluice';
const d = dag('${dagId}', {});
for (const t of ['a', 'b', 'c']) {
  d.task(t, { queue: 'ordered', priorityWeight: ${weight} }, async () => { await new Promise((r) => setTimeout(r, 30)); });
}
export default d;
`;

describe('queues: routing to the workers that serve them, tries no worker serves, priority across DAGs', () => {
  const h = new Harness({
    dags: { 'routed.ts': ROUTED, 'waits.ts': WAITS, 'prio_low.ts': weighted('prio_low', 1), 'prio_high.ts': weighted('prio_high', 50) },
  });
  let web: Webserver;
  const get = async <T>(path: string): Promise<T> => {
    const reply = await fetch(web.url + path);
    assert.equal(reply.status, 200, `${path} answered ${reply.status}`);
    return (await reply.json()) as T;
  };

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    for (const id of ['routed', 'waits', 'prio_low', 'prio_high']) await h.waitForDag(id);
    web = await h.startWebserver();
  });
  after(async () => {
    await h.tearDown();
  });

  test('each try runs on a worker that serves its queue', async () => {
    const cpu = await h.startWorker({ concurrency: 4 });
    const gpu = await h.startWorker({ concurrency: 4, queues: ['gpu'] });
    const run = await triggerDagRun(h.db, 'routed', {});
    const workers = await h.waitFor('both tasks to run', async () => {
      const { rows } = await h.db.query<{ task_id: string; worker_id: string }>(
        `SELECT task_id, worker_id FROM task_instances WHERE dag_id = 'routed' AND run_id = $1 AND state = 'running'`,
        [run.runId],
      );
      return rows.length === 2 && Object.fromEntries(rows.map((r) => [r.task_id, r.worker_id]));
    });
    assert.deepEqual(workers, { on_default: cpu.id, on_gpu: gpu.id });
    assert.equal((await h.waitForRunEnd('routed', run.runId)).state, 'success');

    const { workers: listed } = await get<WorkerList>('/api/v1/workers');
    assert.deepEqual(
      listed.map((w) => [w.workerId, w.queues, w.pools]).sort(),
      [[cpu.id, ['default'], null], [gpu.id, ['gpu'], null]].sort(),
    );
    await h.stopAllWorkers();
    assert.deepEqual((await get<WorkerList>('/api/v1/workers')).workers, [], 'a worker that stopped is no longer listed');
  });

  test('a try on a queue no worker serves waits, and the API, /metrics and `dags show` say so; a worker for it runs it', async () => {
    await h.startWorker({ concurrency: 2 });
    const run = await triggerDagRun(h.db, 'waits', {});
    await h.waitFor('late to be queued', async () => (await h.taskStates('waits', run.runId)).late === 'queued');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await h.taskStates('waits', run.runId)).late, 'queued', 'the default-queue worker took a try of queue etl_heavy');

    const { queues } = await get<QueueStatusList>('/api/v1/queues?dagId=waits');
    assert.deepEqual(
      queues.map(({ pool, queue, queuedTries, workers }) => ({ pool, queue, queuedTries, workers })),
      [{ pool: 'default_pool', queue: 'etl_heavy', queuedTries: 1, workers: 0 }],
    );
    assert.ok(queues[0]!.oldestQueuedAt, 'the waiting try says since when');
    const metrics = await (await fetch(`${web.url}/metrics`)).text();
    assert.match(metrics, /^sluice_queue_workers\{pool="default_pool",queue="etl_heavy"\} 0$/m);
    assert.match(metrics, /^sluice_queue_tries_queued\{pool="default_pool",queue="etl_heavy"\} 1$/m);
    assert.match(metrics, /^sluice_task_instances_queued_unserved 1$/m);
    assert.match(metrics, /^sluice_workers 1$/m);

    const shown = await sluice(['dags', 'show', 'waits'], h.childEnv());
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /1 try waiting on queue "etl_heavy" \(pool default_pool\), the oldest queued \d+s ago: no running worker serves that queue; start one with `sluice worker --queues etl_heavy`/);

    await h.startWorker({ concurrency: 2, queues: ['etl_heavy', 'default'] });
    assert.equal((await h.waitForRunEnd('waits', run.runId)).state, 'success');
    assert.deepEqual((await get<QueueStatusList>('/api/v1/queues?dagId=waits')).queues, []);
    await h.stopAllWorkers();
  });

  test('within a pool and queue, the higher priorityWeight starts first whatever its DAG, even queued later', async () => {
    // Nobody serves 'ordered' yet: all six tries wait in its queue, the low DAG's sent first.
    const low = await triggerDagRun(h.db, 'prio_low', {});
    await h.waitFor("prio_low's tries to be queued", async () => Object.values(await h.taskStates('prio_low', low.runId)).every((s) => s === 'queued'));
    const high = await triggerDagRun(h.db, 'prio_high', {});
    await h.waitFor("prio_high's tries to be queued", async () => Object.values(await h.taskStates('prio_high', high.runId)).every((s) => s === 'queued'));
    await h.startWorker({ concurrency: 1, queues: ['ordered'] });
    await h.waitForRunEnd('prio_low', low.runId);
    await h.waitForRunEnd('prio_high', high.runId);
    const { rows } = await h.db.query<{ dag_id: string }>(
      `SELECT dag_id FROM task_tries WHERE dag_id IN ('prio_low', 'prio_high') ORDER BY start_date`,
    );
    assert.deepEqual(rows.map((r) => r.dag_id), ['prio_high', 'prio_high', 'prio_high', 'prio_low', 'prio_low', 'prio_low']);
    await h.stopAllWorkers();
  });

  test('`sluice worker --queues` with no queue named is a usage error', async () => {
    const result = await sluice(['worker', '--queues', ' , '], h.childEnv());
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--queues needs at least one name, separated by commas \(like --queues default,gpu\)/);
  });
});
