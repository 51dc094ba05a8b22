import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { windowFilter } from '../../../../src/providers/mongo/source.ts';

describe('windows', () => {
  test('a window is a modified-date range; a first load takes everything before the cutoff', () => {
    const until = new Date('2026-11-02T00:00:00Z');
    const from = new Date('2026-11-01T00:00:00Z');
    assert.deepEqual(windowFilter({ modifiedField: 'updatedAt', from, until }), { updatedAt: { $gte: from, $lt: until } });
    assert.deepEqual(windowFilter({ modifiedField: 'updatedAt', from: null, until }), { $nor: [{ updatedAt: { $gte: until } }] });
  });
});
