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
