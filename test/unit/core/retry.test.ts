import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelayFor } from '../../../src/core/retry.ts';

describe('retryDelayFor', () => {
  const policy = { retryDelayMs: 5_000, retryExponentialBackoff: false, maxRetryDelayMs: 3_600_000 };

  it('waits retryDelay after every failed try without backoff', () => {
    assert.deepEqual([1, 2, 3, 10].map((n) => retryDelayFor(policy, n)), [5_000, 5_000, 5_000, 5_000]);
  });

  it('doubles the delay per failed try with backoff', () => {
    const backoff = { ...policy, retryExponentialBackoff: true };
    assert.deepEqual([1, 2, 3, 4].map((n) => retryDelayFor(backoff, n)), [5_000, 10_000, 20_000, 40_000]);
  });

  it('caps the delay at maxRetryDelay, with or without backoff', () => {
    assert.equal(retryDelayFor({ ...policy, retryExponentialBackoff: true, maxRetryDelayMs: 30_000 }, 4), 30_000);
    assert.equal(retryDelayFor({ ...policy, retryExponentialBackoff: true, maxRetryDelayMs: 30_000 }, 10_000), 30_000);
    assert.equal(retryDelayFor({ ...policy, maxRetryDelayMs: 1_000 }, 1), 1_000);
  });

  it('stays a number for a zero delay and huge try numbers', () => {
    assert.equal(retryDelayFor({ retryDelayMs: 0, retryExponentialBackoff: true, maxRetryDelayMs: 1_000 }, 5_000), 0);
  });

  it('treats a try number below 1 as the first try', () => {
    assert.equal(retryDelayFor({ ...policy, retryExponentialBackoff: true }, 0), 5_000);
  });
});
