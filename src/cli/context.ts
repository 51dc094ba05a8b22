import { loadConfig, type Config } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import { createRedis } from '../queue/redis.ts';
import { TaskQueues } from '../queue/task-queues.ts';
import type { Services } from '../engine/services.ts';
import { createDb } from '../store/db.ts';

export interface CliContext {
  config: Config;
  log: Logger;
}

export function cliContext(): CliContext {
  const config = loadConfig();
  // Command output goes to stdout; our own logs go to stderr so `--json` stays parseable.
  return { config, log: createLogger(config.logLevel, 'sluice') };
}

/** Database and queue connections for one command; `close` releases them. */
export async function withServices<T>(ctx: CliContext, work: (services: Services) => Promise<T>): Promise<T> {
  const db = createDb(ctx.config.databaseUrl, 4);
  const redis = createRedis(ctx.config.redisUrl, 'producer');
  const queues = new TaskQueues(redis, ctx.config.queuePrefix);
  try {
    return await work({ db, queues, log: ctx.log });
  } finally {
    await queues.close().catch(() => undefined);
    redis.disconnect();
    await db.end();
  }
}
