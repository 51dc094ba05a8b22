import { Queue } from 'bullmq';
import {
  BUNDLE_FROM,
  bundleIdFor,
  bundleSizeFor,
  jobIdFor,
  bullPriority,
  tryMessage,
  type QueuedTry,
  type QueueMessage,
  type TryBundle,
  type TryMessage,
} from './jobs.ts';
import { keysFor, type RedisKeys } from './keys.ts';
import type { RedisClient } from './redis.ts';

const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true } as const;

/** Jobs per addBulk (see enqueue). */
export const ENQUEUE_CHUNK = 250;

/** What sending a try needs: the try, the pool and queue whose BullMQ queue it goes to, and its priority. */
export type SendableTry = TryMessage & { pool: string; queue: string; priorityWeight: number };

/** Where a try is sent: a pool and queue (a BullMQ queue, RedisKeys.poolQueue). */
export interface Destination {
  pool: string;
  queue: string;
}

export interface TaskQueuesOptions {
  /** A pool's tries sent at once are bundled above this many (default BUNDLE_FROM; tests lower it). */
  bundleFrom?: number;
}

/**
 * The producer side: adds try messages to the BullMQ queue of their pool and queue, with their
 * priority (bullPriority). Adding one twice is harmless.
 */
export class TaskQueues {
  private readonly queues = new Map<string, Queue>();

  private readonly bundleFrom: number;

  private readonly keys: RedisKeys;

  constructor(
    private readonly connection: RedisClient,
    prefix: string,
    options: TaskQueuesOptions = {},
  ) {
    this.bundleFrom = options.bundleFrom ?? BUNDLE_FROM;
    this.keys = keysFor(connection, prefix);
  }

