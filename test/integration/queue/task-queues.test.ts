import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { bundleIdFor, jobIdFor, bullQueueName, DEFAULT_QUEUE, triesOf, type QueueMessage } from '../../../src/queue/jobs.ts';
import { createRedis, deleteKeysWithPrefix, redisReady } from '../../../src/queue/redis.ts';
import { TaskQueues, type SendableTry } from '../../../src/queue/task-queues.ts';

const REDIS = { redisUrl: process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0', redisClusterNodes: null };
const tries = (n: number, pool = 'p'): SendableTry[] =>
  Array.from({ length: n }, (_, i) => ({ dagId: 'd', runId: 'manual__2026-01-01T00:00:00+00:00', taskId: `t${i}`, mapIndex: -1, tryNumber: 1, pool, queue: DEFAULT_QUEUE, priorityWeight: 1 }));

describe('TaskQueues: sending tries, bundled when many, and finding the ones Redis lost', () => {
  const prefix = `sluicetest-tq${randomBytes(4).toString('hex')}`;
  const redis = createRedis(REDIS, 'producer');
  const queues = new TaskQueues(redis, prefix, { bundleFrom: 4 });
  const jobsOf = async (pool: string) => {
    const queue = new Queue<QueueMessage>(bullQueueName(pool, DEFAULT_QUEUE), { connection: redis, prefix });
    try {
      return await queue.getJobs(['prioritized'], 0, -1, true);
    } finally {
      await queue.close();
    }
  };
  after(async () => {
    await queues.close();
    redis.disconnect();
    await deleteKeysWithPrefix(REDIS, prefix);
  });

  test('up to the threshold, one job per try, named by the try', async () => {
    await redisReady(redis);
    const sent = tries(4, 'few');
    await queues.enqueue(sent);
    const jobs = await jobsOf('few');
    assert.deepEqual(jobs.map((j) => j.id).sort(), sent.map(jobIdFor).sort());
    assert.deepEqual(await queues.missing(sent.map((t) => ({ ...t, priorityWeight: 1 })), 0), []);
  });

  test('above it, bundles that carry every try once, and none of them counts as lost', async () => {
    const sent = tries(10, 'many');
    await queues.enqueue(sent);
    const jobs = await jobsOf('many');
    // 10 tries from a threshold of 4: bundles of floor(10 / 4) = 2, five of them.
    assert.deepEqual(jobs.map((j) => triesOf(j.data).length), [2, 2, 2, 2, 2]);
    assert.deepEqual(jobs.flatMap((j) => triesOf(j.data)).map((t) => t.taskId).sort(), sent.map((t) => t.taskId).sort());
    for (const j of jobs) if ('tries' in j.data) assert.equal(j.id, bundleIdFor(j.data.tries));
    assert.deepEqual(await queues.missing(sent.map((t) => ({ ...t, priorityWeight: 1 })), 0), []);
  });

  test('a bundle Redis lost, or one a worker took, makes its tries missing; the others stay found', async () => {
    const sent = tries(10, 'lost');
    await queues.enqueue(sent);
    const bundles = (await jobsOf('lost')).filter((j) => 'tries' in j.data);
    const [gone, taken] = bundles;
    await redis.del(`${prefix}:${bullQueueName('lost', DEFAULT_QUEUE)}:${gone!.id}`);
    const queued = sent;
    assert.deepEqual((await queues.missing(queued, 0)).map((t) => t.taskId), triesOf(gone!.data).map((t) => t.taskId));
    // A worker took this one: its entries go from the index (its job goes when it completes).
    await queues.bundleTaken({ pool: 'lost', queue: DEFAULT_QUEUE }, { tries: triesOf(taken!.data) });
    assert.deepEqual(
      (await queues.missing(queued, 0)).map((t) => t.taskId).sort(),
      [...triesOf(gone!.data), ...triesOf(taken!.data)].map((t) => t.taskId).sort(),
    );
  });

  test('the same bundle sent twice is one job; a different one is another', async () => {
    const sent = tries(9, 'twice');
    await queues.enqueue(sent);
    await queues.enqueue(sent);
    const first = await jobsOf('twice');
    await queues.enqueue([...sent.slice(1), ...tries(10, 'twice').slice(9)]);
    const second = await jobsOf('twice');
    assert.equal(first.length, 5, 'bundles of 2: 2 + 2 + 2 + 2 + 1');
    assert.ok(second.length > first.length, 'the different bundles are new jobs, not dropped as duplicates');
  });

  test('a bundle a worker took a while ago counts as lost for its tries still queued (the worker died); one just taken, or waiting, does not', async () => {
    const sent = tries(8, 'taken');
    await queues.enqueue(sent);
    const queued = sent;
    // A worker takes one bundle from the queue (and, as far as Postgres knows, never claims its tries).
    const consumer = createRedis(REDIS, 'consumer');
    const worker = new Worker<QueueMessage>(bullQueueName('taken', DEFAULT_QUEUE), null, { connection: consumer, prefix, autorun: false });
    try {
      const job = await worker.getNextJob('test-token');
      assert.ok(job && 'tries' in job.data, 'the worker took a bundle');
      assert.deepEqual(await queues.missing(queued, 5_000), [], 'taken just now: its worker is about to claim them');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        (await queues.missing(queued, 20)).map((t) => t.taskId).sort(),
        triesOf(job.data).map((t) => t.taskId).sort(),
      );
    } finally {
      await worker.close(true);
      consumer.disconnect();
    }
  });
});

