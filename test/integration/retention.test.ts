import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker, type Job } from 'bullmq';
import { Harness } from '../support/harness.ts';
import { bullQueueName, DEFAULT_QUEUE } from '../../src/queue/jobs.ts';
import { createRedis } from '../../src/queue/redis.ts';
import { pruneQueueJobs } from '../../src/queue/retention.ts';
import { triggerDagRun } from '../../src/engine/actions.ts';
import type { Db } from '../../src/store/db.ts';
import { pruneMetadata } from '../../src/store/retention.ts';

const DEMO = `
import { dag, FailTask } from 'sluice';
const d = dag('retention_demo', { params: { fail: false } });
const a = d.task('a', async (ctx) => {
  ctx.log.info({ run: ctx.runId }, 'a says hello');
  return { n: 1 };
});
const b = d.task('b', async (ctx) => {
  const { n } = (await ctx.xcom<{ n: number }>('a'))!;
  ctx.log.info({ n }, 'b got n');
  if (ctx.params.fail) throw new FailTask('asked to fail');
  return n + 1;
});
a.then(b);
export default d;
`;

// A run that stays running: 'first' has finished (its log and XCom are stored), 'wait' runs until stopped.
const HOLD = `
import { dag } from 'sluice';
const d = dag('retention_hold', {});
const first = d.task('first', async (ctx) => {
  ctx.log.info('first is done');
  return 'still needed';
});
const wait = d.task('wait', async (ctx) => {
  ctx.log.info('waiting until stopped');
  await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
});
first.then(wait);
export default d;
`;

const DAY_MS = 86_400_000;

interface RunRef {
  dagId: string;
  runId: string;
}

interface Payload {
  logIds: number[];
  logBytes: number;
  xcomTasks: string[];
}

/** The log rows and XComs a set of runs has now. */
async function payloadOf(db: Db, runs: RunRef[]): Promise<Payload> {
  const dagIds = runs.map((r) => r.dagId);
  const runIds = runs.map((r) => r.runId);
  const match = '(dag_id, run_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))';
  const logs = await db.query<{ id: number; bytes: number }>(
    `SELECT id, octet_length(chunk) AS bytes FROM task_logs WHERE ${match} ORDER BY id`,
    [dagIds, runIds],
  );
  const xcoms = await db.query<{ key: string }>(
    `SELECT run_id || '/' || task_id AS key FROM xcoms WHERE ${match} ORDER BY 1`,
    [dagIds, runIds],
  );
  return {
    logIds: logs.rows.map((r) => r.id),
    logBytes: logs.rows.reduce((sum, r) => sum + r.bytes, 0),
    xcomTasks: xcoms.rows.map((r) => r.key),
  };
}

