/**
 * What `sluice dags show` says about a DAG's queued tries: the pools and queues they wait on, and
 * which of those no running worker serves (such tries wait until one is started with the queue).
 */
import { formatCount } from '../core/show-value.ts';
import { createDb } from '../store/db.ts';
import { listQueueStatus, type QueueStatus } from '../store/workers.ts';

/** The DAG's pools and queues with tries queued, read from the metadata database. */
export async function queueWaitsOf(databaseUrl: string, dagId: string): Promise<QueueStatus[]> {
  const db = createDb(databaseUrl, 1);
  try {
    return (await listQueueStatus(db, dagId)).filter((q) => q.queuedTries > 0);
  } finally {
    await db.end();
  }
}

/** One line per pool and queue, the unserved ones saying how to serve them. */
export function describeQueueWaits(waits: QueueStatus[], now = new Date()): string[] {
  return waits.map((q) => {
    const tries = `${formatCount(q.queuedTries)} ${q.queuedTries === 1 ? 'try' : 'tries'}`;
    const since = q.oldestQueuedAt ? `, the oldest queued ${Math.max(0, Math.round((now.getTime() - q.oldestQueuedAt.getTime()) / 1000))}s ago` : '';
    const where = `queue "${q.queue}" (pool ${q.pool})`;
    if (q.workers > 0) return `${tries} on ${where}${since}; ${q.workers} running worker${q.workers === 1 ? '' : 's'} serve${q.workers === 1 ? 's' : ''} it`;
    return `${tries} waiting on ${where}${since}: no running worker serves that queue; start one with \`sluice worker --queues ${q.queue}\``;
  });
}
