import { createHash } from 'node:crypto';

/** What a BullMQ job says: "run try N of this task instance now". Everything else is in Postgres. */
export interface TryMessage {
  dagId: string;
  runId: string;
  taskId: string;
  /** A mapped task instance's index; -1 for a task that is not mapped (and in messages sent before mapping existed). */
  mapIndex: number;
  tryNumber: number;
}

/**
 * One BullMQ job for several tries of one pool, sent when many become ready at once (see
 * bundleSizeFor): a job costs Redis and the worker about as much as a no-op task's whole
 * bookkeeping in Postgres, so a wide fan-out sent one job per try spent a third of its CPU on them.
 */
export interface TryBundle {
  tries: TryMessage[];
  /**
   * Their tasks' priorityWeight (one bundle holds tries of one weight), for a worker that sends
   * some of them back. Absent from bundles sent before priorities were: those had weight 1.
   */
  priorityWeight?: number;
}

/** A job's data: a single try (the common case, and every message sent before bundles existed) or a bundle. */
export type QueueMessage = TryMessage | TryBundle;

export interface QueuedTry extends TryMessage {
  pool: string;
  /** The task's `queue`: only workers started with it in `--queues` take the try. */
  queue: string;
  priorityWeight: number;
}

/** The queue of a task that names none, and the one a worker serves when given no `--queues`. */
export const DEFAULT_QUEUE = 'default';

/** A pool's tries sent at once are bundled only above this many; fewer go one job per try. */
export const BUNDLE_FROM = 256;
/** The most tries in one bundle. */
export const MAX_BUNDLE = 16;

/**
 * How many tries go in one job when `count` tries of a pool are sent at once: 1 up to BUNDLE_FROM,
 * then enough that there are still at least BUNDLE_FROM jobs (so that many slots, on many workers,
 * get one at once), at most MAX_BUNDLE.
 */
export function bundleSizeFor(count: number, bundleFrom = BUNDLE_FROM): number {
  return Math.max(1, Math.min(MAX_BUNDLE, Math.floor(count / bundleFrom)));
}

/** The tries a job asks for, whichever its shape. */
export function triesOf(message: QueueMessage): TryMessage[] {
  const tries = 'tries' in message ? message.tries : [message];
  // Messages sent before mapped tasks existed have no mapIndex: they were all -1.
  return tries.map((t) => (t.mapIndex === undefined ? { ...t, mapIndex: -1 } : t));
}

/** A try's own fields (a QueuedTry carries more, which a message does not need). */
export function tryMessage(t: TryMessage): TryMessage {
  return { dagId: t.dagId, runId: t.runId, taskId: t.taskId, mapIndex: t.mapIndex, tryNumber: t.tryNumber };
}

/**
 * BullMQ forbids ':' in custom ids (run ids contain ISO times), so the parts are URI-encoded. A
 * mapped instance's index is a part of its own (five parts, where a plain task's id has four, as
 * before mapping existed).
 */
export function jobIdFor(m: TryMessage): string {
  const index = m.mapIndex >= 0 ? [String(m.mapIndex)] : [];
  return [m.dagId, m.runId, m.taskId, ...index, String(m.tryNumber)].map(encodeURIComponent).join('|');
}

/**
 * A bundle's job id: a hash of its tries, so the same bundle sent twice is one job (as a try's
 * id makes a single try's), and two different bundles never share an id (a bundle that reused
 * another's id would be dropped by BullMQ with all its tries).
 */
export function bundleIdFor(tries: TryMessage[]): string {
  const hash = createHash('sha1');
  for (const t of tries) hash.update(jobIdFor(t)).update('\n');
  return `bundle|${hash.digest('hex')}`;
}

/** Every pool queue's name starts with this (bullQueueName). */
export const BULL_QUEUE_PREFIX = 'pool.';

/**
 * One BullMQ queue per pool and queue: a worker listens only to the pairs it serves. The default
 * queue's keeps the name it had before queues routed work (`pool.<pool>`), so tries sent by an
 * older version are still taken; another's is `pool.<pool>@<queue>`. Names are encoded for the same
 * reason as job ids, which also keeps '@' (encoded as %40) out of the pool name: no two pairs share
 * a name. Queues are named through RedisKeys.poolQueue, which on a Redis Cluster makes this name
 * a hash tag.
 */
export function bullQueueName(pool: string, queue: string): string {
  const name = `${BULL_QUEUE_PREFIX}${encodeURIComponent(pool)}`;
  return queue === DEFAULT_QUEUE ? name : `${name}@${encodeURIComponent(queue)}`;
}

/**
 * BullMQ's priority for a try: 1 is taken first and 2,097,151 last, so a higher priorityWeight
 * maps to a lower number, around the middle of the range; weights beyond ±1,048,000 share the end
 * they pass. Every try gets one, the default weight's too: BullMQ takes a job sent without a
 * priority before any job sent with one, so a DAG of default weights would go ahead of a weight 10.
 * Within one priority jobs are taken in the order they were sent.
 */
export function bullPriority(priorityWeight: number): number {
  return Math.min(2_097_151, Math.max(1, 1_048_576 - priorityWeight));
}
