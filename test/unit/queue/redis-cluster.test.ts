import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterOptions } from '../../../src/queue/redis-cluster.ts';

describe('clusterOptions: how each kind of connection meets a failover', () => {
  test('a consumer retries a command through a failover of Redis\'s default length (cluster-node-timeout 15 s and the election)', () => {
    const o = clusterOptions('consumer');
    assert.ok(o.maxRedirections! * o.retryDelayOnFailover! >= 15_000 + 2_000);
    assert.equal(o.retryDelayOnClusterDown, o.retryDelayOnFailover);
    assert.equal(o.enableOfflineQueue, true);
    assert.equal(o.redisOptions?.maxRetriesPerRequest, null, 'BullMQ requires it of blocking connections');
  });
  test('a producer fails fast and never waits in an offline queue, nor for the ready check', () => {
    const o = clusterOptions('producer');
    assert.equal(o.enableOfflineQueue, false);
    assert.equal(o.enableReadyCheck, false);
    assert.equal(o.redisOptions?.maxRetriesPerRequest, 1);
    assert.equal(o.maxRedirections, undefined, "ioredis's default: 16 tries 100 ms apart");
  });
});
