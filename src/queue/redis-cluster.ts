import type { ClusterOptions } from 'ioredis';
import type { RedisRole } from './redis.ts';

/**
 * How long a consumer's command keeps being retried while a primary fails over: a little more
 * than Redis's default cluster-node-timeout (15 s), after which a replica is promoted.
 */
const CONSUMER_FAILOVER_BUDGET_MS = 20_000;
/** Between two tries of a command whose node went away (ioredis refreshes the slot map first). */
const FAILOVER_RETRY_DELAY_MS = 250;

/**
 * The ioredis Cluster options of a producer or a consumer connection (see createRedis).
 *
 * When a primary dies, ioredis gets "Connection is closed" for the commands it had sent there;
 * it waits retryDelayOnFailover, reads the slot map again, and resends them to whichever node
 * now serves their slot. Until a replica is promoted the map still names the dead primary, so
 * each retry costs one of maxRedirections; retries × delay is how long a failover may take
 * before the command fails.
 *
 * - Consumers (BullMQ workers) ride out a whole failover: a command of theirs that failed would
 *   make BullMQ wait its runRetryDelay before trying again. (maxRetriesPerRequest null, per node:
 *   BullMQ requires it of blocking connections.)
 * - Producers keep ioredis's short default (16 tries 100 ms apart) and no offline queue, as on a
 *   single server: a message they could not send is still "queued" in Postgres, and the
 *   scheduler re-sends it, so the scheduler's loop is never held up for the length of a failover.
 *   Nor do they wait for ioredis's ready check (CLUSTER INFO says cluster_state:ok): between
 *   "connect" and "ready" BullMQ takes a Cluster for connected, sends its version check, and
 *   with no offline queue that is refused, which leaves a Queue made then failing every call
 *   for good. Without the check the connection is ready once it knows the slots, and a command
 *   for a slot no primary serves fails (CLUSTERDOWN) and is re-sent later like any other.
 *
 * No natMap: the nodes must be reachable at the addresses they announce (CLUSTER SLOTS).
 */
export function clusterOptions(role: RedisRole): ClusterOptions {
  if (role === 'producer') {
    return { enableOfflineQueue: false, enableReadyCheck: false, redisOptions: { maxRetriesPerRequest: 1 } };
  }
  return {
    enableOfflineQueue: true,
    retryDelayOnFailover: FAILOVER_RETRY_DELAY_MS,
    retryDelayOnClusterDown: FAILOVER_RETRY_DELAY_MS,
    retryDelayOnTryAgain: FAILOVER_RETRY_DELAY_MS,
    maxRedirections: Math.ceil(CONSUMER_FAILOVER_BUDGET_MS / FAILOVER_RETRY_DELAY_MS),
    redisOptions: { maxRetriesPerRequest: null },
  };
}
