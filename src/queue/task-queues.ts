import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  BUNDLE_FROM,
  bundleIdFor,
  bundleSizeFor,
  jobIdFor,
  queueNameForPool,
  tryMessage,
  type QueuedTry,
  type QueueMessage,
  type TryBundle,
  type TryMessage,
} from './jobs.ts';

const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true } as const;

/** Jobs per addBulk (see enqueue). */
export const ENQUEUE_CHUNK = 250;

/** What sending a try needs: the try, and its pool's queue. */
export type SendableTry = TryMessage & { pool: string };

export interface TaskQueuesOptions {
  /** A pool's tries sent at once are bundled above this many (default BUNDLE_FROM; tests lower it). */
  bundleFrom?: number;
}

/** The producer side: adds try messages to the queue of their pool. Adding one twice is harmless. */
export class TaskQueues {
  private readonly queues = new Map<string, Queue>();

  private readonly bundleFrom: number;

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    options: TaskQueuesOptions = {},
  ) {
    this.bundleFrom = options.bundleFrom ?? BUNDLE_FROM;
  }

  queueFor(pool: string): Queue {
    let queue = this.queues.get(pool);
    if (!queue) {
      queue = new Queue(queueNameForPool(pool), { connection: this.connection, prefix: this.prefix });
      queue.on('error', () => undefined);
      this.queues.set(pool, queue);
    }
    return queue;
  }

  /**
   * Sends the messages, each pool's in chunks of ENQUEUE_CHUNK jobs, one after the other. addBulk
   * is one MULTI: none of its jobs is visible to a worker before the whole of it has been built,
   * sent and run, which for the 5,000 tries a fan-out's first task admits took 0.7-0.9 s of this
   * process's CPU. In chunks, workers start on the first ones while the rest are being sent.
   * Many tries of one pool go in bundles (bundleSizeFor); each bundled try is noted in the
   * pool's bundle index first, so that `missing` finds it. A chunk that fails loses nothing: the
   * scheduler re-sends what Redis does not have.
   */
  async enqueue(tries: readonly SendableTry[]): Promise<void> {
    const byPool = new Map<string, SendableTry[]>();
    for (const t of tries) {
      const group = byPool.get(t.pool);
      if (group) group.push(t);
      else byPool.set(t.pool, [t]);
    }
    await Promise.all([...byPool].map(([pool, group]) => this.enqueuePool(pool, group)));
  }

  private async enqueuePool(pool: string, tries: SendableTry[]): Promise<void> {
    const queue = this.queueFor(pool);
    const size = bundleSizeFor(tries.length, this.bundleFrom);
    const jobs: { id: string; data: QueueMessage }[] = [];
    for (let i = 0; i < tries.length; i += size) {
      const part = tries.slice(i, i + size).map(tryMessage);
      jobs.push(part.length === 1 ? { id: jobIdFor(part[0]!), data: part[0]! } : { id: bundleIdFor(part), data: { tries: part } });
    }
    for (let i = 0; i < jobs.length; i += ENQUEUE_CHUNK) {
      const chunk = jobs.slice(i, i + ENQUEUE_CHUNK);
      const index = chunk.flatMap((j) => ('tries' in j.data ? j.data.tries.flatMap((t) => [jobIdFor(t), j.id]) : []));
      // Before the jobs: a worker that finishes a bundle removes its entries, which must be there by then.
      if (index.length) await this.connection.hset(this.bundleIndexKey(pool), ...index);
      await queue.addBulk(chunk.map((j) => ({ name: 'tries' in j.data ? 'tries' : 'try', data: j.data, opts: { ...JOB_OPTIONS, jobId: j.id } })));
    }
  }

  /**
   * Which of these tries have no message in Redis (lost to a flush or restart). A job exists while
   * its hash does (jobs are removed on completion), so one pipelined EXISTS per try answers in
   * O(1) each; BullMQ's getJobState would search the waiting list, O(n) per job. A try with no
   * job of its own may be in a bundle: the pool's bundle index names it. Its message is lost if
   * that job is gone, or if a worker has taken it (BullMQ sets `processedOn`): a live worker
   * claims a bundle's tries, or sends back the ones it cannot start, within half a second (see
   * LOCAL_WAIT_MS in workers/worker.ts), so a try still queued long after is with a worker that
   * died (BullMQ would give its bundle to another worker only once the lock expires, 30 s or more).
   * The caller asks only about tries queued for a while (the scheduler: 5 s).
   */
  async missing(tries: QueuedTry[]): Promise<QueuedTry[]> {
    const noJob = await this.withoutJob(tries, (t) => this.jobKey(t.pool, jobIdFor(t)));
    if (noJob.length === 0) return [];
    const index = this.connection.pipeline();
    for (const t of noJob) index.hget(this.bundleIndexKey(t.pool), jobIdFor(t));
    const bundles = answersOf(await index.exec());
    const inBundle = noJob.map((t, i) => ({ t, bundle: bundles[i] as string | null }));
    const unbundled = inBundle.filter((b) => !b.bundle).map((b) => b.t);
    const bundled = inBundle.filter((b) => b.bundle);
    const jobs = this.connection.pipeline();
    for (const b of bundled) jobs.hmget(this.jobKey(b.t.pool, b.bundle!), 'name', 'processedOn');
    const states = answersOf(await jobs.exec()) as [string | null, string | null][];
    const lost = bundled.filter((_, i) => states[i]![0] === null || states[i]![1] !== null);
    return [...unbundled, ...lost.map((b) => b.t)];
  }

  /**
   * A worker has taken every try of a bundle: its index entries go. (Unconditionally: were a try
   * meanwhile in a newer bundle too, `missing` would take it for lost and it would be sent once
   * more, which the claim makes harmless.)
   */
  async bundleTaken(pool: string, bundle: TryBundle): Promise<void> {
    await this.connection.hdel(this.bundleIndexKey(pool), ...bundle.tries.map(jobIdFor));
  }

  private async withoutJob<T>(items: T[], keyOf: (item: T) => string): Promise<T[]> {
    if (items.length === 0) return [];
    const pipeline = this.connection.pipeline();
    for (const item of items) pipeline.exists(keyOf(item));
    const answers = answersOf(await pipeline.exec());
    return items.filter((_, i) => answers[i] === 0);
  }

  private jobKey(pool: string, jobId: string): string {
    return `${this.prefix}:${queueNameForPool(pool)}:${jobId}`;
  }

  /** try job id → the id of the bundle job that carries it. No BullMQ job id can be this name. */
  private bundleIndexKey(pool: string): string {
    return `${this.prefix}:${queueNameForPool(pool)}:sluice-bundled`;
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
