import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RedisKeys } from '../../../src/queue/keys.ts';

describe('RedisKeys: every key name, hash-tagged per queue on a cluster', () => {
  test('on a single server the names are those of before clusters (an installation keeps its queues)', () => {
    const keys = new RedisKeys('sluice', false);
    assert.equal(keys.poolQueue({ pool: 'default_pool', queue: 'default' }), 'pool.default_pool');
    assert.equal(keys.poolQueue({ pool: 'etl', queue: 'gpu' }), 'pool.etl@gpu');
    assert.equal(keys.callbackQueue, 'callbacks');
    assert.equal(keys.queueKey(keys.poolQueue({ pool: 'default_pool', queue: 'default' }), 'sluice-bundled'), 'sluice:pool.default_pool:sluice-bundled');
    assert.equal(keys.poolQueuesPattern, 'sluice:pool.*');
  });
  test('on a cluster each queue name is its hash tag, so its keys and the bundle index share one slot', () => {
    const keys = new RedisKeys('sluice', true);
    const name = keys.poolQueue({ pool: 'default_pool', queue: 'default' });
    assert.equal(name, '{pool.default_pool}');
    assert.equal(keys.callbackQueue, '{callbacks}');
    assert.equal(keys.queueKey(name, 'wait'), 'sluice:{pool.default_pool}:wait');
    assert.equal(keys.queueOfKey('sluice:{pool.default_pool}:sluice-bundled'), '{pool.default_pool}');
    assert.equal(keys.poolQueuesPattern, 'sluice:{pool.*');
  });
  test('a pool or queue name with braces cannot change the tag: they are encoded', () => {
    const keys = new RedisKeys('sluice', true);
    assert.equal(keys.poolQueue({ pool: 'a}b', queue: '{x}' }), '{pool.a%7Db@%7Bx%7D}');
  });
});
