import { Redis, type RedisOptions } from 'ioredis';

/**
 * Producers fail fast when Redis is away (Postgres still says "queued", and the scheduler
 * re-sends lost messages); blocking consumers must retry forever (BullMQ requires it).
 */
export function createRedis(url: string, role: 'producer' | 'consumer'): Redis {
  const options: RedisOptions =
    role === 'producer'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true };
  const redis = new Redis(url, options);
  // Connection errors are retried by ioredis and surfaced by health checks, not as crashes.
  redis.on('error', () => undefined);
  return redis;
}

/** Removes every Redis key of one installation (its queue prefix); returns how many. */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
