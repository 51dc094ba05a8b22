/**
 * Every Redis key name Sluice uses is decided here. BullMQ names each key of a queue
 * `<prefix>:<queue name>:<suffix>` (its own keys: wait, active, prioritized, marker, …, and one
 * hash per job, the job id as suffix); Sluice's only key of its own, a queue's bundle index, sits
 * beside them in the same form.
 *
 * On a Redis Cluster, every key one command or Lua script touches must hash to one slot. BullMQ's
 * scripts touch many keys of one queue at once, and keys of two queues only for flows (a child
 * job's end updates its parent in the parent's queue), which Sluice does not use: a try's
 * downstream is made ready in Postgres and sent as a job of its own. So each queue can have a slot
 * of its own, and does: its name is the hash tag (`sluice:{pool.default_pool}:wait`), which spreads
 * the pools' queues over the primaries where one tag in the prefix would put every queue of the
 * installation on one. The bundle index shares its queue's tag, so pipelines and MULTIs that
 * touch a queue's keys and its index stay on one slot.
 *
 * On a single server the names stay untagged (`sluice:pool.default_pool:wait`), as they were
 * before clusters were supported: an existing installation keeps its queued messages.
 */
import type { RedisClient } from './redis.ts';
import { escapeGlob } from './scan-keys.ts';
import { BULL_QUEUE_PREFIX, bullQueueName } from './jobs.ts';

/** Apart from the pools' queues (BULL_QUEUE_PREFIX 'pool.'), so a pool can never be named like it. */
const CALLBACK_QUEUE_NAME = 'callbacks';

/** The key names of one installation (SLUICE_QUEUE_PREFIX) on one Redis or cluster. */
export class RedisKeys {
  constructor(
    /** BullMQ's `prefix` option: SLUICE_QUEUE_PREFIX. */
    readonly prefix: string,
    /** Whether queue names are hash tags (on a cluster). */
    readonly hashTags: boolean,
  ) {}

  /** The BullMQ queue of a pool and queue (bullQueueName). */
  poolQueue(to: { pool: string; queue: string }): string {
    return this.tagged(bullQueueName(to.pool, to.queue));
  }

  /** The BullMQ queue of callback messages. */
  get callbackQueue(): string {
    return this.tagged(CALLBACK_QUEUE_NAME);
  }

  /** A key of a queue: a job's hash (`suffix` its id), or Sluice's own key beside them. */
  queueKey(queueName: string, suffix: string): string {
    return `${this.prefix}:${queueName}:${suffix}`;
  }

  /** A SCAN pattern that matches the keys of every pool queue (and no other). */
  get poolQueuesPattern(): string {
    return `${escapeGlob(`${this.prefix}:${this.hashTags ? '{' : ''}${BULL_QUEUE_PREFIX}`)}*`;
  }

  /** The queue a key found with poolQueuesPattern belongs to. Queue names have no ':' (bullQueueName). */
  queueOfKey(key: string): string {
    return key.slice(this.prefix.length + 1).split(':', 1)[0]!;
  }

  private tagged(name: string): string {
    // bullQueueName encodes '{' and '}' in pool and queue names, so the tag is always the whole name.
    return this.hashTags ? `{${name}}` : name;
  }
}

/** The key names for queues under `prefix` on this connection: hash-tagged when it is a cluster. */
export function keysFor(redis: RedisClient, prefix: string): RedisKeys {
  return new RedisKeys(prefix, redis.isCluster);
}
