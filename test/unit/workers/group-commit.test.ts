import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from '../../../workers/group-commit.ts';

/** A write that fails a whole batch if any item in it is "bad", like one row failing a transaction. */
function recordingWrite() {
  const batches: string[][] = [];
  const write = async (items: string[]) => {
    batches.push([...items]);
    await new Promise((r) => setTimeout(r, 5));
    const bad = items.find((i) => i.startsWith('bad'));
    if (bad) throw new Error(`cannot write ${bad}`);
    return items.map((i) => i.toUpperCase());
  };
  return { batches, write };
}

test('items that arrive while a write is in flight are written together by the next one', async () => {
  const { batches, write } = recordingWrite();
  const group = new GroupCommit(write);
  const results = await Promise.all(['a', 'b', 'c', 'd'].map((i) => group.submit(i)));
  assert.deepEqual(results, ['A', 'B', 'C', 'D']);
  assert.deepEqual(batches, [['a'], ['b', 'c', 'd']]);
});

test('a group that fails is written again item by item: only the bad item fails, with its own error', async () => {
  const { batches, write } = recordingWrite();
  const group = new GroupCommit(write);
  const settled = await Promise.allSettled(['a', 'b', 'bad1', 'c', 'bad2', 'd'].map((i) => group.submit(i)));
  assert.deepEqual(
    settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
    ['A', 'B', 'cannot write bad1', 'C', 'cannot write bad2', 'D'],
  );
  // The first item went alone; the group of five failed and each of its items was written alone.
  assert.deepEqual(batches, [['a'], ['b', 'bad1', 'c', 'bad2', 'd'], ['b'], ['bad1'], ['c'], ['bad2'], ['d']]);
});

test('an item that fails alone is not written a second time', async () => {
  const { batches, write } = recordingWrite();
  const group = new GroupCommit(write);
  await assert.rejects(group.submit('bad'), /cannot write bad/);
  assert.deepEqual(batches, [['bad']]);
});

test('a failed group reports the failure once, with its size and error', async () => {
  const { write } = recordingWrite();
  const failures: { size: number; message: string }[] = [];
  const group = new GroupCommit(write, { onGroupFailure: (error, size) => failures.push({ size, message: (error as Error).message }) });
  await Promise.allSettled(['a', 'b', 'bad', 'c'].map((i) => group.submit(i)));
  assert.deepEqual(failures, [{ size: 3, message: 'cannot write bad' }]);
});

test('items submitted while the item-by-item writes run are still written', async () => {
  const { write } = recordingWrite();
  const group = new GroupCommit(write);
  const first = Promise.allSettled(['a', 'b', 'bad', 'c'].map((i) => group.submit(i)));
  // Submitted while the group of three fails and is written one by one (or just after: either way they are written).
  await new Promise((r) => setTimeout(r, 12));
  const late = ['e', 'f'].map((i) => group.submit(i));
  assert.deepEqual(await Promise.all(late), ['E', 'F']);
  assert.deepEqual((await first).map((s) => s.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
});

test('items submitted together are written in the same group, even by an idle writer', async () => {
  const { batches, write } = recordingWrite();
  const group = new GroupCommit(write);
  assert.deepEqual(await Promise.all(group.submitAll(['a', 'b'])), ['A', 'B']);
  const inFlight = group.submit('c');
  const together = group.submitAll(['d', 'e']);
  assert.deepEqual(await Promise.all([inFlight, ...together]), ['C', 'D', 'E']);
  assert.deepEqual(batches, [['a', 'b'], ['c'], ['d', 'e']]);
});
