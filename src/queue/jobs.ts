import { createHash } from 'node:crypto';

/** What a BullMQ job says: "run try N of this task instance now". Everything else is in Postgres. */
export interface TryMessage {
  dagId: string;
  runId: string;
  taskId: string;
  tryNumber: number;
}

/**
 * One BullMQ job for several tries of one pool, sent when many become ready at once (see
 * bundleSizeFor): a job costs Redis and the worker about as much as a no-op task's whole
 * bookkeeping in Postgres, so a wide fan-out sent one job per try spent a third of its CPU on them.
 */
export interface TryBundle {
  tries: TryMessage[];
}

/** A job's data: a single try (the common case, and every message sent before bundles existed) or a bundle. */
export type QueueMessage = TryMessage | TryBundle;

export interface QueuedTry extends TryMessage {
  pool: string;
  priorityWeight: number;
}

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
  return 'tries' in message ? message.tries : [message];
}

/** A try's own fields (a QueuedTry carries more, which a message does not need). */
export function tryMessage(t: TryMessage): TryMessage {
  return { dagId: t.dagId, runId: t.runId, taskId: t.taskId, tryNumber: t.tryNumber };
}

/** BullMQ forbids ':' in custom ids (run ids contain ISO times), so the parts are URI-encoded. */
export function jobIdFor(m: TryMessage): string {
  return [m.dagId, m.runId, m.taskId, String(m.tryNumber)].map(encodeURIComponent).join('|');
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

/** One BullMQ queue per pool; names are encoded for the same reason as job ids. */
export function queueNameForPool(pool: string): string {
  return `pool.${encodeURIComponent(pool)}`;
}
