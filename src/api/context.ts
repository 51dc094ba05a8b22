import type { Config } from '../config.ts';
import type { Services } from '../engine/services.ts';
import type { RedisClient } from '../queue/redis.ts';

/** What the webserver is handed by whoever runs it. */
export interface ApiDeps {
  services: Services;
  /** Only asked whether it serves (redisServes), for /health. */
  redis: RedisClient;
  config: Config;
}

/** Pages of a list already in memory (the store returns these lists whole). */
export function page<T>(items: T[], q: { limit?: number; offset?: number }, defaultLimit = 100): T[] {
  const offset = q.offset ?? 0;
  return items.slice(offset, offset + (q.limit ?? defaultLimit));
}
