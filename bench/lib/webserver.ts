/**
 * The webserver (API and UI) inside the bench process, as `sluice webserver` builds it, against a
 * scenario's database and Redis prefix, on 127.0.0.1 and a free port.
 */
import { startWebserver } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config.ts';
import { createRedis } from '../../src/queue/redis.ts';
import { TaskQueues } from '../../src/queue/task-queues.ts';
import { createDb } from '../../src/store/db.ts';
import type { BenchEnvironment } from './env.ts';

export interface BenchWebserver {
  url: string;
  /** Stops the server and closes its pool and Redis connection; safe to call more than once. */
  close(): Promise<void>;
}

export async function startBenchWebserver(env: BenchEnvironment): Promise<BenchWebserver> {
  // No API token, whatever the shell has: the browser opens the UI without signing in.
  const config = loadConfig(env.childEnv({ SLUICE_API_TOKEN: '' }));
  const db = createDb(config.databaseUrl, 10);
  const redis = createRedis(config.redisUrl, 'producer');
  const services = { db, queues: new TaskQueues(redis, config.queuePrefix), log: env.log };
  const release = async () => {
    await services.queues.close().catch(() => undefined);
    redis.disconnect();
    await db.end();
  };
  let server;
  try {
    server = await startWebserver({ services, redis, config }, { host: '127.0.0.1', port: 0 });
  } catch (error) {
    await release();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    close: () => {
      closing ??= server.close().finally(release);
      return closing;
    },
  };
}