  queueFor(to: Destination): Queue {
    const name = this.keys.poolQueue(to);
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.keys.prefix });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Sends the messages, each pool and queue's in chunks of ENQUEUE_CHUNK jobs, one after the other. addBulk
   * is one MULTI: none of its jobs is visible to a worker before the whole of it has been built,
   * sent and run, which for the 5,000 tries a fan-out's first task admits took 0.7-0.9 s of this
   * process's CPU. In chunks, workers start on the first ones while the rest are being sent.
   * Many tries of one pool, queue and priority go in bundles (bundleSizeFor), each job with the
   * priority of its tries; each bundled try is noted in the queue's bundle index first, so that
   * `missing` finds it. A chunk that fails loses nothing: the scheduler re-sends what Redis does
   * not have.
   */
  async enqueue(tries: readonly SendableTry[]): Promise<void> {
    const groups = new Map<string, SendableTry[]>();
    for (const t of tries) {
      const key = `${this.keys.poolQueue(t)}\u0000${t.priorityWeight}`;
      const group = groups.get(key);
      if (group) group.push(t);
      else groups.set(key, [t]);
    }
    await Promise.all([...groups.values()].map((group) => this.enqueueGroup(group)));
  }

  /** Sends tries of one pool, queue and priority weight. */
  private async enqueueGroup(tries: SendableTry[]): Promise<void> {
    const to = tries[0]!;
    const queue = this.queueFor(to);
    const priority = bullPriority(to.priorityWeight);
    const size = bundleSizeFor(tries.length, this.bundleFrom);
    const jobs: { id: string; data: QueueMessage }[] = [];
    for (let i = 0; i < tries.length; i += size) {
      const part = tries.slice(i, i + size).map(tryMessage);
      jobs.push(
        part.length === 1
          ? { id: jobIdFor(part[0]!), data: part[0]! }
          : { id: bundleIdFor(part), data: { tries: part, priorityWeight: to.priorityWeight } },
      );
    }
    for (let i = 0; i < jobs.length; i += ENQUEUE_CHUNK) {
      const chunk = jobs.slice(i, i + ENQUEUE_CHUNK);
      const index = chunk.flatMap((j) => ('tries' in j.data ? j.data.tries.flatMap((t) => [jobIdFor(t), j.id]) : []));
      // Before the jobs: a worker that finishes a bundle removes its entries, which must be there by then.
      if (index.length) await this.connection.hset(this.bundleIndexKey(queue.name), ...index);
      await queue.addBulk(
        chunk.map((j) => ({ name: 'tries' in j.data ? 'tries' : 'try', data: j.data, opts: { ...JOB_OPTIONS, jobId: j.id, priority } })),
      );
    }
  }

  /**
   * Which of these tries have no message in Redis (lost to a flush or restart). A job exists while
   * its hash does (jobs are removed on completion), so one pipelined EXISTS per try answers in
   * O(1) each; BullMQ's getJobState would search the waiting list, O(n) per job. A try with no
   * job of its own may be in a bundle: its queue's bundle index names it. Its message is lost if
   * that job is gone, or if a worker took it (BullMQ's `processedOn`) more than `takenMs` ago: a
   * live worker claims a bundle's tries, or sends back the ones it cannot start, within half a
   * second (see LOCAL_WAIT_MS in workers/worker.ts), so a try still queued long after is with a
   * worker that died (BullMQ would give its bundle to another worker only once the lock expires,
   * 30 s or more). A bundle taken just now is not lost, however long its tries were queued before:
   * counting those had the scheduler re-send hundreds of tries of a busy fan-out that a live
   * worker was about to claim. The caller asks only about tries queued for a while (the
   * scheduler: 5 s, and the same for `takenMs`).
   */
  async missing(tries: QueuedTry[], takenMs: number): Promise<QueuedTry[]> {
    // One pipeline per queue: on a cluster a pipeline may only touch one node's slots, and all
    // the keys of a queue (its jobs, its bundle index) share one slot (RedisKeys).
    const byQueue = new Map<string, QueuedTry[]>();
    for (const t of tries) {
      const name = this.keys.poolQueue(t);
      const group = byQueue.get(name);
      if (group) group.push(t);
      else byQueue.set(name, [t]);
    }
    const lost = await Promise.all([...byQueue].map(([name, group]) => this.missingOf(name, group, takenMs)));
    return lost.flat();
  }

  /** `missing`, for tries of one queue. */
  private async missingOf(queueName: string, tries: QueuedTry[], takenMs: number): Promise<QueuedTry[]> {
    const exists = this.connection.pipeline();
    for (const t of tries) exists.exists(this.keys.queueKey(queueName, jobIdFor(t)));
    const found = answersOf(await exists.exec());
    const noJob = tries.filter((_, i) => found[i] === 0);
    if (noJob.length === 0) return [];
    const index = this.connection.pipeline();
    for (const t of noJob) index.hget(this.bundleIndexKey(queueName), jobIdFor(t));
    const bundles = answersOf(await index.exec());
    const inBundle = noJob.map((t, i) => ({ t, bundle: bundles[i] as string | null }));
    const unbundled = inBundle.filter((b) => !b.bundle).map((b) => b.t);
    const bundled = inBundle.filter((b) => b.bundle);
    const jobs = this.connection.pipeline();
    for (const b of bundled) jobs.hmget(this.keys.queueKey(queueName, b.bundle!), 'name', 'processedOn');
    const states = answersOf(await jobs.exec()) as [string | null, string | null][];
    const takenBefore = Date.now() - takenMs;
    const lost = bundled.filter((_, i) => states[i]![0] === null || (states[i]![1] !== null && Number(states[i]![1]) < takenBefore));
    return [...unbundled, ...lost.map((b) => b.t)];
  }

  /**
   * A worker has taken every try of a bundle: its index entries go. (Unconditionally: were a try
   * meanwhile in a newer bundle too, `missing` would take it for lost and it would be sent once
   * more, which the claim makes harmless.)
   */
  async bundleTaken(from: Destination, bundle: TryBundle): Promise<void> {
    await this.connection.hdel(this.bundleIndexKey(this.keys.poolQueue(from)), ...bundle.tries.map(jobIdFor));
  }

  /** try job id → the id of the bundle job that carries it. No BullMQ job id can be this name. */
  private bundleIndexKey(queueName: string): string {
    return this.keys.queueKey(queueName, 'sluice-bundled');
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

/** A pipeline's replies, each checked: an error in any of them is thrown. */
function answersOf(results: [Error | null, unknown][] | null): unknown[] {
  return (results ?? []).map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
