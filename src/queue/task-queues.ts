import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobIdFor, queueNameForPool, type QueuedTry, type TryMessage } from './jobs.ts';

const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true } as const;

/** Messages per addBulk (see enqueue). */
export const ENQUEUE_CHUNK = 250;

/** The producer side: adds try messages to the queue of their pool. Adding one twice is harmless. */
export class TaskQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

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
   * Sends the messages, each pool's in chunks of ENQUEUE_CHUNK, one after the other. addBulk is
   * one MULTI: none of its jobs is visible to a worker before the whole of it has been built,
   * sent and run, which for the 5,000 tries a fan-out's first task admits took 0.7-0.9 s of this
   * process's CPU. In chunks, workers start on the first ones while the rest are being sent.
   * A chunk that fails loses nothing: the scheduler re-sends what Redis does not have.
   */
  async enqueue(tries: QueuedTry[]): Promise<void> {
    const byPool = new Map<string, QueuedTry[]>();
    for (const t of tries) {
      const group = byPool.get(t.pool);
      if (group) group.push(t);
      else byPool.set(t.pool, [t]);
    }
    await Promise.all(
      [...byPool].map(async ([pool, group]) => {
        const queue = this.queueFor(pool);
        for (let i = 0; i < group.length; i += ENQUEUE_CHUNK) {
          await queue.addBulk(
            group.slice(i, i + ENQUEUE_CHUNK).map((t) => {
              const data: TryMessage = { dagId: t.dagId, runId: t.runId, taskId: t.taskId, tryNumber: t.tryNumber };
              return { name: 'try', data, opts: { ...JOB_OPTIONS, jobId: jobIdFor(t) } };
            }),
          );
        }
      }),
    );
  }

  /**
   * Which of these tries have no message in Redis (lost to a flush or restart). A job exists while
   * its hash does (jobs are removed on completion), so one pipelined EXISTS per try answers in
   * O(1) each; BullMQ's getJobState would search the waiting list, O(n) per job.
   */
  async missing(tries: QueuedTry[]): Promise<QueuedTry[]> {
    if (tries.length === 0) return [];
    const pipeline = this.connection.pipeline();
    for (const t of tries) pipeline.exists(`${this.prefix}:${queueNameForPool(t.pool)}:${jobIdFor(t)}`);
    const answers = (await pipeline.exec()) ?? [];
    return tries.filter((_, i) => {
      const [error, exists] = answers[i] ?? [null, 1];
      if (error) throw error;
      return exists === 0;
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