/** Rows of the run history (runs, task instances, tries), which pruning must keep. */
async function historyOf(db: Db, runs: RunRef[]): Promise<number[]> {
  const params = [runs.map((r) => r.dagId), runs.map((r) => r.runId)];
  const match = '(dag_id, run_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))';
  const counts = [];
  for (const table of ['dag_runs', 'task_instances', 'task_tries']) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${match}`, params);
    counts.push(rows[0]!.n);
  }
  return counts;
}

/** The same pool, counting the DELETE statements sent through it. */
function countingDeletes(db: Db): { db: Db; deletes: () => number } {
  let deletes = 0;
  const proxy = new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver);
      return (...args: unknown[]) => {
        if (typeof args[0] === 'string' && /\bDELETE\b/.test(args[0])) deletes++;
        return Reflect.apply(target.query, target, args);
      };
    },
  });
  return { db: proxy, deletes: () => deletes };
}

describe('retention: pruning the metadata store and the queues', () => {
  const h = new Harness({ dags: { 'retention_demo.ts': DEMO, 'retention_hold.ts': HOLD } });
  const olderThan = new Date(Date.now() - 30 * DAY_MS);
  let oldRuns: RunRef[] = [];
  let recentRuns: RunRef[] = [];
  let holdRun: RunRef;

  before(async () => {
    await h.setUp();
    await h.startScheduler();
    await h.startWorker();
    await h.waitForDag('retention_demo');
    await h.waitForDag('retention_hold');
    const base = Date.now() - 60_000;
    const confs = [{}, { fail: true }, {}, { fail: true }];
    const runs = [];
    for (const [i, conf] of confs.entries()) {
      runs.push(await triggerDagRun(h.db, 'retention_demo', { logicalDate: new Date(base + i * 1000), conf }));
    }
    const ended = await Promise.all(runs.map((r) => h.waitForRunEnd('retention_demo', r.runId)));
    assert.deepEqual(ended.map((r) => r.state), ['success', 'failed', 'success', 'failed']);
    const refs = runs.map((r) => ({ dagId: r.dagId, runId: r.runId }));
    oldRuns = refs.slice(0, 2);
    recentRuns = refs.slice(2);
    // Runs 0 and 1 ended 40 days ago; runs 2 and 3 ended just now.
    await h.db.query(`UPDATE dag_runs SET end_date = now() - interval '40 days' WHERE dag_id = $1 AND run_id = ANY ($2::text[])`, [
      'retention_demo',
      oldRuns.map((r) => r.runId),
    ]);

    // Run ids are made of the logical date: a date of its own keeps them apart from the demo runs'.
    const hold = await triggerDagRun(h.db, 'retention_hold', { logicalDate: new Date(base - 1000) });
    holdRun = { dagId: hold.dagId, runId: hold.runId };
    await h.waitFor('the held run to have a stored XCom and log lines of its running task', async () => {
      const { rows } = await h.db.query<{ logs: number; xcoms: number }>(
        `SELECT (SELECT count(*)::int FROM task_logs WHERE dag_id = 'retention_hold' AND run_id = $1 AND task_id = 'wait') AS logs,
                (SELECT count(*)::int FROM xcoms WHERE dag_id = 'retention_hold' AND run_id = $1) AS xcoms`,
        [hold.runId],
      );
      return rows[0]!.logs > 0 && rows[0]!.xcoms > 0;
    });
    // Old as can be and still running: its age must not matter, only its state.
    await h.db.query(
      `UPDATE dag_runs SET queued_at = now() - interval '90 days', start_date = now() - interval '90 days',
              end_date = now() - interval '60 days' WHERE dag_id = 'retention_hold' AND run_id = $1`,
      [hold.runId],
    );
    const { rows } = await h.db.query<{ state: string }>(`SELECT state FROM dag_runs WHERE dag_id = 'retention_hold' AND run_id = $1`, [hold.runId]);
    assert.equal(rows[0]!.state, 'running');
  });
  after(() => h.tearDown());

  test('a dry run counts the old finished runs’ logs and XComs and removes nothing', async () => {
    const old = await payloadOf(h.db, oldRuns);
    assert.ok(old.logIds.length >= 4, `the old runs have ${old.logIds.length} log rows`);
    assert.deepEqual(old.xcomTasks.length, 3, 'a and b of the successful run, a of the failed one');
    const counting = countingDeletes(h.db);
    const result = await pruneMetadata(counting.db, { olderThan, dryRun: true });
    assert.deepEqual(result, { logs: old.logIds.length, xcoms: 3, logBytes: old.logBytes });
    assert.equal(counting.deletes(), 0);
    assert.deepEqual(await payloadOf(h.db, oldRuns), old);
  });

  test('an aborted prune stops before its first statement', async () => {
    const before = await payloadOf(h.db, oldRuns);
    const controller = new AbortController();
    controller.abort(new Error('the cleanup task was stopped'));
    await assert.rejects(pruneMetadata(h.db, { olderThan, signal: controller.signal }), /the cleanup task was stopped/);
    assert.deepEqual(await payloadOf(h.db, oldRuns), before);
  });

  test('bad options are refused with what to pass instead', async () => {
    await assert.rejects(pruneMetadata(h.db, { olderThan, batchSize: 0 }), /batchSize must be a whole number of rows ≥ 1 \(got 0\)/);
    await assert.rejects(pruneMetadata(h.db, { olderThan: new Date('nope') }), /olderThan must be a valid Date/);
  });

  test('pruning with batchSize 1 removes exactly the old finished runs’ logs and XComs, one row per DELETE', async () => {
    const old = await payloadOf(h.db, oldRuns);
    const recent = await payloadOf(h.db, recentRuns);
    const held = await payloadOf(h.db, [holdRun]);
    const history = await historyOf(h.db, [...oldRuns, ...recentRuns, holdRun]);

    const counting = countingDeletes(h.db);
    const result = await pruneMetadata(counting.db, { olderThan, batchSize: 1 });
    assert.deepEqual(result, { logs: old.logIds.length, xcoms: 3, logBytes: old.logBytes });
    // One DELETE per row, and per table one more that finds nothing left.
    assert.equal(counting.deletes(), old.logIds.length + 3 + 2);

    assert.deepEqual(await payloadOf(h.db, oldRuns), { logIds: [], logBytes: 0, xcomTasks: [] });
    assert.deepEqual(await payloadOf(h.db, recentRuns), recent);
    const heldAfter = await payloadOf(h.db, [holdRun]);
    // The running task may have flushed more lines meanwhile; none of what it had may be gone.
    assert.deepEqual(heldAfter.logIds.filter((id) => held.logIds.includes(id)), held.logIds);
    assert.deepEqual(heldAfter.xcomTasks, held.xcomTasks);
    assert.deepEqual(await historyOf(h.db, [...oldRuns, ...recentRuns, holdRun]), history, 'runs, task instances and tries stay');

    assert.deepEqual(await pruneMetadata(h.db, { olderThan }), { logs: 0, xcoms: 0, logBytes: 0 }, 'a second prune finds nothing');
  });

  test('the walk over runs pages correctly past runs it must keep', async () => {
    // 1,300 finished runs (more than two pages of 500): every third one recent, the rest 40 days old.
    await h.db.query(
      `INSERT INTO dag_runs (dag_id, run_id, run_type, state, logical_date, data_interval_start, data_interval_end, version_hash, end_date)
       SELECT 'zz_synthetic', 'manual__' || lpad(i::text, 5, '0'), 'manual', CASE WHEN i % 2 = 0 THEN 'success' ELSE 'failed' END,
              ts, ts, ts, 'synthetic', CASE WHEN i % 3 = 0 THEN now() ELSE now() - interval '40 days' END
         FROM generate_series(1, 1300) i, LATERAL (SELECT timestamptz '2001-01-01' + i * interval '1 hour' AS ts) x`,
    );
    await h.db.query(
      `INSERT INTO task_logs (dag_id, run_id, task_id, try_number, chunk, start_offset, end_offset)
       SELECT dag_id, run_id, 't' || c, 1, repeat('x', c), 0, c FROM dag_runs, generate_series(1, 2) c WHERE dag_id = 'zz_synthetic'`,
    );
    await h.db.query(
      `INSERT INTO xcoms (dag_id, run_id, task_id, value) SELECT dag_id, run_id, 't1', '1' FROM dag_runs WHERE dag_id = 'zz_synthetic'`,
    );
    const expiredRuns = 1300 - Math.floor(1300 / 3);
    const dry = await pruneMetadata(h.db, { olderThan, dryRun: true });
    assert.deepEqual(dry, { logs: 2 * expiredRuns, xcoms: expiredRuns, logBytes: 3 * expiredRuns });
    assert.deepEqual(await pruneMetadata(h.db, { olderThan, batchSize: 64 }), dry);
    const { rows } = await h.db.query<{ logs: number; xcoms: number; wrong: number }>(
      `SELECT (SELECT count(*)::int FROM task_logs WHERE dag_id = 'zz_synthetic') AS logs,
              (SELECT count(*)::int FROM xcoms WHERE dag_id = 'zz_synthetic') AS xcoms,
              (SELECT count(*)::int FROM task_logs l JOIN dag_runs r USING (dag_id, run_id)
                WHERE r.dag_id = 'zz_synthetic' AND r.end_date < $1) AS wrong`,
      [olderThan],
    );
    assert.deepEqual(rows[0], { logs: 2 * (1300 - expiredRuns), xcoms: 1300 - expiredRuns, wrong: 0 });
  });

  test('queue pruning removes completed and failed jobs by age from the pool queues only', async () => {
    const prefix = h.config.queuePrefix;
    // Pools no worker of this test listens on, so nothing takes their jobs.
    const nameA = bullQueueName('retention_a', DEFAULT_QUEUE);
    const nameB = bullQueueName('retention b', DEFAULT_QUEUE);
    const queues = [nameA, nameB, 'not-a-pool'].map((name) => new Queue(name, { connection: h.redis, prefix }));
    const consumer = createRedis(h.config, 'consumer');
    const workers = queues.map((q) => new Worker(q.name, null, { connection: consumer, prefix }));
    const [a, b, other] = queues as [Queue, Queue, Queue];
    const [workerA, workerB, workerOther] = workers as [Worker, Worker, Worker];
    try {
      // Job ids count from 1 in every queue, so a job is known by its queue and id.
      const finish = async (queue: Queue, worker: Worker, outcome: 'completed' | 'failed'): Promise<[Queue, string]> => {
        const added = await queue.add('try', { outcome });
        const job = (await worker.getNextJob('test-token')) as Job | undefined;
        assert.equal(job?.id, added.id, 'the job just added is the only one waiting');
        if (outcome === 'completed') await job!.moveToCompleted('done', 'test-token', false);
        else await job!.moveToFailed(new Error('failed on purpose'), 'test-token', false);
        return [queue, added.id!];
      };
      const oldIds = [
        await finish(a, workerA, 'completed'),
        await finish(a, workerA, 'completed'),
        await finish(a, workerA, 'failed'),
        await finish(b, workerB, 'failed'),
      ];
      await finish(other, workerOther, 'completed');
      await sleep(50);
      const cutoff = new Date();
      await sleep(50);
      const keptIds = [await finish(a, workerA, 'completed'), await finish(b, workerB, 'completed'), await finish(b, workerB, 'failed')];
      const waiting = await a.add('try', { outcome: 'waits' });
      const delayed = await a.add('try', { outcome: 'later' }, { delay: 3_600_000 });
      const active = await b.add('try', { outcome: 'taken' });
      assert.equal((await workerB.getNextJob('test-token'))?.id, active.id);
      const countsBefore = await Promise.all(queues.map((q) => q.getJobCounts('completed', 'failed', 'wait', 'delayed', 'active')));

      const dry = await pruneQueueJobs(h.redis, prefix, { olderThan: cutoff, dryRun: true });
      assert.equal(dry.removed, 4);
      assert.ok(dry.queues.includes(nameA) && dry.queues.includes(nameB), `found ${dry.queues.join(', ')}`);
      assert.ok(!dry.queues.includes('not-a-pool'), 'only pool queues are Sluice’s');
      assert.deepEqual(dry.queues, [...dry.queues].sort());
      assert.deepEqual(await Promise.all(queues.map((q) => q.getJobCounts('completed', 'failed', 'wait', 'delayed', 'active'))), countsBefore);

      const result = await pruneQueueJobs(h.redis, prefix, { olderThan: cutoff });
      assert.deepEqual(result, { removed: 4, queues: dry.queues });
      assert.deepEqual(await a.getJobCounts('completed', 'failed', 'wait', 'delayed', 'active'), {
        completed: 1, failed: 0, wait: 1, delayed: 1, active: 0,
      });
      assert.deepEqual(await b.getJobCounts('completed', 'failed', 'wait', 'delayed', 'active'), {
        completed: 1, failed: 1, wait: 0, delayed: 0, active: 1,
      });
      assert.equal((await other.getJobCounts('completed')).completed, 1, 'a queue that is not a pool queue is left alone');
      for (const [queue, id] of oldIds) assert.equal(await queue.getJob(id), undefined, `old job ${id} of ${queue.name} is gone`);
      const live: [Queue, string][] = [[a, waiting.id!], [a, delayed.id!], [b, active.id!]];
      for (const [queue, id] of [...keptIds, ...live]) assert.ok(await queue.getJob(id), `job ${id} of ${queue.name} stays`);
      assert.equal((await pruneQueueJobs(h.redis, prefix, { olderThan: cutoff })).removed, 0);
    } finally {
      await Promise.all(workers.map((w) => w.close(true)));
      await Promise.all(queues.map((q) => q.close()));
      consumer.disconnect();
      // The harness removes every key under the prefix in tearDown.
    }
  });
});
