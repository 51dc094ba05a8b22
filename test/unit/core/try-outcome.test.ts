import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { outcomeOfTry } from '../../../src/core/try-outcome.ts';

const policy = { retryDelayMs: 1000, retryExponentialBackoff: true, maxRetryDelayMs: 3000 };
const now = new Date('2026-01-01T00:00:00Z');

describe('outcomeOfTry: the one place that decides on retries', () => {
  test('a failure with tries left is up for retry after the backoff delay, capped', () => {
    const fail = { kind: 'failed', error: 'x', retryable: true } as const;
    assert.deepEqual(outcomeOfTry(policy, 1, 4, fail, now), { state: 'up_for_retry', error: 'x', nextTryAt: new Date(now.getTime() + 1000) });
    assert.equal(outcomeOfTry(policy, 2, 4, fail, now).nextTryAt!.getTime() - now.getTime(), 2000);
    assert.equal(outcomeOfTry(policy, 3, 4, fail, now).nextTryAt!.getTime() - now.getTime(), 3000);
    assert.deepEqual(outcomeOfTry(policy, 4, 4, fail, now), { state: 'failed', error: 'x', nextTryAt: null });
  });
  test('FailTask (not retryable) fails at once; success and skip are final', () => {
    assert.equal(outcomeOfTry(policy, 1, 9, { kind: 'failed', error: 'no', retryable: false }, now).state, 'failed');
    assert.equal(outcomeOfTry(policy, 1, 9, { kind: 'success' }, now).state, 'success');
    assert.deepEqual(outcomeOfTry(policy, 1, 9, { kind: 'skipped', reason: 'weekend' }, now), { state: 'skipped', error: 'weekend', nextTryAt: null });
  });
});
