import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config.ts';
import { formatDuration } from '../core/durations.ts';
import { redactError, redactSecrets } from '../core/redact.ts';
import { clusterOptions } from './redis-cluster.ts';
import { scanKeys } from './scan-keys.ts';

/** A connection to Sluice's Redis: one server (SLUICE_REDIS_URL) or a Redis Cluster (SLUICE_REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

/** Where Redis is: the part of the configuration that says it. */
export type RedisTarget = Pick<Config, 'redisUrl' | 'redisClusterNodes'>;

/** What a connection is for (see createRedis). */
export type RedisRole = 'producer' | 'consumer';

/**
 * Every Redis connection Sluice opens is made here: a Cluster when SLUICE_REDIS_CLUSTER_NODES is
 * set (it wins over SLUICE_REDIS_URL), the single server of SLUICE_REDIS_URL otherwise.
 * Producers fail fast when Redis is away (Postgres still says "queued", and the scheduler
 * re-sends lost messages); blocking consumers must retry forever (BullMQ requires it).
 */
export function createRedis(target: RedisTarget, role: RedisRole): RedisClient {
  const redis = target.redisClusterNodes
    ? new Cluster(target.redisClusterNodes, clusterOptions(role))
    : openRedis(
        target.redisUrl,
        role === 'producer'
          ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false }
          : { maxRetriesPerRequest: null, enableOfflineQueue: true },
      );
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

/** The variable to check when `redis` cannot be reached. */
function variableOf(redis: RedisClient): string {
  return redis instanceof Cluster ? 'SLUICE_REDIS_CLUSTER_NODES' : 'SLUICE_REDIS_URL';
}

/**
 * Resolves once `redis` is connected. A producer connection fails a command sent before then
 * (no offline queue, by design for the long-lived processes); one-shot work that opens its own
 * connection waits here first, for at most `timeoutMs`. (A cluster is ready once it has read
 * which primary serves each slot.)
 */
export async function redisReady(redis: RedisClient, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis did not accept a connection within ${formatDuration(timeoutMs)}; check that it runs and ${variableOf(redis)}`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/**
 * Whether Redis serves Sluice: a single server answers PING; a cluster must also serve every slot
 * (`cluster_state:ok`), since a queue whose slot has no primary takes no message.
 */
export async function redisServes(redis: RedisClient): Promise<boolean> {
  if (redis instanceof Cluster) return /^cluster_state:ok\b/m.test(await redis.cluster('INFO'));
  return (await redis.ping()) === 'PONG';
}

/**
 * Closes `redis` without lingering. ioredis's disconnect() of a connection still being made (status
 * 'connecting', or 'connect' before the server has answered the ready check) ends the socket but
 * then waits its disconnectTimeout, 2 s, before destroying it, and that timer keeps the process
 * alive: a one-shot `sluice` command that never needed Redis (most of them) and finished within
 * a few milliseconds would exit 2 s late. So a connection being made is let finish first, or fail
 * (Redis away: it then waits to reconnect, which disconnect() cancels at once), for at most
 * `waitMs`; a ready or failed connection is closed at once, as before.
 */
export async function closeRedis(redis: RedisClient, waitMs = 1_000): Promise<void> {
  if (redis.status === 'connecting' || redis.status === 'connect') {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const event of ['ready', 'close', 'end']) redis.off(event, done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      for (const event of ['ready', 'close', 'end']) redis.once(event, done);
    });
  }
  redis.disconnect();
}

/** Removes every Redis key of one installation (its queue prefix); returns how many. */
export async function deleteKeysWithPrefix(target: RedisTarget, prefix: string): Promise<number> {
  const redis = createRedis(target, 'producer');
  let deleted = 0;
  try {
    await redisReady(redis);
    // One DEL per key, on the node that holds it: on a cluster, a DEL of several keys must name
    // keys of one slot only, and the keys of one SCAN batch are of many.
    for await (const { node, keys } of scanKeys(redis, `${prefix}:*`)) {
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.del(key);
      for (const [error, count] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        deleted += count as number;
      }
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}
