/**
 * A producer connection (no offline queue) refuses commands sent before it is connected; one-shot
 * work such as the metadata cleanup waits for it with redisReady first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedis, redisReady } from '../../src/queue/redis.ts';

const REDIS = { redisUrl: process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0', redisClusterNodes: null };

test('a command sent on a producer connection before it is ready fails; after redisReady it is answered', async () => {
  const early = createRedis(REDIS, 'producer');
  try {
    await assert.rejects(early.ping(), /Stream isn't writeable/);
  } finally {
    early.disconnect();
  }
  const waited = createRedis(REDIS, 'producer');
  try {
    await redisReady(waited);
    assert.equal(await waited.ping(), 'PONG');
    await redisReady(waited); // already ready: resolves at once
  } finally {
    waited.disconnect();
  }
});

test('redisReady gives up after its timeout with what to check', async () => {
  const nowhere = createRedis({ redisUrl: 'redis://127.0.0.1:1/0', redisClusterNodes: null }, 'producer');
  try {
    await assert.rejects(redisReady(nowhere, 300), /Redis did not accept a connection within 300ms; check that it runs and SLUICE_REDIS_URL/);
  } finally {
    nowhere.disconnect();
  }
});
