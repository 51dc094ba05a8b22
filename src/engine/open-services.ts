/**
 * The connections a Sluice process schedules through, opened in one place: a Postgres pool, a
 * Redis producer connection, the task queues that send on it, and the log. The scheduler, the
 * webserver, the CLI's one-shot commands and the test harness all open them here, and all shut
 * them down through the one `close`.
 */
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { closeRedis, createRedis, type RedisClient } from '../queue/redis.ts';
import { TaskQueues } from '../queue/task-queues.ts';
import { createDb } from '../store/db.ts';
import type { Services } from './services.ts';

export interface OpenServicesOptions {
  /**
   * Postgres connections the pool may hold at once (default 10): a one-shot CLI command needs a
   * few, the scheduler's steps run one at a time, a webserver serves requests in parallel.
   */
  poolSize?: number;
  /** Bundles of tries from this many of a pool sent at once (TaskQueuesOptions; tests lower it). */
  bundleFrom?: number;
}

export interface OpenedServices {
  services: Services;
  /** The producer connection the queues send on: the webserver asks it whether Redis serves, for /health. */
  redis: RedisClient;
  /**
   * Closes the queues, then the Redis connection, then the pool (waiting for the clients still
   * checked out). Safe to call more than once: later calls get the first call's promise.
   */
  close(): Promise<void>;
}

export function openServices(config: Config, log: Logger, options: OpenServicesOptions = {}): OpenedServices {
  // The pool connects on first use; the Redis connection at once, and a bad URL throws here.
  const db = createDb(config.databaseUrl, options.poolSize ?? 10);
  let redis: RedisClient;
  try {
    redis = createRedis(config, 'producer');
  } catch (error) {
    void db.end();
    throw error;
  }
  const queues = new TaskQueues(redis, config.queuePrefix, { bundleFrom: options.bundleFrom });
  let closing: Promise<void> | undefined;
  const shutDown = async () => {
    try {
      // Before their connection goes: BullMQ's close waits for the commands the queues have in
      // flight. A failure (Redis already away) loses nothing that matters at this point: a try
      // whose message was not sent is still queued in Postgres, and the scheduler re-sends it.
      await queues.close().catch((err) => log.debug({ err }, 'task queues did not close cleanly'));
    } finally {
      await closeRedis(redis);
      await db.end();
    }
  };
  return {
    services: { db, queues, log },
    redis,
    close: () => (closing ??= shutDown()),
  };
}
