/**
 * Retention for the BullMQ queues: removes finished (completed and failed) jobs older than a
 * cut-off from every pool queue under a prefix. Try messages are added with removeOnComplete and
 * removeOnFail, so such jobs are leftovers (a worker that died between finishing a job and BullMQ
 * removing it, jobs added by hand or by older versions); waiting, active and delayed jobs are live
 * work and are never touched.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { BULL_QUEUE_PREFIX } from './jobs.ts';

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
  redis: Redis,
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
 * The pool queues (one per pool and queue, see bullQueueName) that have any key under the prefix,
 * found with SCAN (never KEYS, which blocks Redis). Queue names are URI-encoded, so the name is
 * the whole key segment after the prefix.
 */
export async function listPoolQueues(redis: Redis, queuePrefix: string): Promise<string[]> {
  const head = `${queuePrefix}:`;
  const names = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(head + BULL_QUEUE_PREFIX)}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) names.add(key.slice(head.length).split(':', 1)[0]!);
  } while (cursor !== '0');
  return [...names].sort();
}

/** SCAN's MATCH is a glob: a prefix with * ? [ ] or \ in it must match only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
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
async function countFinished(redis: Redis, queue: Queue, state: FinishedState, olderThan: Date): Promise<number> {
  return redis.zcount(queue.keys[state]!, '-inf', `(${olderThan.getTime()}`);
}
