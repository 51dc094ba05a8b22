import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planFor } from '../../../src/core/reprocess.ts';

describe('backfill reprocess behaviours', () => {
  const table: [string | undefined, 'none' | 'failed' | 'completed', string][] = [
    [undefined, 'none', 'create'], [undefined, 'completed', 'create'],
    ['success', 'none', 'skip'], ['failed', 'none', 'skip'],
    ['success', 'failed', 'skip'], ['failed', 'failed', 'reprocess'],
    ['success', 'completed', 'reprocess'], ['failed', 'completed', 'reprocess'],
    ['queued', 'completed', 'skip'], ['running', 'completed', 'skip'], ['running', 'failed', 'skip'],
  ];
  for (const [existing, behaviour, plan] of table) {
    test(`${existing ?? 'no run'} with ${behaviour} → ${plan}`, () => assert.equal(planFor(existing, behaviour), plan));
  }
});
