import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { heapGrowthFlag } from '../../../workers/heap.ts';

describe('the worker heap policy', () => {
  test('a growth percent becomes the V8 flag; 0 leaves the heap to V8', () => {
    assert.equal(heapGrowthFlag(30), '--heap-growing-percent=30');
    assert.equal(heapGrowthFlag(0), undefined, "0 leaves the heap to V8's own sizing");
  });
});
