import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BUNDLE_FROM, MAX_BUNDLE, bundleIdFor, bundleSizeFor, bullPriority, bullQueueName, DEFAULT_QUEUE, jobIdFor, triesOf } from '../../../src/queue/jobs.ts';

const m = { dagId: 'd', runId: 'manual__2026-01-01T00:00:00.000Z', taskId: 't.1', mapIndex: -1, tryNumber: 2 };

describe('job ids and queue names', () => {
  test('are deterministic, distinct per try, and free of ":" (BullMQ forbids it)', () => {
    assert.equal(jobIdFor(m), jobIdFor({ ...m }));
    assert.notEqual(jobIdFor(m), jobIdFor({ ...m, tryNumber: 3 }));
    assert.ok(!jobIdFor(m).includes(':'));
    assert.ok(!bullQueueName('a:b', DEFAULT_QUEUE).includes(':'));
    assert.ok(!bullQueueName('a', 'b:c').includes(':'));
  });

  test("one BullMQ queue per pool and queue: the default queue's keeps the pool's old name, and no two pairs share one", () => {
    assert.equal(bullQueueName('default_pool', DEFAULT_QUEUE), 'pool.default_pool');
    assert.equal(bullQueueName('default_pool', 'gpu'), 'pool.default_pool@gpu');
    // '@' in a name is encoded, so a pool named like another pair cannot collide with it.
    assert.notEqual(bullQueueName('a@b', DEFAULT_QUEUE), bullQueueName('a', 'b'));
    assert.notEqual(bullQueueName('a', 'b@c'), bullQueueName('a@b', 'c'));
  });

  test('a higher priorityWeight is a BullMQ priority taken sooner, within BullMQ\'s range', () => {
    assert.ok(bullPriority(50) < bullPriority(1));
    assert.ok(bullPriority(1) < bullPriority(-5));
    assert.equal(bullPriority(10_000_000), 1);
    assert.equal(bullPriority(-10_000_000), 2_097_151);
  });

  test("a bundle's id depends on exactly its tries, and is no try's id", () => {
    const other = { ...m, taskId: 't.2' };
    assert.equal(bundleIdFor([m, other]), bundleIdFor([{ ...m }, { ...other }]));
    assert.notEqual(bundleIdFor([m, other]), bundleIdFor([m]));
    assert.notEqual(bundleIdFor([m, other]), bundleIdFor([m, { ...other, tryNumber: 3 }]));
    assert.ok(!bundleIdFor([m]).includes(':'));
    assert.notEqual(bundleIdFor([m]), jobIdFor(m));
  });
});

describe('bundles', () => {
  test('one try per job up to the threshold; above it, at least as many jobs as the threshold, at most MAX_BUNDLE tries each', () => {
    assert.equal(bundleSizeFor(1), 1);
    assert.equal(bundleSizeFor(BUNDLE_FROM), 1);
    assert.equal(bundleSizeFor(BUNDLE_FROM + 1), 1);
    assert.equal(bundleSizeFor(2 * BUNDLE_FROM), 2);
    assert.equal(bundleSizeFor(5000), Math.min(MAX_BUNDLE, Math.floor(5000 / BUNDLE_FROM)));
    assert.equal(bundleSizeFor(1_000_000), MAX_BUNDLE);
    for (const n of [257, 600, 2000, 4096, 5000]) assert.ok(Math.ceil(n / bundleSizeFor(n)) >= BUNDLE_FROM, `${n} tries make at least ${BUNDLE_FROM} jobs`);
    assert.equal(bundleSizeFor(10, 4), 2);
  });

  test('triesOf reads either shape of message', () => {
    assert.deepEqual(triesOf(m), [m]);
    assert.deepEqual(triesOf({ tries: [m, m] }), [m, m]);
  });
});
