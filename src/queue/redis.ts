import { Redis, type RedisOptions } from 'ioredis';
import { formatDuration } from '../core/durations.ts';
import { redactError, redactSecrets } from '../core/redact.ts';

/**
 * Producers fail fast when Redis is away (Postgres still says "queued", and the scheduler
 * re-sends lost messages); blocking consumers must retry forever (BullMQ requires it).
 */
export function createRedis(url: string, role: 'producer' | 'consumer'): Redis {
  const options: RedisOptions =
    role === 'producer'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true };
  const redis = openRedis(url, options);
  // Connection errors are retried by ioredis and surfaced by health checks, not as crashes.
  redis.on('error', () => undefined);
  return redis;
}

/**
 * ioredis parses the URL at once, and its error for one it cannot parse carries the URL whole
 * (Node's URL error, in `input`): it is redacted in place and wrapped in one that says what to do.
 */
function openRedis(url: string, options: RedisOptions): Redis {
  try {
    return new Redis(url, options);
  } catch (error) {
    throw new Error(
      `SLUICE_REDIS_URL "${redactSecrets(url)}" is not a Redis URL ioredis accepts (${redactError(error).message}); ` +
        'write it like redis://:password@127.0.0.1:6379/0 (percent-encode any of : / ? # @ in the password)',
      { cause: error },
    );
  }
}

/**
 * Resolves once `redis` is connected. A producer connection fails a command sent before then
 * (no offline queue, by design for the long-lived processes); one-shot work that opens its own
 * connection waits here first, for at most `timeoutMs`.
 */
export async function redisReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis did not accept a connection within ${formatDuration(timeoutMs)}; check that it runs and SLUICE_REDIS_URL`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/** Removes every Redis key of one installation (its queue prefix); returns how many. */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const redis = openRedis(url, {});
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
