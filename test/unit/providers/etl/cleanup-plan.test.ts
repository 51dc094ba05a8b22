import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { groupByRun, planCleanup } from '../../../../src/providers/etl/cleanup-plan.ts';

describe('cleanup plan', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000);
  const object = (key: string, hoursAgo: number) => ({ key, bytes: 10, lastModified: at(hoursAgo) });
  test('old runs go whole; unreferenced parts go after the grace period; manifest parts stay', () => {
    const listed = [
      object('etl/d/old/orders/manifest.json', 200),
      object('etl/d/old/orders/try-1/orders/part-00001.ndjson.gz', 200),
      object('etl/d/new/orders/manifest.json', 1),
      object('etl/d/new/orders/try-2/orders/part-00001.ndjson.gz', 10),
      object('etl/d/new/orders/try-1/orders/part-00001.ndjson.gz', 10),
      object('etl/d/new/orders/try-3/orders/part-00001.ndjson.gz', 1),
      object('etl/d/new/customers/try-1/customers/part-00001.ndjson.gz', 10),
    ];
    const runs = [...groupByRun('etl', listed)].map(([runPrefix, objects]) => ({
      runPrefix,
      objects,
      manifests: new Map(runPrefix.endsWith('new/') ? [['orders', new Set(['etl/d/new/orders/try-2/orders/part-00001.ndjson.gz'])]] : []),
    }));
    const decision = planCleanup(runs, { now, retentionMs: 7 * 24 * 3_600_000, orphanGraceMs: 6 * 3_600_000 });
    assert.deepEqual(decision.expiredRuns, ['etl/d/old/']);
    assert.equal(decision.expired.length, 2);
    assert.deepEqual(decision.orphans.map((o) => o.key).sort(), [
      'etl/d/new/customers/try-1/customers/part-00001.ndjson.gz',
      'etl/d/new/orders/try-1/orders/part-00001.ndjson.gz',
    ]);
  });
});
