/**
 * What `sluice dags show` says about a DAG's queued tries: the pools and queues they wait on, and
 * which of those no running worker serves (such tries wait until one is started with the queue).
 */
import { redactSecrets } from '../core/redact.ts';
import { formatCount } from '../core/show-value.ts';
import { withTimeout } from '../core/with-timeout.ts';
import { createDb } from '../store/db.ts';
import { listQueueStatus, type QueueStatus } from '../store/workers.ts';

/** How long `dags show` waits for the metadata database before it shows the DAG without them. */
const READ_TIMEOUT_MS = 3_000;

/**
 * The DAG's pools and queues with tries queued, read from the metadata database; undefined, with
 * a line on stderr saying why, when it cannot be read within READ_TIMEOUT_MS (no database is
 * needed to show a DAG's file).
 */
export async function queueWaitsOf(databaseUrl: string, dagId: string): Promise<QueueStatus[] | undefined> {
  const db = createDb(databaseUrl, 1);
  try {
    return (await withTimeout(listQueueStatus(db, dagId), READ_TIMEOUT_MS, 'the metadata database')).filter((q) => q.queuedTries > 0);
  } catch (error) {
    console.error(`(the queues its tries wait on are not shown: the metadata database could not be read: ${redactSecrets((error as Error).message)})`);
    return undefined;
  } finally {
    // Not awaited: a connection still being attempted would hold the command up.
    void db.end().catch(() => undefined);
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
