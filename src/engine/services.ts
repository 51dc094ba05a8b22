import type { Logger } from '../log.ts';
import type { QueuedTry } from '../queue/jobs.ts';
import type { TaskQueues } from '../queue/task-queues.ts';
import type { Db } from '../store/db.ts';
import { analyzeTaskInstancesIfStale } from '../store/statistics.ts';

/** What the scheduling code needs from the outside world, handed in by whoever runs it. */
export interface Services {
  db: Db;
  queues: TaskQueues;
  log: Logger;
}

const BURST = 500;

/**
 * Sends try messages after their transaction committed. A failure here loses nothing: Postgres
 * says the tries are queued, and the scheduler re-sends messages that Redis does not have.
 */
export async function dispatch(services: Services, tries: QueuedTry[]): Promise<void> {
  if (tries.length === 0) return;
  // A burst this size just changed thousands of rows: refresh the planner's view now, not in a minute.
  if (tries.length >= BURST) void analyzeTaskInstancesIfStale(services.db).catch(() => undefined);
  try {
    await services.queues.enqueue(tries);
  } catch (error) {
    services.log.warn({ err: error, tries: tries.length }, 'could not send try messages to Redis; the scheduler will re-send them');
  }
}

/** The channel schedulers LISTEN on. */
export const WAKE_CHANNEL = 'sluice_scheduler';

/** Wakes the schedulers now instead of at their next loop (a new run, a cleared task). */
export async function wakeSchedulers(db: Db): Promise<void> {
  await db.query(`NOTIFY ${WAKE_CHANNEL}`);
}
