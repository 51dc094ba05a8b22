import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalTries, type LocalTry } from '../../../workers/local-tries.ts';

const t = (taskId: string): LocalTry => ({ dagId: 'd', runId: 'r', taskId, mapIndex: -1, tryNumber: 1, pool: 'default_pool', queue: 'default', priorityWeight: 1 });

describe('LocalTries', () => {
  test('gives tries back oldest first, once each', () => {
    const local = new LocalTries();
    local.add([t('a'), t('b')], 1000);
    local.add([t('c')], 2000);
    assert.equal(local.size, 3);
    assert.deepEqual([local.take(), local.take(), local.take(), local.take()].map((x) => x?.taskId), ['a', 'b', 'c', undefined]);
    assert.equal(local.size, 0);
  });

  test('gives the highest priorityWeight first, the oldest first among equal weights; a try put back goes before all', () => {
    const local = new LocalTries();
    const w = (taskId: string, priorityWeight: number): LocalTry => ({ ...t(taskId), priorityWeight });
    local.add([w('low', 1), w('high', 50), w('mid', 10), w('high2', 50)], 1000);
    local.putBack(w('back', 1), 1001);
    assert.deepEqual(
      [local.take(), local.take(), local.take(), local.take(), local.take()].map((x) => x?.taskId),
      ['back', 'high', 'high2', 'mid', 'low'],
    );
  });

  test('takeOlderThan removes exactly the tries that waited that long, and leaves the rest in order', () => {
    const local = new LocalTries();
    local.add([t('a'), t('b')], 1000);
    local.add([t('c'), t('d')], 1600);
    assert.deepEqual(local.takeOlderThan(500, 1499), []);
    assert.deepEqual(local.takeOlderThan(500, 1500).map((x) => x.taskId), ['a', 'b']);
    assert.deepEqual(local.takeOlderThan(500, 1500), [], 'taken once');
    assert.equal(local.take()?.taskId, 'c');
    assert.deepEqual(local.takeAll().map((x) => x.taskId), ['d']);
    assert.equal(local.size, 0);
  });

  test('putBack puts a try ahead of the others, and it waits from then on', () => {
    const local = new LocalTries();
    local.add([t('a'), t('b')], 1000);
    local.putBack(t('kept'), 1400);
    assert.equal(local.take()?.taskId, 'kept');
    local.putBack(t('again'), 1400);
    assert.deepEqual(local.takeOlderThan(500, 1500).map((x) => x.taskId), ['a', 'b'], 'a try put back waits from when it was put back');
    assert.deepEqual(local.takeAll().map((x) => x.taskId), ['again']);
  });
});
