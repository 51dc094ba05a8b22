/**
 * Retention for the BullMQ queues: removes finished (completed and failed) jobs older than a
 * cut-off from every pool queue under a prefix. Try messages are added with removeOnComplete and
 * removeOnFail, so such jobs are leftovers (a worker that died between finishing a job and BullMQ
 * removing it, jobs added by hand or by older versions); waiting, active and delayed jobs are live
 * work and are never touched.
 */
import { Queue } from 'bullmq';
import { keysFor } from './keys.ts';
import type { RedisClient } from './redis.ts';
import { scanKeys } from './scan-keys.ts';

export interface PruneQueueJobsOptions {
  /** Completed and failed jobs that finished before this are removed. */
  olderThan: Date;
  /** Count what would be removed, remove nothing. */
  dryRun?: boolean;
}

export interface PruneQueueJobsResult {
  /** Jobs removed (or, with dryRun, that would be). */
  removed: number;
  /** The pool queues found under the prefix, sorted by name. */
  queues: string[];
}

const FINISHED_STATES = ['completed', 'failed'] as const;
type FinishedState = (typeof FINISHED_STATES)[number];

/**
 * Jobs per Queue.clean call. Each call is one Lua script, and Redis serves nobody else while it
 * runs: small calls keep the live queues responsive while thousands of leftovers go.
 */
const CLEAN_BATCH = 1_000;

export async function pruneQueueJobs(
  redis: RedisClient,
  queuePrefix: string,
  options: PruneQueueJobsOptions,
): Promise<PruneQueueJobsResult> {
  const olderThan = checkedCutoff(options.olderThan);
  const queues = await listPoolQueues(redis, queuePrefix);
  let removed = 0;
  for (const name of queues) {
    const queue = new Queue(name, { connection: redis, prefix: queuePrefix });
    // Connection trouble surfaces as the rejected call below; the event must not crash the process.
    queue.on('error', () => undefined);
    try {
      for (const state of FINISHED_STATES) {
        removed += options.dryRun ? await countFinished(redis, queue, state, olderThan) : await cleanFinished(queue, state, olderThan);
      }
    } finally {
      // The connection is the caller's: BullMQ leaves a connection it was handed open.
      await queue.close();
    }
  }
  return { removed, queues };
}

function checkedCutoff(olderThan: Date): Date {
  if (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime())) {
    throw new RangeError(`pruneQueueJobs: olderThan must be a valid Date (got ${String(olderThan)}), e.g. new Date(Date.now() - 7 * 86_400_000)`);
  }
  return olderThan;
}

/**
 * The pool queues (one per pool and queue, see RedisKeys.poolQueue) that have any key under the
 * prefix, found with SCAN (on every primary of a cluster).
 */
export async function listPoolQueues(redis: RedisClient, queuePrefix: string): Promise<string[]> {
  const keys = keysFor(redis, queuePrefix);
  const names = new Set<string>();
  for await (const batch of scanKeys(redis, keys.poolQueuesPattern)) {
    for (const key of batch.keys) names.add(keys.queueOfKey(key));
  }
  return [...names].sort();
}

/**
 * Removes the queue's jobs in `state` that finished before `olderThan`, CLEAN_BATCH per call until
 * a call finds fewer. Queue.clean(grace, limit, type) takes an age relative to its own clock, so
 * the grace is worked out again before every call; the cut-off can only move later by the
 * milliseconds between that and BullMQ's Date.now().
 */
async function cleanFinished(queue: Queue, state: FinishedState, olderThan: Date): Promise<number> {
  let removed = 0;
  for (;;) {
    const ids = await queue.clean(Date.now() - olderThan.getTime(), CLEAN_BATCH, state);
    removed += ids.length;
    if (ids.length < CLEAN_BATCH) return removed;
  }
}

/** What cleanFinished would remove: finished sets are sorted sets scored by finishedOn. */
async function countFinished(redis: RedisClient, queue: Queue, state: FinishedState, olderThan: Date): Promise<number> {
  return redis.zcount(queue.keys[state]!, '-inf', `(${olderThan.getTime()}`);
}
