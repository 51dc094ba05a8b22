import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jobIdFor, queueNameForPool } from '../../../src/queue/jobs.ts';

describe('job ids and queue names', () => {
  test('are deterministic, distinct per try, and free of ":" (BullMQ forbids it)', () => {
    const m = { dagId: 'd', runId: 'manual__2026-01-01T00:00:00.000Z', taskId: 't.1', tryNumber: 2 };
    assert.equal(jobIdFor(m), jobIdFor({ ...m }));
    assert.notEqual(jobIdFor(m), jobIdFor({ ...m, tryNumber: 3 }));
    assert.ok(!jobIdFor(m).includes(':'));
    assert.ok(!queueNameForPool('a:b').includes(':'));
  });
});
